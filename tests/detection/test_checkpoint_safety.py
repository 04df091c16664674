"""Local checkpoints load weights-only; one that would run code is refused unless the user trusts it."""
from __future__ import annotations

import builtins
import pickle

import pytest
import torch
from mmengine.logging import HistoryBuffer
from mmengine.runner import load_checkpoint

from detection.checkpoint import (TRUST_ENV, UntrustedCheckpointError, _allowed_names, _history_buffer_statistic,
                                  apply_trust_argument, checkpoints_trusted, load_local_checkpoint,
                                  safe_checkpoint_globals)
from detection.runs.config import build_parser


@pytest.fixture
def crafted_checkpoint(tmp_path, code_running_payload):
    payload, marker = code_running_payload
    path = tmp_path / "crafted.pth"
    torch.save({"state_dict": {"w": torch.zeros(1)}, "meta": {"payload": payload}}, path)
    return path, marker


def test_crafted_checkpoint_does_not_run_by_default(crafted_checkpoint, monkeypatch):
    path, marker = crafted_checkpoint
    monkeypatch.delenv(TRUST_ENV, raising=False)
    with pytest.raises(UntrustedCheckpointError) as refusal:
        load_checkpoint(torch.nn.Linear(1, 1), str(path), map_location="cpu")
    message = str(refusal.value)
    assert str(path) in message and "asks for io.open" in message
    assert "--trust-checkpoint" in message and TRUST_ENV in message
    assert not marker.exists()


def test_crafted_checkpoint_runs_only_when_trusted(crafted_checkpoint, monkeypatch):
    path, marker = crafted_checkpoint
    monkeypatch.setenv(TRUST_ENV, "1")
    with pytest.warns(UserWarning, match="full unpickler"):
        checkpoint = load_local_checkpoint(str(path), map_location="cpu")
    checkpoint["meta"]["payload"].close()
    assert marker.exists()


def test_the_getattr_stand_in_fetches_only_history_buffer_statistics():
    assert _history_buffer_statistic(HistoryBuffer, "mean") is HistoryBuffer.mean
    with pytest.raises(pickle.UnpicklingError, match="refused"):
        _history_buffer_statistic(HistoryBuffer, "__init__")
    with pytest.raises(pickle.UnpicklingError, match="refused"):
        _history_buffer_statistic(builtins, "eval")


def test_getattr_of_anything_else_in_a_checkpoint_is_refused(tmp_path, monkeypatch):
    """A pickle asking for ``getattr(HistoryBuffer, '__init__')`` meets the stand-in, not the real getattr."""
    monkeypatch.delenv(TRUST_ENV, raising=False)
    path = tmp_path / "getattr.pth"

    class FetchesInit:
        def __reduce__(self):
            return getattr, (HistoryBuffer, "__init__")

    torch.save({"x": FetchesInit()}, path)
    with pytest.raises(UntrustedCheckpointError):
        load_local_checkpoint(str(path))


def test_numpy_and_history_buffer_state_load_weights_only(tmp_path, monkeypatch):
    """What mmengine's message hub saves (HistoryBuffer, numpy arrays, scalars, dtypes) is on the allow-list."""
    monkeypatch.delenv(TRUST_ENV, raising=False)
    import numpy as np

    history = HistoryBuffer()
    history.update(0.5)
    state = {"hub": {"loss": history, "eta": np.float64(3.0), "ids": np.arange(3, dtype=np.int32),
                     "flags": np.array([True, False]), "names": np.array(["a", "bc"])}}
    path = tmp_path / "hub.pth"
    torch.save(state, path)
    loaded = load_local_checkpoint(str(path))["hub"]
    assert loaded["loss"].mean() == 0.5 and loaded["eta"] == 3.0
    assert loaded["ids"].dtype == np.int32 and loaded["names"].tolist() == ["a", "bc"]


def test_allow_list_holds_no_general_purpose_callable():
    names = _allowed_names()
    assert "builtins.getattr" in names  # present, but bound to the stand-in
    assert not {"builtins.eval", "builtins.exec", "builtins.open", "os.system", "posix.system"} & names
    real_getattr = [item for item in safe_checkpoint_globals() if isinstance(item, tuple) and item[0] is getattr]
    assert real_getattr == []


def test_tools_take_trust_checkpoint(monkeypatch):
    monkeypatch.setenv(TRUST_ENV, "0")
    parser = build_parser("test", "tools/test_det.py")
    apply_trust_argument(parser.parse_args(["gflv2_fused.py"]))
    assert not checkpoints_trusted()
    apply_trust_argument(parser.parse_args(["gflv2_fused.py", "--trust-checkpoint"]))
    assert checkpoints_trusted()
