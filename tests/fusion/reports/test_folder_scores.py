import csv
import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from fusion.metrics import evaluate_pair, read_gray
from fusion.reports.folder_scores import evaluate_folders, plan_jobs, score_job

from ..metrics.conftest import make_scene

REPO_ROOT = Path(__file__).resolve().parents[3]
METRICS = "EN,MI,SSIM,Qabf"


@pytest.fixture
def folders(tmp_path):
    """3 pairs of 64x64 PNGs (visible saved as .bmp) and two methods' outputs (.png and .jpg)."""
    for sub in ("ir", "vi", "avg", "max"):
        (tmp_path / sub).mkdir()
    for index in (1, 2, 10):
        ir, vis = make_scene((64, 64), index).astype(np.uint8), make_scene((64, 64), 100 + index).astype(np.uint8)
        cv2.imwrite(str(tmp_path / "ir" / f"{index}.png"), ir)
        cv2.imwrite(str(tmp_path / "vi" / f"{index}.bmp"), vis)
        cv2.imwrite(str(tmp_path / "avg" / f"{index}.png"), np.rint(ir / 2 + vis / 2).astype(np.uint8))
        cv2.imwrite(str(tmp_path / "max" / f"{index}.jpg"), np.maximum(ir, vis), [cv2.IMWRITE_JPEG_QUALITY, 100])
    return tmp_path


def _load_tool():
    """tools/eval_fusion.py as a module, to call its main() in this process."""
    spec = importlib.util.spec_from_file_location("eval_fusion", REPO_ROOT / "tools" / "eval_fusion.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _run_tool(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO_ROOT), os.environ.get("PYTHONPATH", "")]))
    return subprocess.run([sys.executable, str(REPO_ROOT / "tools" / "eval_fusion.py"), *args],
                          capture_output=True, text=True, env=env, timeout=120)


def test_tool_writes_markdown_csv_and_json(folders):
    prefix = folders / "out" / "eval"
    result = _run_tool("--ir", str(folders / "ir"), "--vis", str(folders / "vi"), "--fused", f"avg={folders / 'avg'}",
                       "--fused", f"max={folders / 'max'}", "--metrics", METRICS, "--out", str(prefix),
                       "--workers", "2")
    assert result.returncode == 0, result.stderr

    document = json.loads(prefix.with_suffix(".json").read_text())
    assert document["images"] == ["1", "2", "10"] and document["metrics"] == METRICS.split(",")
    expected = evaluate_pair(read_gray(folders / "ir" / "10.png"), read_gray(folders / "vi" / "10.bmp"),
                             read_gray(folders / "max" / "10.jpg"), METRICS.split(","))
    assert document["methods"]["max"]["per_image"]["10"] == pytest.approx(expected, abs=1e-12)
    per_image_en = [document["methods"]["avg"]["per_image"][stem]["EN"] for stem in ("1", "2", "10")]
    assert document["methods"]["avg"]["mean"]["EN"] == pytest.approx(np.mean(per_image_en), abs=1e-12)

    rows = list(csv.DictReader(prefix.with_suffix(".csv").open()))
    assert [row["method"] for row in rows] == ["avg", "max"] and rows[0]["images"] == "3"
    assert float(rows[1]["MI"]) == pytest.approx(document["methods"]["max"]["mean"]["MI"], abs=1e-12)

    markdown = prefix.with_suffix(".md").read_text()
    assert "- MI: MI(A,F) + MI(B,F)" in markdown and "bits" in markdown
    squeezed = " ".join(markdown.split())
    assert "| method | EN | MI | SSIM | Qabf |" in squeezed and "| max |" in squeezed


def test_tool_names_a_missing_fused_image(folders, capsys):
    tool = _load_tool()
    (folders / "max" / "2.jpg").unlink()
    args = ["--ir", str(folders / "ir"), "--vis", str(folders / "vi"), "--fused", f"avg={folders / 'avg'}",
            "--fused", f"max={folders / 'max'}", "--metrics", "EN"]
    message = f"missing for 2.png: fused image of 'max' {folders / 'max' / '2'}.*"
    with pytest.raises(SystemExit, match=re.escape(message)):
        tool.main(args)
    tool.main([*args, "--skip-missing"])
    stdout = capsys.readouterr().out
    assert "Skipped as incomplete: 2" in stdout and "mean over 2 image(s)" in stdout


def test_tool_rejects_unknown_metric(folders, capsys):
    with pytest.raises(SystemExit):
        _load_tool().parse_args(["--ir", "ir", "--vis", "vi", "--fused", "a=avg", "--metrics", "EN,PSNR"])
    assert "unknown metric(s) PSNR" in capsys.readouterr().err


def test_duplicate_stems_are_ambiguous(folders):
    cv2.imwrite(str(folders / "avg" / "1.bmp"), np.zeros((64, 64), np.uint8))
    with pytest.raises(ValueError, match="1.bmp and 1.png"):
        plan_jobs(folders / "ir", folders / "vi", {"avg": folders / "avg"})


def test_tno21_pairs_scored_with_the_average(shared_data, tmp_path):
    source = shared_data / "fusion" / "tno21"
    for sub in ("ir", "vi", "avg"):
        (tmp_path / sub).mkdir()
    for name in ("1.png", "13.png"):  # 360x270 and 768x576
        ir, vis = read_gray(source / "ir" / name), read_gray(source / "vi" / name)
        for sub, image in (("ir", ir), ("vi", vis), ("avg", np.rint((ir + vis) / 2))):
            cv2.imwrite(str(tmp_path / sub / name), image.astype(np.uint8))
    report = evaluate_folders(tmp_path / "ir", tmp_path / "vi", {"avg": tmp_path / "avg"})
    assert report.images == ["1", "13"]
    for scores in report.per_image["avg"].values():
        assert 5 < scores["EN"] < 8 and 0 < scores["Qabf"] < 1 and 0 < scores["MS_SSIM"] <= 1
        assert 0 < scores["VIF_mean"] < 1 and 0 < scores["CC"] <= 1
        assert scores["SSIM_sum"] == pytest.approx(2 * scores["SSIM"], abs=1e-12)
        # the average is at least as correlated with each source as the two sources with each other
        assert scores["SCD"] > 0


def test_size_mismatch_names_the_files(folders):
    cv2.imwrite(str(folders / "avg" / "2.png"), np.zeros((32, 64), np.uint8))
    jobs, _ = plan_jobs(folders / "ir", folders / "vi", {"avg": folders / "avg"})
    with pytest.raises(ValueError, match=r"cannot score .*avg/2.png against .*ir/2.png.*fused \(32, 64\)"):
        score_job(jobs[1], ["EN"])
