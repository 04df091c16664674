"""The training loop on a tiny stage-1 run: learning, logs, exports, exact resume, time budget, autocast."""
from __future__ import annotations

import errno
import math
import os
from pathlib import Path

import pytest
import torch

from fusion.apis import load_fuser, read_fusion_checkpoint
from fusion.engine import Trainer
from fusion.engine import state as state_module
from fusion.engine.logger import read_log
from fusion.utils.run_lock import FolderInUseError, run_lock


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


def test_resume_from_a_damaged_last_state_uses_the_previous_one(stage1_cfg, tmp_path):
    stage1_cfg.train_cfg.max_iters = 6
    stage1_cfg.train_cfg.checkpoint_interval = 2
    work = tmp_path / "run"
    Trainer(stage1_cfg, work, progress=False).run()  # states at 2, 4, 6: last.pth = 6, last.prev.pth = 4
    last = work / "last.pth"
    last.write_bytes(last.read_bytes()[: last.stat().st_size // 2])
    stage1_cfg.train_cfg.max_iters = 8
    resumed = Trainer(stage1_cfg, work, resume=True, progress=False)
    with pytest.warns(UserWarning, match=r"last\.pth is damaged .*resuming from last\.prev\.pth \(iteration 4\)"):
        resumed.run()
    assert [r["iter"] for r in read_log(work, "start")] == [0, 4]
    assert torch.load(last, weights_only=True)["iteration"] == 8
    assert torch.load(work / "last.prev.pth", weights_only=True)["iteration"] == 6  # the damaged file never is
    assert (work / "last.damaged.pth").is_file()
    assert "warning: " in (work / "train.log").read_text()


def test_a_full_disk_stops_training_with_the_states_intact_and_resume_finishes(stage1_cfg, tmp_path, monkeypatch):
    stage1_cfg.train_cfg.max_iters = 6
    stage1_cfg.train_cfg.checkpoint_interval = 2
    work = tmp_path / "run"
    saves = []
    save = torch.save

    def disk_full_at_the_third_state(obj, target):
        if str(target).endswith(".tmp.pth") and len(saves) == 2:
            Path(target).write_bytes(b"partial")
            raise OSError(errno.ENOSPC, "No space left on device")
        save(obj, target)
        saves.append(target)

    monkeypatch.setattr(state_module.torch, "save", disk_full_at_the_third_state)
    with pytest.raises(OSError, match="No space left"):
        Trainer(stage1_cfg, work, progress=False).run()
    monkeypatch.undo()
    assert torch.load(work / "last.pth", weights_only=True)["iteration"] == 4
    assert torch.load(work / "last.prev.pth", weights_only=True)["iteration"] == 2
    assert not list(work.glob(".*tmp*"))
    end = Trainer(stage1_cfg, work, resume=True, progress=False).run()
    assert end["complete"] and [r["iter"] for r in read_log(work, "start")] == [0, 4]


def test_a_second_trainer_in_the_same_work_dir_is_refused(stage1_cfg, tmp_path):
    work = tmp_path / "run"
    with run_lock(work, "train"):
        with pytest.raises(FolderInUseError, match=f"process {os.getpid()}"):
            Trainer(stage1_cfg, work, progress=False).run()


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
