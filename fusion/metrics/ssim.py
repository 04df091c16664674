"""SSIM and MS-SSIM of the fused image against each source, computed with pytorch-msssim in float64.

References: Z. Wang et al., "Image quality assessment: from error visibility to structural similarity",
IEEE TIP 13(4), 2004; Z. Wang, E. P. Simoncelli and A. C. Bovik, "Multiscale structural similarity for
image quality assessment", Asilomar 2003; the implementation is pytorch-msssim
(https://github.com/VainF/pytorch-msssim), which matches scikit-image's ``structural_similarity`` with
``gaussian_weights=True, sigma=1.5, use_sample_covariance=False, data_range=255``.

Combination over the two sources: the MSFAM paper's Eq. 9 and Tang's toolbox take the MEAN
(``reduction="mean"``); CDDFuse ``utils/Evaluator.py`` and VIFB ``metricsSsim.m`` report the SUM.
"""
from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
import torch
import torch.nn.functional as F
from pytorch_msssim import ssim as _pytorch_ssim
from pytorch_msssim.ssim import _ssim as _ssim_and_contrast_structure

from .checks import as_image_triple, check_same_shape

DATA_RANGE = 255.0
WINDOW_SIZE = 11
WINDOW_SIGMA = 1.5
MS_SSIM_WEIGHTS = (0.0448, 0.2856, 0.3001, 0.2363, 0.1333)


def _window(dtype: torch.dtype) -> torch.Tensor:
    """The ``(1, 1, 1, 11)`` Gaussian window (sigma 1.5) in ``dtype`` (pytorch-msssim builds float32 ones)."""
    x = torch.arange(WINDOW_SIZE, dtype=dtype) - WINDOW_SIZE // 2
    window = torch.exp(-x * x / (2 * WINDOW_SIGMA ** 2))
    return (window / window.sum()).view(1, 1, 1, -1)


