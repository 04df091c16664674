"""Infrared target contrast loss: keep the local contrast of the warm targets that a pedestrian detector needs.

A stage-2 term of this project, not of the paper. It is the training-side form of the ITC metric
(:mod:`fusion.metrics.target_contrast`, same definitions of local contrast and targets) on a crop:

1. local contrast ``L_X = X - G_s * X`` (Gaussian surroundings, ``s = sigma_fraction * min(H, W)``,
   reflected borders);
2. targets ``T``: the ``top_fraction`` pixels of the crop with the largest positive ``L_I`` (the infrared
   image's brightest regions relative to their surroundings), chosen without gradient;
3. loss ``sum_T relu(L_I - L_F) / sum_T L_I`` per sample: the share of the targets' contrast the fused image
   loses (0 when it keeps or exceeds it, 0.5 for a pixel average over a flat visible background, 1 when
   the targets vanish). Only losses are penalised: stretching a target further is not pushed back.

Because ITC is also reported, a stage 2 trained with this term is partly scored on what it optimises; the
paper's six metrics, whose definitions it does not touch, show what it costs elsewhere (ablation row
"target contrast").
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from fusion.losses.utils import check_reduction, reduce_loss
from fusion.registry import LOSSES

#: Defaults shared with the ITC metric (fusion.metrics.target_contrast).
SIGMA_FRACTION = 1 / 32
TOP_FRACTION = 0.02
#: Local contrast (on [0, 1]) below which a pixel is not a target: float32 rounding of a flat crop.
MIN_CONTRAST = 1e-5


def gaussian_blur(image: torch.Tensor, sigma: float) -> torch.Tensor:
    """Separable Gaussian blur of ``(B, 1, H, W)``, radius ``ceil(4 sigma)`` (at most the side - 1), reflect."""
    radius = max(1, min(math.ceil(4 * sigma), image.shape[-1] - 1, image.shape[-2] - 1))
    offsets = torch.arange(-radius, radius + 1, device=image.device, dtype=image.dtype)
    kernel = torch.exp(-0.5 * (offsets / sigma) ** 2)
    kernel = kernel / kernel.sum()
    padded = F.pad(image, (radius, radius, radius, radius), mode="reflect")
    rows = F.conv2d(padded, kernel.view(1, 1, 1, -1))
    return F.conv2d(rows, kernel.view(1, 1, -1, 1))


def target_contrast_loss(ir: torch.Tensor, fused: torch.Tensor, sigma_fraction: float = SIGMA_FRACTION,
                         top_fraction: float = TOP_FRACTION, reduction: str = "mean") -> torch.Tensor:
    """The share of the infrared targets' local contrast lost in ``fused`` (see the module docstring).

    Args:
        ir, fused: ``(B, 1, H, W)`` in ``[0, 1]``.
        sigma_fraction: Gaussian scale of the surroundings as a fraction of ``min(H, W)``.
        top_fraction: fraction of the pixels taken as targets, in ``(0, 1]``.
        reduction: ``"none"`` (``(B,)``), ``"mean"`` or ``"sum"``.

    Returns:
        The loss; 0 for a sample whose infrared crop has no locally bright pixel.
    """
    if ir.shape != fused.shape or ir.dim() != 4 or ir.shape[1] != 1:
        raise ValueError(f"expected two (B, 1, H, W) tensors of one shape, got {tuple(ir.shape)} and "
                         f"{tuple(fused.shape)}")
    if not 0 < top_fraction <= 1:
        raise ValueError(f"top_fraction must be in (0, 1], got {top_fraction}")
    sigma = sigma_fraction * min(ir.shape[-2:])
    ir_contrast = (ir - gaussian_blur(ir, sigma)).flatten(1).detach()
    fused_contrast = (fused - gaussian_blur(fused, sigma)).flatten(1)
    count = max(1, round(top_fraction * ir_contrast.shape[1]))
    values, index = ir_contrast.topk(count, dim=1)
    weight = (values > MIN_CONTRAST).to(values.dtype)
    lost = F.relu(values - fused_contrast.gather(1, index)) * weight
    per_sample = lost.sum(dim=1) / (values * weight).sum(dim=1).clamp_min(1e-8)
    return reduce_loss(per_sample, check_reduction(reduction))


@LOSSES.register_module()
class TargetContrastLoss(nn.Module):
    """:func:`target_contrast_loss` as a module; ``forward(ir, fused)``."""

    def __init__(self, sigma_fraction: float = SIGMA_FRACTION, top_fraction: float = TOP_FRACTION,
                 reduction: str = "mean") -> None:
        super().__init__()
        self.sigma_fraction = sigma_fraction
        self.top_fraction = top_fraction
        self.reduction = check_reduction(reduction)

    def forward(self, ir: torch.Tensor, fused: torch.Tensor) -> torch.Tensor:
        return target_contrast_loss(ir, fused, self.sigma_fraction, self.top_fraction, self.reduction)
