"""A real mmengine checkpoint saves and loads back (weights-only, with the allow-list) through detection.checkpoint."""
from __future__ import annotations

import pickle

import pytest
import torch
from mmengine.hooks import Hook
from mmengine.model import BaseModel
from mmengine.runner import Runner, load_checkpoint
from torch.utils.data import Dataset

import detection  # noqa: F401  (registers the loader)


class ToyModel(BaseModel):
    def __init__(self) -> None:
        super().__init__()
        self.linear = torch.nn.Linear(2, 1)

    def forward(self, inputs, targets, mode="tensor"):
        inputs, targets = torch.stack(inputs), torch.stack(targets)
        out = self.linear(inputs)
        if mode == "loss":
            return {"loss": ((out - targets) ** 2).mean()}
        return out


class ToyData(Dataset):
    def __len__(self) -> int:
        return 8

    def __getitem__(self, index: int):
        x = torch.tensor([float(index), 1.0])
        return {"inputs": x, "targets": x.sum(0, keepdim=True)}


class FirstIterRecorder(Hook):
    def __init__(self) -> None:
        self.first_iter = None

    def before_train_iter(self, runner, batch_idx, data_batch=None) -> None:
        if self.first_iter is None:
            self.first_iter = runner.iter


def make_runner(work_dir, max_iters: int, **kwargs) -> Runner:
    return Runner(
        model=ToyModel(),
        work_dir=str(work_dir),
        train_dataloader=dict(dataset=ToyData(), sampler=dict(type="DefaultSampler", shuffle=False),
                              batch_size=2, num_workers=0),
        optim_wrapper=dict(optimizer=dict(type="SGD", lr=0.01)),
        train_cfg=dict(by_epoch=False, max_iters=max_iters),
        default_hooks=dict(checkpoint=dict(type="CheckpointHook", interval=1, by_epoch=False),
                           logger=dict(type="LoggerHook", interval=1)),
        default_scope="mmengine",
        **kwargs,
    )


@pytest.fixture(scope="module")
def saved_checkpoint(tmp_path_factory):
    work_dir = tmp_path_factory.mktemp("ckpt")
    runner = make_runner(work_dir, max_iters=2, experiment_name="save")
    runner.train()
    path = work_dir / "iter_2.pth"
    assert path.is_file()
    return path


def test_plain_torch_load_rejects_mmengine_checkpoint(saved_checkpoint):
    """The problem is real: torch's default weights-only load refuses the message hub's objects."""
    if tuple(int(v) for v in torch.__version__.split(".")[:2]) < (2, 6):
        pytest.skip("torch < 2.6 loads with weights_only=False by default")
    with pytest.raises(pickle.UnpicklingError):
        torch.load(saved_checkpoint)


def test_load_checkpoint_into_model(saved_checkpoint):
    model = ToyModel()
    checkpoint = load_checkpoint(model, str(saved_checkpoint), map_location="cpu")
    assert checkpoint["meta"]["iter"] == 2
    assert "message_hub" in checkpoint
    torch.testing.assert_close(model.linear.weight, checkpoint["state_dict"]["linear.weight"])


def test_resume_continues_from_saved_iteration(saved_checkpoint, tmp_path):
    recorder = FirstIterRecorder()
    runner = make_runner(tmp_path, max_iters=3, resume=True, load_from=str(saved_checkpoint),
                         custom_hooks=[recorder], experiment_name="resume")
    runner.train()
    assert recorder.first_iter == 2
    assert runner.iter == 3


def test_load_from_without_resume(saved_checkpoint, tmp_path):
    runner = make_runner(tmp_path, max_iters=1, load_from=str(saved_checkpoint), experiment_name="load")
    runner.load_or_resume()
    weights = torch.load(saved_checkpoint, weights_only=False)["state_dict"]
    torch.testing.assert_close(runner.model.linear.weight, weights["linear.weight"])
