"""Correlation metrics: the correlation coefficient (CC) and the sum of the correlations of differences (SCD).

References: V. Aslantas and E. Bendes, "A new image quality metric for image fusion: the sum of the
correlations of differences", AEU 69(12), 2015 (SCD); Zhaozixiang1228/MMIF-CDDFuse
``utils/Evaluator.py`` and Linfeng-Tang Evaluation-for-Image-Fusion (MATLAB ``corr2``), which agree.
"""
from __future__ import annotations

import numpy as np

from .checks import as_image_triple, check_same_shape


def pearson(x: np.ndarray, y: np.ndarray) -> float:
    """Pearson correlation of two images over all pixels (MATLAB ``corr2``).

    ``r = sum((x - mean x)(y - mean y)) / sqrt(sum((x - mean x)^2) sum((y - mean y)^2))``; NaN when
    either image is constant (0 / 0), as in the references.

    Args:
        x: ``(H, W)`` image, [0, 255], HW.
        y: ``(H, W)`` image, [0, 255], HW.

    Returns:
        ``r`` in ``[-1, 1]``, or NaN.
    """
    x, y = check_same_shape(x, y)
    xc, yc = x - x.mean(), y - y.mean()
    denominator = np.sqrt((xc * xc).sum() * (yc * yc).sum())
    return float((xc * yc).sum() / denominator) if denominator > 0 else float("nan")


def cc(ir: np.ndarray, vis: np.ndarray, fused: np.ndarray) -> float:
    """CC: ``(r(A, F) + r(B, F)) / 2``, the mean correlation of the fused image with the sources.

    Args:
        ir: ``(H, W)`` infrared source ``A``, [0, 255], HW.
        vis: ``(H, W)`` visible source ``B``, [0, 255], HW.
        fused: ``(H, W)`` fused image ``F``, [0, 255], HW.

    Returns:
        CC in ``[-1, 1]`` (NaN when an image is constant).
    """
    a, b, f = as_image_triple(ir, vis, fused)
    return (pearson(a, f) + pearson(b, f)) / 2


def scd(ir: np.ndarray, vis: np.ndarray, fused: np.ndarray) -> float:
    """SCD: ``r(F - B, A) + r(F - A, B)``: how much of each source the fused image carries beyond the other.

    Args:
        ir: ``(H, W)`` infrared source ``A``, [0, 255], HW.
        vis: ``(H, W)`` visible source ``B``, [0, 255], HW.
        fused: ``(H, W)`` fused image ``F``, [0, 255], HW.

    Returns:
        SCD in ``[-2, 2]`` (NaN when a source or a difference image is constant).
    """
    a, b, f = as_image_triple(ir, vis, fused)
    return pearson(f - b, a) + pearson(f - a, b)
