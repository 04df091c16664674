"""tools/demo.py (the README's `make demo`) runs the whole pipeline end to end on a tiny synthetic sample, and
tells it shortly: a progress bar per step and a summary table on the terminal, the rest in demo.log."""
from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
STEPS = ("synthetic KAIST", "fusion weights", "fused dataset", "fusion quality", "detectors", "detection report")
INPUTS = ["visible", "lwir", "nestfuse", "msfam", "early_fusion", "halfway_fusion"]


@pytest.mark.slow
def test_demo_runs_the_whole_pipeline(tmp_path: Path):
    env = dict(os.environ, PYTHONPATH=str(REPO))
    result = subprocess.run([sys.executable, str(REPO / "tools" / "demo.py"), "--out", str(tmp_path),
                             "--pairs-per-set", "1", "--size", "128x96", "--fusion-iters", "2", "--det-epochs", "1",
                             "--det-seeds", "2"],
                            capture_output=True, env=env, timeout=900)
    stdout, stderr = result.stdout.decode(), result.stderr.decode()  # as written: no newline translation
    assert result.returncode == 0, stderr[-3000:]
    quality = json.loads((tmp_path / "fusion_quality.json").read_text())
    assert set(quality["methods"]) == {"nestfuse", "msfam"} and len(quality["images"]) == 2
    for method in ("visible", "lwir", "nestfuse", "msfam"):
        assert len(list((tmp_path / "kaist_fused" / method).rglob("*.jpg"))) == 4  # 2 train + 2 test frames
    rows = list(csv.DictReader((tmp_path / "detection.csv").open()))
    assert [row["input"] for row in rows] == INPUTS
    assert all(row["seeds"] == "0 1" for row in rows)  # two seeds of each detector, in their own work dirs
    assert len(list((tmp_path / "work_dirs").glob("gflv2_*/seed[01]/test_predictions.bbox.json"))) == 12
    differences = list(csv.DictReader((tmp_path / "detection_differences.csv").open()))
    assert {(row["candidate"], row["reference"]) for row in differences} == {
        *((name, "visible") for name in INPUTS[1:]), ("msfam", "nestfuse"), ("early_fusion", "msfam"),
        ("halfway_fusion", "msfam")}
    assert (tmp_path / "detection.png").stat().st_size > 0

    # the story: one line per step's bar (not a terminal: drawn once), then the summary with the paths
    assert stderr.count("\n") == len(STEPS) and "\r" not in stderr, stderr
    assert [line.split(":")[0] for line in stderr.splitlines()] == list(STEPS)
    summary = stdout
    assert summary.count("\n") < 16 + 8 and "demo finished" in summary  # the steps' table, a line per comparison
    for step in STEPS:
        assert f"| {step} " in summary
    for path in ("fusion_quality.md", "detection.md", "demo.log", "work_dirs"):
        assert str(tmp_path / path) in summary
    # which inputs differ beyond noise, one line per comparison
    assert "paired resamples of 2 test images, 2 seeds, 95 % intervals" in summary
    for pair in ("lwir vs visible", "nestfuse vs visible", "msfam vs visible", "msfam vs nestfuse",
                 "early_fusion vs visible", "halfway_fusion vs msfam"):
        assert f"- {pair}: " in summary
    log = (tmp_path / "demo.log").read_text()  # what the steps printed, mmengine's logs included
    assert "Epoch(train) [1][1/1]" in log and "synthetic-test" in log
