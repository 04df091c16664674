"""resolve_device: auto, torchrun's local rank, names kept."""
import torch

from fusion.utils.device import resolve_device


def test_auto_and_names(monkeypatch):
    monkeypatch.delenv("LOCAL_RANK", raising=False)
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert resolve_device(None).type == resolve_device("auto").type == expected
    assert resolve_device("cpu") == torch.device("cpu") and resolve_device("cuda:1") == torch.device("cuda", 1)
    assert resolve_device("cuda") == torch.device("cuda")


def test_cuda_under_torchrun_is_the_local_rank(monkeypatch):
    monkeypatch.setenv("LOCAL_RANK", "3")
    assert resolve_device("cuda") == torch.device("cuda", 3)
    assert resolve_device("cuda:0") == torch.device("cuda", 0)
