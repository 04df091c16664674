"""Fusion checkpoints and training states load weights-only: a crafted file never runs its code; a damaged one is
named."""
from __future__ import annotations

import pytest
import torch

from fusion.apis import load_fuser
from fusion.engine.state import load_training_state


@pytest.fixture
def crafted(tmp_path, code_running_payload):
    payload, marker = code_running_payload
    checkpoint = tmp_path / "msfam.pth"
    torch.save({"model": {"type": "msfam"}, "state_dict": {}, "meta": {"payload": payload}}, checkpoint)
    state = tmp_path / "last.pth"
    torch.save({"model": {}, "optimizer": {}, "iteration": 1, "payload": payload}, state)
    return checkpoint, state, marker


def test_load_fuser_refuses_a_crafted_checkpoint(crafted):
    checkpoint, _, marker = crafted
    with pytest.raises(ValueError, match="not a readable fusion checkpoint"):
        load_fuser("msfam", checkpoint=checkpoint)
    assert not marker.exists()


def test_resume_refuses_a_crafted_training_state(crafted):
    _, state, marker = crafted
    with pytest.raises(Exception, match="Weights only load failed"):
        load_training_state(state)
    assert not marker.exists()


def test_a_truncated_checkpoint_is_named(tmp_path):
    from fusion.apis import save_fusion_checkpoint
    from fusion.registry import FUSION_MODELS

    cfg = dict(type="nestfuse", widths=(4, 6, 8, 10))
    path = tmp_path / "nestfuse.pth"
    save_fusion_checkpoint(path, FUSION_MODELS.build(cfg), cfg)
    path.write_bytes(path.read_bytes()[:200])  # a copy cut short
    with pytest.raises(ValueError, match=f"{path} is not a readable fusion checkpoint"):
        load_fuser("nestfuse", checkpoint=path)
