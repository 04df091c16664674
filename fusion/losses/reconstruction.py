"""Stage-1 reconstruction loss of MSFAM: ``L1 + alpha1 (1 - SSIM)``, alpha1 = 0.84.

MSFAM, "A Multi-Stage Visible and Infrared Image Fusion Network Based on Attention Mechanism", Sensors 2022,
Sec. 3.3, Eq. 1 (0.84 "chosen according to [39]"; it is the weight of H. Zhao et al., "Loss functions for
image restoration with neural networks", IEEE TCI 2017).
"""
from __future__ import annotations

import torch
from torch import nn

from fusion.losses.ssim import ssim_per_sample
from fusion.losses.utils import check_reduction, reduce_loss
from fusion.registry import LOSSES


def reconstruction_loss(
    output: torch.Tensor,
    target: torch.Tensor,
    alpha1: float = 0.84,
    win_size: int = 11,
    win_sigma: float = 1.5,
    reduction: str = "mean",
) -> torch.Tensor:
    """``mean|O - I| + alpha1 (1 - SSIM(O, I))`` per sample, then reduced over the batch.

    Args:
        output: reconstructed image ``O``, ``(B, C, H, W)`` in ``[0, 1]``.
        target: input image ``I``, same shape.
        alpha1: weight of the SSIM term.
        win_size: odd SSIM window side; the image sides must be at least this (11 for 320x256 crops,
            smaller for tiny test inputs).
        win_sigma: SSIM Gaussian standard deviation.
        reduction: ``"none"`` (``(B,)``), ``"mean"`` or ``"sum"``.

    Returns:
        The loss, ``0`` where ``output == target``.
    """
    l1 = (output - target).abs().flatten(1).mean(dim=1)
    per_sample = l1 + alpha1 * (1 - ssim_per_sample(output, target, win_size, win_sigma))
    return reduce_loss(per_sample, reduction)


@LOSSES.register_module()
class ReconstructionLoss(nn.Module):
    """Module form of :func:`reconstruction_loss`, times ``loss_weight``.

    Args:
        alpha1: weight of the SSIM term (the paper's ``alpha_1``).
        win_size: odd SSIM window side.
        win_sigma: SSIM Gaussian standard deviation.
        loss_weight: factor on the result.
        reduction: ``"none"``, ``"mean"`` or ``"sum"`` over the batch.

    Shape:
        - output, target: ``(B, C, H, W)`` in ``[0, 1]``, ``H, W >= win_size``.
        - result: scalar, or ``(B,)`` with ``reduction="none"``.
    """

    def __init__(self, alpha1: float = 0.84, win_size: int = 11, win_sigma: float = 1.5,
                 loss_weight: float = 1.0, reduction: str = "mean") -> None:
        super().__init__()
        self.alpha1 = alpha1
        self.win_size = win_size
        self.win_sigma = win_sigma
        self.loss_weight = loss_weight
        self.reduction = check_reduction(reduction)

    def forward(self, output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return self.loss_weight * reconstruction_loss(output, target, self.alpha1, self.win_size,
                                                      self.win_sigma, self.reduction)
