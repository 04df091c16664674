"""Shared fixtures: the real data beside the repository (``../shared/data``), skipped when absent."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


def _shared_data_dir() -> Path:
    """``$MSFAM_SHARED_DATA`` if set, else ``../shared/data`` beside the repository."""
    return Path(os.environ.get("MSFAM_SHARED_DATA", REPO_ROOT.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Folder of the real data (KAIST, fusion pairs); skips the test when it is not there."""
    path = _shared_data_dir()
    if not path.is_dir():
        pytest.skip(f"real data not found at {path} (set MSFAM_SHARED_DATA to its location)")
    return path


def _write_pair_images(visible: Path, infrared: Path, stems: list[str], suffix: str, size: tuple[int, int]) -> None:
    """Colour visible and greyscale infrared images (smooth random content) under two folders."""
    import cv2
    import numpy as np

    rng = np.random.default_rng(0)
    width, height = size
    visible.mkdir(parents=True, exist_ok=True)
    infrared.mkdir(parents=True, exist_ok=True)
    for stem in stems:
        colour = cv2.resize(rng.integers(0, 256, (height // 8, width // 8, 3), dtype=np.uint8), (width, height))
        cv2.imwrite(str(visible / f"{stem}{suffix}"), colour)
        cv2.imwrite(str(infrared / f"{stem}{suffix}"), cv2.cvtColor(colour, cv2.COLOR_BGR2GRAY)[:, ::-1].copy())


def _voc(boxes: list[tuple[str, int, int, int, int]]) -> str:
    objects = "".join(f"<object><name>{name}</name><difficult>0</difficult><bndbox><xmin>{x0}</xmin><ymin>{y0}</ymin>"
                      f"<xmax>{x1}</xmax><ymax>{y1}</ymax></bndbox></object>" for name, x0, y0, x1, y1 in boxes)
    return f"<annotation><size><width>96</width><height>80</height></size>{objects}</annotation>"


@pytest.fixture
def tiny_llvip(tmp_path) -> Path:
    """LLVIP's own layout, split ``test``: 6 pairs (96x80 JPEG), VOC boxes: 2 persons each, plus one ``car``."""
    root = tmp_path / "llvip"
    stems = [f"19000{i}" for i in range(1, 7)]
    _write_pair_images(root / "visible" / "test", root / "infrared" / "test", stems, ".jpg", (96, 80))
    (root / "Annotations").mkdir()
    for stem in stems:
        (root / "Annotations" / f"{stem}.xml").write_text(
            _voc([("person", 10, 10, 30, 60), ("person", 50, 5, 70, 70), ("car", 0, 0, 20, 20)]))
    return root


@pytest.fixture
def tiny_msrs(tmp_path) -> Path:
    """MSRS's own layout, split ``test``: 6 pairs (96x80 PNG), YOLO labels per variant: 2 persons, 1 car each."""
    root = tmp_path / "msrs"
    stems = [f"0000{i}N" for i in range(1, 7)]
    _write_pair_images(root / "test" / "vi", root / "test" / "ir", stems, ".png", (96, 80))
    labels = root / "test" / "labels"
    for variant in ("infrared", "visible", "fusion"):
        (labels / variant).mkdir(parents=True)
        for stem in stems:
            (labels / variant / f"{stem}.txt").write_text("0 0.25 0.5 0.2 0.5\n2 0.5 0.5 0.1 0.1\n0 0.75 0.5 0.2 0.6\n")
    (labels / "classes.txt").write_text("0 person\n1 bicycle\n2 car\n")
    return root


class _CreatesFileWhenUnpickled:
    """Unpickling this calls ``open(path, 'w')``: the stand-in for any code a crafted checkpoint runs."""

    def __init__(self, path: Path) -> None:
        self.path = str(path)

    def __reduce__(self):
        return open, (self.path, "w")


@pytest.fixture
def code_running_payload(tmp_path) -> tuple[object, Path]:
    """``(payload, marker)``: unpickling ``payload`` creates the file ``marker`` (as a crafted checkpoint could)."""
    marker = tmp_path / "pwned.txt"
    return _CreatesFileWhenUnpickled(marker), marker