def _as_tensors(x: np.ndarray, y: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
    """Check a pair and return it as float64 ``(1, 1, H, W)`` tensors."""
    x, y = check_same_shape(x, y)
    if min(x.shape) < WINDOW_SIZE:
        raise ValueError(f"SSIM needs images of at least {WINDOW_SIZE}x{WINDOW_SIZE} pixels, got {x.shape}")
    return torch.from_numpy(np.ascontiguousarray(x))[None, None], torch.from_numpy(np.ascontiguousarray(y))[None, None]


def ssim_index(x: np.ndarray, y: np.ndarray) -> float:
    """Mean SSIM of two greyscale images: 11x11 Gaussian window, sigma 1.5, K = (0.01, 0.03), L = 255.

    Computed on the 'valid' region (no padding), in float64.

    Args:
        x: ``(H, W)`` image, [0, 255], HW; at least 11 x 11.
        y: ``(H, W)`` image, [0, 255], HW.

    Returns:
        SSIM in ``[-1, 1]``, 1 for identical images.
    """
    x_t, y_t = _as_tensors(x, y)
    return _pytorch_ssim(x_t, y_t, data_range=DATA_RANGE, win=_window(x_t.dtype)).item()


def ms_ssim_levels(height: int, width: int) -> int:
    """Number of MS-SSIM scales an image allows: the coarsest scale must still hold an 11 x 11 window.

    Sides are halved with ceiling (pytorch-msssim pads odd sides), so 5 scales need a smaller side
    above 160 pixels, as pytorch-msssim asserts.
    """
    side, levels = min(height, width), 0
    while side >= WINDOW_SIZE and levels < len(MS_SSIM_WEIGHTS):
        levels, side = levels + 1, (side + 1) // 2
    return levels


def ms_ssim_index(x: np.ndarray, y: np.ndarray) -> float:
    """MS-SSIM of two greyscale images: 5 scales, weights 0.0448, 0.2856, 0.3001, 0.2363, 0.1333.

    ``prod_{j<M} relu(cs_j)^{w_j} * relu(ssim_M)^{w_M}``, 2x2 average pooling between scales, 11x11
    Gaussian window sigma 1.5, L = 255: pytorch-msssim's ``ms_ssim`` in float64. Images whose smaller
    side is 160 pixels or less (where pytorch-msssim refuses) are scored on the scales they allow
    (:func:`ms_ssim_levels`) with the leading weights renormalised to sum 1, and a warning is issued:
    such values are not comparable with 5-scale MS-SSIM. All fusion test sets (TNO, RoadScene, MSRS,
    LLVIP, KAIST) are large enough for 5 scales.

    Args:
        x: ``(H, W)`` image, [0, 255], HW; at least 11 x 11.
        y: ``(H, W)`` image, [0, 255], HW.

    Returns:
        MS-SSIM in ``[0, 1]``, 1 for identical images.
    """
    x_t, y_t = _as_tensors(x, y)
    levels = ms_ssim_levels(*x_t.shape[-2:])
    weights = torch.tensor(MS_SSIM_WEIGHTS[:levels], dtype=x_t.dtype)
    if levels < len(MS_SSIM_WEIGHTS):
        warnings.warn(f"MS-SSIM on {tuple(x_t.shape[-2:])} images uses {levels} of {len(MS_SSIM_WEIGHTS)} scales "
                      "(smaller side <= 160) with renormalised weights; not comparable with 5-scale values",
                      stacklevel=2)
        weights = weights / weights.sum()
    window = _window(x_t.dtype)
    factors = []
    for level in range(levels):
        ssim_value, contrast_structure = _ssim_and_contrast_structure(x_t, y_t, data_range=DATA_RANGE, win=window)
        if level < levels - 1:
            factors.append(torch.relu(contrast_structure))
            padding = [side % 2 for side in x_t.shape[-2:]]
            x_t = F.avg_pool2d(x_t, kernel_size=2, padding=padding)
            y_t = F.avg_pool2d(y_t, kernel_size=2, padding=padding)
    factors.append(torch.relu(ssim_value))
    return torch.prod(torch.stack(factors).flatten() ** weights).item()


def _combine(ir: np.ndarray, vis: np.ndarray, fused: np.ndarray, index: Callable[[np.ndarray, np.ndarray], float],
             reduction: str) -> float:
    """``index(A, F)`` and ``index(B, F)`` combined by their mean or sum."""
    if reduction not in ("mean", "sum"):
        raise ValueError(f"reduction must be 'mean' or 'sum', got {reduction!r}")
    a, b, f = as_image_triple(ir, vis, fused)
    total = index(a, f) + index(b, f)
    return total / 2 if reduction == "mean" else total


def ssim(ir: np.ndarray, vis: np.ndarray, fused: np.ndarray, reduction: str = "mean") -> float:
    """SSIM of the fused image against the two sources: mean (paper Eq. 9, Tang) or sum (CDDFuse, VIFB).

    Args:
        ir: ``(H, W)`` infrared source ``A``, [0, 255], HW.
        vis: ``(H, W)`` visible source ``B``, [0, 255], HW.
        fused: ``(H, W)`` fused image ``F``, [0, 255], HW.
        reduction: ``"mean"``: ``(SSIM(A, F) + SSIM(B, F)) / 2``; ``"sum"``: ``SSIM(A, F) + SSIM(B, F)``.

    Returns:
        The combined SSIM.
    """
    return _combine(ir, vis, fused, ssim_index, reduction)


def ms_ssim(ir: np.ndarray, vis: np.ndarray, fused: np.ndarray, reduction: str = "mean") -> float:
    """MS-SSIM of the fused image against the two sources, ``(MS-SSIM(A, F) + MS-SSIM(B, F)) / 2`` by default.

    Args:
        ir: ``(H, W)`` infrared source ``A``, [0, 255], HW.
        vis: ``(H, W)`` visible source ``B``, [0, 255], HW.
        fused: ``(H, W)`` fused image ``F``, [0, 255], HW.
        reduction: ``"mean"`` (paper Eq. 9) or ``"sum"``.

    Returns:
        The combined MS-SSIM.
    """
    return _combine(ir, vis, fused, ms_ssim_index, reduction)
