"""fusion.engine.weights.run_checkpoint: a phase names an earlier run by its folder (best.pth, else final.pth)."""
from __future__ import annotations

import shutil

import pytest

from fusion.engine import Trainer
from fusion.engine.weights import run_checkpoint

pytestmark = pytest.mark.filterwarnings("ignore:MS-SSIM on")


def test_a_run_folder_means_its_best_network_else_its_final_one(tmp_path):
    run = tmp_path / "classifier"
    run.mkdir()
    assert run_checkpoint(run) == run / "final.pth"  # neither yet: the loader reports final.pth missing
    (run / "final.pth").write_bytes(b"")
    assert run_checkpoint(run) == run / "final.pth"  # a run that never validated
    (run / "best.pth").write_bytes(b"")
    assert run_checkpoint(run) == run / "best.pth"
    assert run_checkpoint(run / "final.pth") == run / "final.pth"  # a file is itself
    assert run_checkpoint(tmp_path / "gone.pth") == tmp_path / "gone.pth"


def test_stage2_reads_the_classifier_run_folder(stage2_cfg, checkpoints, tmp_path):
    run = tmp_path / "runs" / "classifier"
    run.mkdir(parents=True)
    shutil.copy(checkpoints["classifier"], run / "final.pth")
    stage2_cfg.task.classifier_checkpoint = str(run)
    assert Trainer(stage2_cfg, tmp_path / "a", progress=False).task.sources["classifier"]["path"] == str(
        run / "final.pth")
    shutil.copy(checkpoints["classifier"], run / "best.pth")
    stage2_cfg.task.stage1_checkpoint = str(checkpoints["stage1"].parent)  # a folder holding neither network
    with pytest.raises(FileNotFoundError):
        Trainer(stage2_cfg, tmp_path / "b", progress=False)
    stage2_cfg.task.stage1_checkpoint = str(checkpoints["stage1"])
    assert Trainer(stage2_cfg, tmp_path / "c", progress=False).task.sources["classifier"]["path"] == str(
        run / "best.pth")
