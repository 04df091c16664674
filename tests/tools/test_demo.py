"""tools/demo.py (the README's `make demo`) runs end to end on a tiny synthetic sample."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_demo_writes_fused_images_and_report(tmp_path: Path):
    env = dict(os.environ, PYTHONPATH=str(REPO))
    result = subprocess.run([sys.executable, str(REPO / "tools" / "demo.py"), "--out", str(tmp_path),
                             "--pairs-per-set", "1", "--size", "96x80"],
                            capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    report = json.loads((tmp_path / "fusion_quality.json").read_text())
    assert {"average", "tif", "laplacian"} <= set(report["methods"])
    assert len(report["images"]) == 2  # one day and one night test frame
    for method in report["methods"]:
        assert len(list((tmp_path / "fused" / method).rglob("*.jpg"))) == 2
        assert 0 < report["methods"][method]["mean"]["EN"] <= 8
