"""Training state helpers: RNG states survive a weights-only round trip; saves are atomic and keep the previous
state; a damaged or missing ``last.pth`` falls back to it; a full disk leaves both files as they were."""
from __future__ import annotations

import errno
import random

import numpy as np
import pytest
import torch

from fusion.engine import state as state_module
from fusion.engine.state import (load_latest_training_state, load_training_state, previous_path, restore_rng_state,
                                 rng_state, save_state_keeping_previous, seed_everything)


def _draws():
    return random.random(), float(np.random.rand()), float(torch.rand(()))


def _state(iteration: int) -> dict:
    return {"model": {}, "optimizer": {}, "iteration": iteration}


def test_rng_state_round_trip_through_a_weights_only_file(tmp_path):
    seed_everything(3)
    _draws()
    save_state_keeping_previous({"rng": rng_state()}, tmp_path / "s.pth")
    expected = _draws()
    _draws()
    restore_rng_state(torch.load(tmp_path / "s.pth", weights_only=True)["rng"])
    assert _draws() == expected


def test_save_keeps_the_previous_state_and_leaves_no_temporary(tmp_path):
    path = tmp_path / "last.pth"
    save_state_keeping_previous(_state(3), path)
    save_state_keeping_previous(_state(6), path)
    assert previous_path(path) == tmp_path / "last.prev.pth"
    assert load_training_state(path)["iteration"] == 6 and load_training_state(previous_path(path))["iteration"] == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["last.prev.pth", "last.pth"]


def test_state_is_checked(tmp_path):
    torch.save({"weights": 1}, tmp_path / "other.pth")
    with pytest.raises(ValueError, match="not a training state"):
        load_training_state(tmp_path / "other.pth")
    with pytest.raises(FileNotFoundError, match="resume"):
        load_training_state(tmp_path / "missing.pth")


def test_a_damaged_last_state_falls_back_to_the_previous_one(tmp_path):
    path = tmp_path / "last.pth"
    save_state_keeping_previous(_state(3), path)
    save_state_keeping_previous(_state(6), path)
    path.write_bytes(path.read_bytes()[:100])  # truncated, as by a full disk or an interrupted copy
    state, source, passed_over = load_latest_training_state(path)
    assert state["iteration"] == 3 and source == previous_path(path)
    assert len(passed_over) == 1 and f"{path} is damaged" in passed_over[0]


def test_a_missing_last_state_falls_back_too(tmp_path):
    path = tmp_path / "last.pth"
    save_state_keeping_previous(_state(3), path)
    save_state_keeping_previous(_state(6), path)
    path.unlink()  # killed between the two renames
    assert load_latest_training_state(path)[0]["iteration"] == 3


def test_no_intact_state_names_every_file(tmp_path):
    path = tmp_path / "last.pth"
    path.write_bytes(b"not a zip")
    with pytest.raises(ValueError, match=r"last\.pth is damaged.*No intact training state is left"):
        load_latest_training_state(path)
    previous_path(path).write_bytes(b"also not")
    with pytest.raises(ValueError, match=r"last\.prev\.pth is damaged"):
        load_latest_training_state(path)


def test_a_full_disk_leaves_both_states_as_they_were(tmp_path, monkeypatch):
    path = tmp_path / "last.pth"
    save_state_keeping_previous(_state(3), path)
    save_state_keeping_previous(_state(6), path)
    before = path.read_bytes(), previous_path(path).read_bytes()

    def disk_full(obj, target):
        with open(target, "wb") as handle:
            handle.write(b"partial")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(state_module.torch, "save", disk_full)
    with pytest.raises(OSError, match="No space left"):
        save_state_keeping_previous(_state(9), path)
    assert (path.read_bytes(), previous_path(path).read_bytes()) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["last.prev.pth", "last.pth"]
