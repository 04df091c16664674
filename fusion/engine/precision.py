"""Mixed precision: autocast of the network forward passes, and the gradient scaler fp16 needs.

Only the networks run under autocast; the tasks cast their outputs to float32 before the losses, so
SSIM/MS-SSIM, the edge-preservation maps and the metrics are computed in float32 whatever the setting.
bfloat16 (the default) has float32's exponent range and needs no loss scaling; float16 on CUDA gets a
``GradScaler``.
"""
from __future__ import annotations

import contextlib
from collections.abc import Callable
from contextlib import AbstractContextManager

import torch

DTYPES = {"bfloat16": torch.bfloat16, "float16": torch.float16}

Autocast = Callable[[], AbstractContextManager]


def make_autocast(device: torch.device, enabled: bool = False, dtype: str = "bfloat16") -> Autocast:
    """A factory of autocast contexts for ``device`` (a null context when disabled).

    Args:
        device: where the networks run.
        enabled: use mixed precision.
        dtype: ``"bfloat16"`` or ``"float16"``.

    Returns:
        A callable returning a fresh context manager at each call.
    """
    if dtype not in DTYPES:
        raise ValueError(f"amp dtype must be one of {tuple(DTYPES)}, got {dtype!r}")
    if not enabled:
        return contextlib.nullcontext
    return lambda: torch.autocast(device_type=device.type, dtype=DTYPES[dtype])


def make_grad_scaler(device: torch.device, enabled: bool = False, dtype: str = "bfloat16") -> torch.amp.GradScaler:
    """A ``GradScaler`` that is active only for float16 autocast on CUDA (a no-op otherwise)."""
    return torch.amp.GradScaler(device.type, enabled=enabled and dtype == "float16" and device.type == "cuda")
