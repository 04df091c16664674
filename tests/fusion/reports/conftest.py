"""A tiny copy of the report's data layout (roadscene, tno21, msrs) and tiny random MSFAM / NestFuse weights."""
from __future__ import annotations

from pathlib import Path

import pytest
import torch

from fusion.apis import save_fusion_checkpoint
from fusion.registry import FUSION_MODELS

from ..conftest import write_pairs

TINY = dict(widths=(4, 6, 8, 10), stem_channels=4)
SHAPE = (168, 176)  # MS-SSIM's five scales need sides above 160 px


@pytest.fixture(scope="module")
def report_data(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """``{"fusion_root", "test_list"}``: held-out roadscene pairs, tno21 and msrs (one day, one night)."""
    tmp_path = tmp_path_factory.mktemp("report_data")
    root = tmp_path / "fusion"
    write_pairs(root, "roadscene", ["FLIR_1", "FLIR_2", "FLIR_3"], shape=SHAPE, colour=True, seed=0)
    write_pairs(root, "tno21", ["1", "2"], shape=SHAPE, seed=10)
    write_pairs(root, "msrs", ["00001D", "00002N"], shape=SHAPE, seed=20)
    test_list = tmp_path / "test.txt"
    test_list.write_text("# held out\nroadscene/FLIR_1\nroadscene/FLIR_3\n")
    return {"fusion_root": root, "test_list": test_list}


@pytest.fixture(scope="module")
def tiny_weights(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Random tiny ``msfam`` and ``nestfuse`` checkpoints."""
    tmp_path = tmp_path_factory.mktemp("tiny_weights")
    torch.manual_seed(0)
    paths = {}
    for name in ("msfam", "nestfuse"):
        cfg = dict(type=name, **TINY)
        paths[name] = tmp_path / "weights" / f"{name}.pth"
        save_fusion_checkpoint(paths[name], FUSION_MODELS.build(cfg), cfg, meta={"phase": name, "iteration": 3})
    return paths
