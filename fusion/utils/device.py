"""The one place a device name becomes a ``torch.device``."""
from __future__ import annotations

import os

import torch


def resolve_device(device: str | torch.device | None = None) -> torch.device:
    """The device to run on.

    ``None`` or ``"auto"``: the first CUDA device when one is available, else the CPU. ``"cuda"`` under
    ``torchrun`` (environment ``LOCAL_RANK``): this process's GPU, ``cuda:$LOCAL_RANK``. Anything else is
    kept as given (``cpu``, ``cuda:1``, ``mps``, ...).
    """
    if device is None or device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device == "cuda" and "LOCAL_RANK" in os.environ:
        return torch.device("cuda", int(os.environ["LOCAL_RANK"]))
    return torch.device(device)
