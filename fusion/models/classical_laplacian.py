"""Laplacian-pyramid fusion, the classical multi-scale baseline.

P. J. Burt and E. H. Adelson, "The Laplacian pyramid as a compact image code", IEEE Transactions on
Communications 31(4), 1983 (https://doi.org/10.1109/TCOM.1983.1095851); the choose-max rule for fusion:
P. J. Burt and R. J. Kolczynski, "Enhanced image capture through fusion", ICCV 1993.
"""
from __future__ import annotations

import torch
from torch import nn

from fusion.ops.filters import box_filter, check_fusion_inputs, pyr_down, pyr_up
from fusion.registry import FUSION_MODELS


def max_pyramid_levels(height: int, width: int) -> int:
    """Number of :func:`pyr_down` steps an ``height x width`` image allows (each input needs sides >= 3)."""
    levels = 0
    while min(height, width) >= 3:
        height, width = (height + 1) // 2, (width + 1) // 2
        levels += 1
    return levels


def laplacian_pyramid(image: torch.Tensor, levels: int) -> list[torch.Tensor]:
    """Laplacian pyramid: ``levels`` band-pass images, finest first, then the coarsest Gaussian level.

    Args:
        image: ``(B, C, H, W)`` tensor.
        levels: number of downsampling steps, at most :func:`max_pyramid_levels`.

    Returns:
        ``levels + 1`` tensors; band ``i`` has the size of Gaussian level ``i``, so odd sizes reconstruct
        exactly with :func:`collapse_laplacian_pyramid`.
    """
    if not 0 <= levels <= max_pyramid_levels(*image.shape[-2:]):
        raise ValueError(f"{levels} levels do not fit an image of size {tuple(image.shape[-2:])}")
    gaussian = [image]
    for _ in range(levels):
        gaussian.append(pyr_down(gaussian[-1]))
    bands = [fine - pyr_up(coarse, fine.shape[-2:]) for fine, coarse in zip(gaussian[:-1], gaussian[1:])]
    return bands + [gaussian[-1]]


def collapse_laplacian_pyramid(pyramid: list[torch.Tensor]) -> torch.Tensor:
    """Inverse of :func:`laplacian_pyramid`: upsample from the coarsest level and add each band."""
    image = pyramid[-1]
    for band in reversed(pyramid[:-1]):
        image = band + pyr_up(image, band.shape[-2:])
    return image


@FUSION_MODELS.register_module(name="laplacian")
class LaplacianFusion(nn.Module):
    """Laplacian-pyramid fusion: average the coarsest level, keep the larger-activity band coefficient.

    Activity is ``|coefficient|`` (``activity_window = 1``, the classical choose-max rule) or its mean over
    an ``activity_window``-sided window (replicate borders); ties keep the visible coefficient. Fusing an
    image with itself returns it (up to rounding): the pyramid reconstructs exactly at any size.

    Args:
        num_levels: downsampling steps; ``None`` or more than the image allows means as many as it allows
            (:func:`max_pyramid_levels`).
        activity_window: odd window side of the activity measure.

    Shape:
        - vis, ir: ``(B, 1, H, W)`` in ``[0, 1]``.
        - output: ``(B, 1, H, W)``, not clipped.
    """

    def __init__(self, num_levels: int | None = 4, activity_window: int = 1) -> None:
        super().__init__()
        if num_levels is not None and num_levels < 0:
            raise ValueError(f"num_levels must be >= 0 or None, got {num_levels}")
        if activity_window < 1 or activity_window % 2 == 0:
            raise ValueError(f"activity_window must be a positive odd integer, got {activity_window}")
        self.num_levels = num_levels
        self.activity_window = activity_window

    def _activity(self, band: torch.Tensor) -> torch.Tensor:
        if self.activity_window == 1:
            return band.abs()
        return box_filter(band.abs(), self.activity_window)

    def forward(self, vis: torch.Tensor, ir: torch.Tensor) -> torch.Tensor:
        check_fusion_inputs(vis, ir)
        allowed = max_pyramid_levels(*vis.shape[-2:])
        levels = allowed if self.num_levels is None else min(self.num_levels, allowed)
        pyr_vis, pyr_ir = laplacian_pyramid(vis, levels), laplacian_pyramid(ir, levels)
        fused = [torch.where(self._activity(b_vis) >= self._activity(b_ir), b_vis, b_ir)
                 for b_vis, b_ir in zip(pyr_vis[:-1], pyr_ir[:-1])]
        fused.append((pyr_vis[-1] + pyr_ir[-1]) / 2)
        return collapse_laplacian_pyramid(fused)
