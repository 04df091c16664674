"""Reduction of per-sample loss values, shared by every loss of the package (mmdet/kornia style)."""
from __future__ import annotations

import torch

REDUCTIONS = ("none", "mean", "sum")


def check_reduction(reduction: str) -> str:
    """Return ``reduction`` if it is one of :data:`REDUCTIONS`, else raise a ``ValueError``."""
    if reduction not in REDUCTIONS:
        raise ValueError(f"reduction must be one of {REDUCTIONS}, got {reduction!r}")
    return reduction


def reduce_loss(per_sample: torch.Tensor, reduction: str) -> torch.Tensor:
    """Reduce a ``(B,)`` tensor of per-sample losses: ``"none"`` keeps it, ``"mean"``/``"sum"`` over the batch."""
    check_reduction(reduction)
    if reduction == "mean":
        return per_sample.mean()
    if reduction == "sum":
        return per_sample.sum()
    return per_sample
