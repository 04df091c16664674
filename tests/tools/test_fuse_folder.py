"""tools/fuse_folder.py: layout, colour output, resume, unpaired and unreadable images."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]


def run_tool(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, str(REPO / "tools" / "fuse_folder.py"), *args],
                          capture_output=True, text=True, env=env, timeout=120)


@pytest.fixture
def pair_folder(tmp_path: Path) -> Path:
    rng = np.random.default_rng(0)
    (tmp_path / "ir").mkdir()
    (tmp_path / "vi").mkdir()
    for stem in ("1", "2"):
        cv2.imwrite(str(tmp_path / "ir" / f"{stem}.png"), rng.integers(0, 256, (40, 48), dtype=np.uint8))
    cv2.imwrite(str(tmp_path / "vi" / "1.bmp"), rng.integers(0, 256, (40, 48), dtype=np.uint8))
    cv2.imwrite(str(tmp_path / "vi" / "2.jpg"), rng.integers(0, 256, (40, 48, 3), dtype=np.uint8))
    cv2.imwrite(str(tmp_path / "ir" / "3.png"), rng.integers(0, 256, (40, 48), dtype=np.uint8))  # no partner
    return tmp_path


def test_fuses_pairs_and_resumes(pair_folder: Path):
    out = pair_folder / "out"
    result = run_tool("--ir", str(pair_folder / "ir"), "--vis", str(pair_folder / "vi"),
                      "--methods", "average,laplacian", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "1 image(s) without a partner: 3" in result.stdout
    for method in ("average", "laplacian"):
        assert sorted(p.name for p in (out / method).iterdir()) == ["1.png", "2.png"]
    assert cv2.imread(str(out / "average" / "1.png"), cv2.IMREAD_UNCHANGED).ndim == 2  # grey visible
    assert cv2.imread(str(out / "average" / "2.png"), cv2.IMREAD_UNCHANGED).shape == (40, 48, 3)  # colour
    mtime = (out / "average" / "1.png").stat().st_mtime_ns
    again = run_tool("--ir", str(pair_folder / "ir"), "--vis", str(pair_folder / "vi"),
                     "--methods", "average", "--out", str(out))
    assert again.returncode == 0 and "(2 already there)" in again.stdout
    assert (out / "average" / "1.png").stat().st_mtime_ns == mtime


def test_unreadable_image_is_named(pair_folder: Path):
    (pair_folder / "vi" / "2.jpg").write_bytes(b"not a jpeg")
    result = run_tool("--ir", str(pair_folder / "ir"), "--vis", str(pair_folder / "vi"),
                      "--methods", "average", "--out", str(pair_folder / "out"))
    assert result.returncode != 0
    assert "2.jpg" in result.stderr


def test_network_without_weights_is_a_clear_error(pair_folder: Path, tmp_path: Path):
    result = run_tool("--ir", str(pair_folder / "ir"), "--vis", str(pair_folder / "vi"),
                      "--methods", "msfam", "--out", str(pair_folder / "out"),
                      "--checkpoint", f"msfam={tmp_path / 'absent.pth'}")
    assert result.returncode != 0 and "absent.pth" in result.stderr
