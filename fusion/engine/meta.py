"""Provenance of a training run: code version, library versions and device, for checkpoint metadata."""
from __future__ import annotations

import math
import numbers
import platform
from typing import Any

import numpy as np
import torch

from .. import __version__
from ..utils.provenance import git_commit


def run_environment(device: torch.device) -> dict[str, str | None]:
    """Versions and device of this run, as plain strings."""
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else platform.processor() or platform.machine()
    return {
        "git_commit": git_commit(),
        "fusion_version": __version__,
        "torch_version": torch.__version__,
        "python_version": platform.python_version(),
        "device": str(device),
        "device_name": name,
    }


def to_plain(value: Any) -> Any:
    """Copy of ``value`` made of built-in types only: ``dict`` (string keys), ``list``, ``str``, ``int``,
    ``float``, ``bool``, ``None``.

    NaN/inf become None, tuples lists, subclasses (``TorchVersion``, NumPy scalars, ``ConfigDict``) their
    base type, and other objects their string. Checkpoint metadata built from it loads with
    ``torch.load(weights_only=True)`` and dumps as JSON.
    """
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str):
        return str(value)
    if isinstance(value, dict):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    return None if value is None else str(value)
