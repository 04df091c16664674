"""The training loop on a tiny stage-1 run: learning, logs, exports, exact resume, time budget, autocast."""
from __future__ import annotations

import math

import pytest
import torch

from fusion.apis import load_fuser, read_fusion_checkpoint
from fusion.engine import Trainer
from fusion.engine.logger import read_log


def _losses(work_dir):
    return {r["iter"]: r["loss"] for r in read_log(work_dir, "train")}


def test_stage1_loss_decreases_on_a_repeated_batch(stage1_cfg, tmp_path):
    trainer = Trainer(stage1_cfg, tmp_path / "run", progress=False)
    batch = next(iter(trainer.train_loader()))
    losses = [trainer.step(batch)["loss"] for _ in range(20)]
    assert losses[-1] < 0.7 * losses[0]
    assert [g["name"] for g in trainer.optimizer.param_groups] == ["autoencoder"]


def test_run_writes_logs_state_and_a_loadable_export(stage1_cfg, tmp_path):
    work = tmp_path / "run"
    end = Trainer(stage1_cfg, work, progress=False).run()
    assert end["complete"] and end["iter"] == 4 and end["stopped"] is None
    assert sorted(_losses(work)) == [1, 2, 3, 4]
    assert all(math.isfinite(v) for v in _losses(work).values())
    assert (work / "train.log").read_text().count("train:") == 4
    meta = read_fusion_checkpoint(work / "final.pth")["meta"]
    assert meta["phase"] == "stage1" and meta["iteration"] == 4 and meta["complete"]
    assert meta["torch_version"] == torch.__version__ and "git_commit" in meta and meta["elapsed_s"] > 0
    assert meta["schedule"]["batch_size"] == 4 and meta["config"]["task"]["type"] == "ReconstructionTask"
    fuser = load_fuser("msfam_handcrafted", checkpoint=work / "final.pth")
    fused = fuser.fuse_tensors(torch.rand(1, 1, 40, 48), torch.rand(1, 1, 40, 48))
    assert fused.shape == (1, 1, 40, 48)
    with pytest.raises(FileExistsError, match="resume"):
        Trainer(stage1_cfg, work, progress=False)


def test_resume_after_an_interruption_equals_an_uninterrupted_run(stage1_cfg, tmp_path, monkeypatch):
    stage1_cfg.train_cfg.max_iters = 9  # 7 batches an epoch: the run crosses an epoch boundary
    straight = Trainer(stage1_cfg, tmp_path / "straight", progress=False)
    straight.run()

    interrupted = Trainer(stage1_cfg, tmp_path / "resumed", progress=False)
    step = Trainer.step

    def step_until_5(self, batch):
        if self.iteration == 5:
            raise KeyboardInterrupt
        return step(self, batch)

    monkeypatch.setattr(Trainer, "step", step_until_5)
    with pytest.raises(KeyboardInterrupt):
        interrupted.run()
    monkeypatch.setattr(Trainer, "step", step)
    assert torch.load(tmp_path / "resumed" / "last.pth", weights_only=True)["iteration"] == 5
    resumed = Trainer(stage1_cfg, tmp_path / "resumed", resume=True, progress=False)
    resumed.run()

    assert _losses(tmp_path / "resumed") == _losses(tmp_path / "straight")
    assert len(_losses(tmp_path / "straight")) == 9
    for name, value in straight.task.model.state_dict().items():
        assert torch.equal(value, resumed.task.model.state_dict()[name]), name
    assert [r["iter"] for r in read_log(tmp_path / "resumed", "start")] == [0, 5]


def test_time_budget_stops_cleanly_and_resume_finishes(stage1_cfg, tmp_path):
    stage1_cfg.train_cfg.time_budget = 0.0
    work = tmp_path / "run"
    end = Trainer(stage1_cfg, work, progress=False).run()
    assert end["stopped"] == "time_budget" and not end["complete"] and end["iter"] == 0
    assert read_fusion_checkpoint(work / "final.pth")["meta"]["complete"] is False
    stage1_cfg.train_cfg.time_budget = None
    assert Trainer(stage1_cfg, work, resume=True, progress=False).run()["complete"]


def test_resume_without_state_is_an_error(stage1_cfg, tmp_path):
    with pytest.raises(FileNotFoundError, match="last.pth"):
        Trainer(stage1_cfg, tmp_path / "empty", resume=True, progress=False)


@pytest.mark.parametrize("fixture", ["stage1_cfg", "stage2_cfg"])
def test_bf16_autocast_loss_agrees_with_fp32(fixture, request, tmp_path):
    cfg = request.getfixturevalue(fixture)
    losses = {}
    for enabled in (False, True):
        cfg.amp = dict(enabled=enabled, dtype="bfloat16")
        trainer = Trainer(cfg, tmp_path / f"amp_{enabled}", progress=False)
        batch = next(iter(trainer.train_loader()))
        with torch.no_grad():
            losses[enabled] = float(trainer.task.losses(batch)["loss"])
    assert losses[True] == pytest.approx(losses[False], rel=2e-2)
    assert losses[True] != losses[False]  # autocast did run in bfloat16
    assert math.isfinite(trainer.step(batch)["loss"])  # and a bfloat16 training step goes through
