"""configs/demo: what the demo sets by name exists in its detectors, and its fusion runs load and agree (that
the detectors are configs/detection's leaves with the demo's settings: tests/detection/test_configs.py)."""
from __future__ import annotations

from pathlib import Path

import pytest

from detection.runs.config import load_config
from detection.runs.demo import DETECTORS, demo_options
from fusion.jobs.demo import DEMO_RUNS, load_demo_config

DEMO_DIR = Path(__file__).resolve().parents[2] / "configs" / "demo"


@pytest.mark.parametrize("name", DETECTORS)
def test_the_demo_sets_its_detectors_by_name(name, tmp_path):
    cfg = load_config(DEMO_DIR / f"{name}.py", cfg_options=demo_options(3, (128, 96)), data_root=str(tmp_path))
    for loop in ("train", "val", "test"):
        resize = [step for step in cfg[f"{loop}_dataloader"].dataset.pipeline if step.type == "Resize"]
        assert resize[0].scale == (128, 96), loop
    assert cfg.train_cfg.max_epochs == 3
    assert cfg.default_hooks.checkpoint.interval == 3  # one checkpoint a run (hundreds of MB each): the tested one
    assert cfg.test_evaluator.ann_file == f"{tmp_path}/annotations/synthetic-test.json"


def test_demo_fusion_runs_load_and_agree(tmp_path):
    cfgs = {run: load_demo_config(DEMO_DIR / f"{run}.py", tmp_path) for run in DEMO_RUNS}
    widths = {run: tuple(cfg.task.model.widths) for run, cfg in cfgs.items()}
    assert len(set(widths.values())) == 1, widths  # stage 2 loads the demo's stage 1
    assert cfgs["stage1_msfam"].train_dataloader.dataset.roots == [f"{tmp_path}/images"]
    stage2 = cfgs["stage2_msfam"]
    assert stage2.train_dataloader.dataset.root == str(tmp_path) and stage2.val_dataloader is None
    assert stage2.task.classifier_checkpoint is None and stage2.task.loss.alpha2 == 0
    assert cfgs["stage1_nestfuse"].task.model.type == "nestfuse"
