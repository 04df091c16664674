"""Stage-2 warm start: the fusion blocks fitted to the hand-designed fusion make iteration 0 fuse like "Rec"."""
from __future__ import annotations

import contextlib

import pytest
import torch

from fusion.apis.checkpoint import build_from_checkpoint
from fusion.engine import Trainer
from fusion.engine.evaluation import PAPER_METRICS, fusion_metrics, relative_score
from fusion.engine.logger import read_log
from fusion.engine.tasks.warm_start import fit_fusion_blocks, fusion_fit_error

pytestmark = pytest.mark.filterwarnings("ignore:MS-SSIM on")

WARM_START = dict(iters=150, lr=5e-3)


def rec_score(trainer: Trainer, stage1_checkpoint) -> float:
    """Score of the stage-1 network with NestFuse's hand-designed fusion, on the trainer's validation pairs."""
    rec, _ = build_from_checkpoint(stage1_checkpoint)
    task = trainer.task
    task.validate(trainer.val_loader)  # computes the reference (average) values once
    values = fusion_metrics(rec, trainer.val_loader, PAPER_METRICS, torch.device("cpu"), contextlib.nullcontext)
    return relative_score(values, task.reference_values, PAPER_METRICS)


@pytest.mark.slow
def test_iteration_zero_fuses_within_one_percent_of_rec(stage2_cfg, checkpoints, tmp_path):
    stage2_cfg.task.warm_start = WARM_START
    trainer = Trainer(stage2_cfg, tmp_path / "warm", progress=False)
    result = trainer.task.prepare(iter(trainer.prepare_loader()))
    assert result["error_end"] < 0.2 * result["error_start"]
    warm = trainer.task.validate(trainer.val_loader)["score"]
    rec = rec_score(trainer, checkpoints["stage1"])
    assert warm == pytest.approx(rec, rel=0.01)

    stage2_cfg.task.warm_start = None
    cold_trainer = Trainer(stage2_cfg, tmp_path / "cold", progress=False)
    cold = cold_trainer.task.validate(cold_trainer.val_loader)["score"]
    assert abs(cold - rec) > abs(warm - rec)


def test_the_fit_leaves_encoder_and_decoder_alone(stage2_cfg):
    stage2_cfg.task.warm_start = dict(iters=3)
    trainer = Trainer(stage2_cfg, "unused", progress=False)
    model = trainer.task.model
    frozen = {k: v.clone() for k, v in model.state_dict().items() if not k.startswith("fusions.")}
    fusions = {k: v.clone() for k, v in model.fusions.state_dict().items()}
    batches = iter(trainer.prepare_loader())
    fit_fusion_blocks(model, batches, iters=3)
    assert all(torch.equal(v, frozen[k]) for k, v in model.state_dict().items() if not k.startswith("fusions."))
    assert any(not torch.equal(v, fusions[k]) for k, v in model.fusions.state_dict().items())
    batch = next(batches)
    assert fusion_fit_error(model, batch["vis"], batch["ir"], "avg", contextlib.nullcontext).item() >= 0


def test_a_run_logs_the_warm_start_and_a_resume_skips_it(stage2_cfg, tmp_path, monkeypatch):
    stage2_cfg.task.warm_start = dict(iters=5)
    stage2_cfg.train_cfg.max_iters = 2
    work = tmp_path / "run"
    Trainer(stage2_cfg, work, progress=False).run()
    (prepared,) = read_log(work, "prepare")
    assert prepared["iters"] == 5 and prepared["error_end"] >= 0
    stage2_cfg.train_cfg.max_iters = 3
    resumed = Trainer(stage2_cfg, work, resume=True, progress=False)
    monkeypatch.setattr(resumed.task, "prepare", lambda batches: pytest.fail("a resumed run must not prepare again"))
    resumed.run()
    assert len(read_log(work, "prepare")) == 1


def test_warm_start_needs_a_stage1_network(stage2_cfg, tmp_path):
    stage2_cfg.task.update(warm_start=dict(iters=5), stage1_checkpoint=None)
    with pytest.raises(ValueError, match="stage1_checkpoint"):
        Trainer(stage2_cfg, tmp_path / "run", progress=False)


def test_validate_at_start_scores_the_warm_started_network(stage2_cfg, tmp_path):
    stage2_cfg.task.warm_start = dict(iters=5)
    stage2_cfg.train_cfg.update(max_iters=2, val_interval=2, validate_at_start=True)
    work = tmp_path / "run"
    Trainer(stage2_cfg, work, progress=False).run()
    assert [v["iter"] for v in read_log(work, "val")] == [0, 2]
