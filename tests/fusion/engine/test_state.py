"""Training state helpers: RNG states survive a weights-only round trip; saves are atomic."""
from __future__ import annotations

import random

import numpy as np
import pytest
import torch

from fusion.engine.state import load_training_state, restore_rng_state, rng_state, save_atomic, seed_everything


def _draws():
    return random.random(), float(np.random.rand()), float(torch.rand(()))


def test_rng_state_round_trip_through_a_weights_only_file(tmp_path):
    seed_everything(3)
    _draws()
    save_atomic({"rng": rng_state()}, tmp_path / "s.pth")
    expected = _draws()
    _draws()
    restore_rng_state(torch.load(tmp_path / "s.pth", weights_only=True)["rng"])
    assert _draws() == expected


def test_save_is_atomic_and_state_is_checked(tmp_path):
    path = tmp_path / "last.pth"
    save_atomic({"model": {}, "optimizer": {}, "iteration": 3}, path)
    assert not (tmp_path / "last.pth.tmp").exists()
    assert load_training_state(path)["iteration"] == 3
    save_atomic({"weights": 1}, tmp_path / "other.pth")
    with pytest.raises(ValueError, match="not a training state"):
        load_training_state(tmp_path / "other.pth")
    with pytest.raises(FileNotFoundError, match="resume"):
        load_training_state(tmp_path / "missing.pth")
