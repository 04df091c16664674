"""Training-free fusion baselines, registered in ``FUSION_MODELS``: ``average``, ``tif``, ``laplacian``.

Each is a parameter-free ``nn.Module`` following the fusion-method contract: ``forward(vis, ir)`` with
``(B, 1, H, W)`` tensors in ``[0, 1]`` returns the fused ``(B, 1, H, W)`` image on the same scale, not
clipped. Pure torch: they batch on any device and take any size. Importing this module registers all three
(the Laplacian pyramid lives in :mod:`fusion.models.classical_laplacian`).
"""
from __future__ import annotations

import torch
from torch import nn

from fusion.models.classical_laplacian import LaplacianFusion
from fusion.ops.filters import box_filter, check_fusion_inputs, median_filter
from fusion.registry import FUSION_MODELS

__all__ = ["AverageFusion", "TIFFusion", "LaplacianFusion"]


@FUSION_MODELS.register_module(name="average")
class AverageFusion(nn.Module):
    """Pixel-wise arithmetic mean ``(vis + ir) / 2``.

    Shape:
        - vis, ir: ``(B, 1, H, W)`` in ``[0, 1]``.
        - output: ``(B, 1, H, W)``.
    """

    def forward(self, vis: torch.Tensor, ir: torch.Tensor) -> torch.Tensor:
        check_fusion_inputs(vis, ir)
        return (vis + ir) / 2


@FUSION_MODELS.register_module(name="tif")
class TIFFusion(nn.Module):
    """Two-scale image fusion (TIF) with mean-minus-median saliency weights.

    D. P. Bavirisetti and R. Dhuli, "Two-scale image fusion of visible and infrared images using saliency
    detection", Infrared Physics & Technology 76, 2016 (https://doi.org/10.1016/j.infrared.2016.01.009).

    * base ``B = mean_{base_size}(I)``, detail ``D = I - B``;
    * saliency ``S = |mean_{saliency_mean_size}(I) - median_{saliency_median_size}(I)|``;
    * detail weights ``w_vis = S_vis / (S_vis + S_ir)``, ``w_ir = 1 - w_vis`` (0.5 each where both are 0);
    * fused ``= (B_vis + B_ir) / 2 + w_vis D_vis + w_ir D_ir``.

    Defaults (35, 35, 3) follow the public TIF implementations (a MATLAB one with
    ``imfilter(I, fspecial('average', 35), 'replicate')`` and ``medfilt2(I, [3 3])``, Python ones with
    ``cv2.blur(I, (35, 35))`` and ``cv2.medianBlur(I, 3)``): a 35x35 mean for the base layer and for the
    saliency, a 3x3 median; all three sizes are configurable.
    Borders: every filter pads by replicating the edge pixels (MATLAB ``imfilter(..., 'replicate')``,
    OpenCV ``BORDER_REPLICATE``), which also serves images smaller than the window.
    Fusing an image with itself returns it (up to rounding).

    Args:
        base_size: odd side of the mean filter of the base layer.
        saliency_mean_size: odd side of the mean filter of the saliency map.
        saliency_median_size: odd side of the median filter of the saliency map (memory grows with its
            square: 9 image copies for 3).

    Shape:
        - vis, ir: ``(B, 1, H, W)`` in ``[0, 1]``.
        - output: ``(B, 1, H, W)``, not clipped.
    """

    def __init__(self, base_size: int = 35, saliency_mean_size: int = 35, saliency_median_size: int = 3) -> None:
        super().__init__()
        for name, size in (("base_size", base_size), ("saliency_mean_size", saliency_mean_size),
                           ("saliency_median_size", saliency_median_size)):
            if size < 1 or size % 2 == 0:
                raise ValueError(f"{name} must be a positive odd integer, got {size}")
        self.base_size = base_size
        self.saliency_mean_size = saliency_mean_size
        self.saliency_median_size = saliency_median_size

    def saliency(self, image: torch.Tensor) -> torch.Tensor:
        """Saliency map ``|mean(I) - median(I)|`` of a ``(B, 1, H, W)`` image."""
        mean = box_filter(image, self.saliency_mean_size)
        return (mean - median_filter(image, self.saliency_median_size)).abs()

    def forward(self, vis: torch.Tensor, ir: torch.Tensor) -> torch.Tensor:
        check_fusion_inputs(vis, ir)
        base_vis, base_ir = box_filter(vis, self.base_size), box_filter(ir, self.base_size)
        sal_vis, sal_ir = self.saliency(vis), self.saliency(ir)
        total = sal_vis + sal_ir
        w_vis = torch.where(total > 0, sal_vis / torch.where(total > 0, total, torch.ones_like(total)),
                            torch.full_like(total, 0.5))
        return (base_vis + base_ir) / 2 + w_vis * (vis - base_vis) + (1 - w_vis) * (ir - base_ir)
