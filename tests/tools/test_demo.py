"""tools/demo.py (the README's `make demo`) runs the whole pipeline end to end on a tiny synthetic sample."""
from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_demo_runs_the_whole_pipeline(tmp_path: Path):
    env = dict(os.environ, PYTHONPATH=str(REPO))
    result = subprocess.run([sys.executable, str(REPO / "tools" / "demo.py"), "--out", str(tmp_path),
                             "--pairs-per-set", "1", "--size", "128x96", "--fusion-iters", "2", "--det-epochs", "1"],
                            capture_output=True, text=True, env=env, timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    quality = json.loads((tmp_path / "fusion_quality.json").read_text())
    assert set(quality["methods"]) == {"nestfuse", "msfam"} and len(quality["images"]) == 2
    for method in ("visible", "lwir", "nestfuse", "msfam"):
        assert len(list((tmp_path / "kaist_fused" / method).rglob("*.jpg"))) == 4  # 2 train + 2 test frames
    rows = list(csv.DictReader((tmp_path / "detection.csv").open()))
    assert [row["input"] for row in rows] == ["visible", "lwir", "nestfuse", "msfam"]
    assert (tmp_path / "detection.png").stat().st_size > 0
