"""The demo's fallback when no weights are shipped: small MSFAM (stage 1, stage 2) and NestFuse weights trained
from configs/demo on the synthetic KAIST; a rerun keeps finished runs."""
from __future__ import annotations

from pathlib import Path

import pytest

from fusion.apis import build_fusion_model
from fusion.datasets.synthetic_kaist import make_synthetic_kaist
from fusion.jobs.demo import DEMO_RUNS, train_demo_weights

DEMO_DIR = Path(__file__).resolve().parents[2] / "configs" / "demo"


@pytest.mark.slow
def test_demo_weights_train_load_and_are_kept(tmp_path):
    root = tmp_path / "synthetic_kaist"
    make_synthetic_kaist(root, pairs_per_set=1, width=128, height=96)
    seen = []

    def progress(runs, total):
        seen.append(total)
        return runs

    checkpoints = train_demo_weights(DEMO_DIR, root, tmp_path / "weights", 2, "cpu", progress)
    assert seen == [len(DEMO_RUNS)]
    assert checkpoints == {"nestfuse": tmp_path / "weights" / "stage1_nestfuse" / "final.pth",
                           "msfam": tmp_path / "weights" / "stage2_msfam" / "final.pth"}
    for method, path in checkpoints.items():
        build_fusion_model(method, checkpoint=path)
    stamps = {path: path.stat().st_mtime_ns for path in (tmp_path / "weights").rglob("final.pth")}
    assert len(stamps) == 3
    train_demo_weights(DEMO_DIR, root, tmp_path / "weights", 2, "cpu")
    assert {path: path.stat().st_mtime_ns for path in stamps} == stamps
