"""Information-theory metrics: entropy (EN) of the fused image and mutual information (MI) with the sources.

Images are quantised to 256 grey levels by rounding to the nearest integer and clipping to [0, 255]
(what saving to 8-bit does, and what MATLAB's ``entropy``/``im2uint8`` do in Tang's toolbox). Images read
from 8-bit files are already integers, so for them the quantisation changes nothing and the values
equal those of CDDFuse ``utils/Evaluator.py`` (which bins the raw values).

References:
    * Linfeng-Tang/Evaluation-for-Image-Fusion (MATLAB): ``entropy`` and ``analysis_MI``, in bits.
    * Zhaozixiang1228/MMIF-CDDFuse ``utils/Evaluator.py``: ``EN`` in bits, ``MI`` via
      ``sklearn.metrics.mutual_info_score``, in nats.
    * VIFB ``metricsMutinf.m``: nats, after min-max stretching each image (not reproduced here).
"""
from __future__ import annotations

import numpy as np

from .checks import as_gray_image, check_same_shape

GRAY_LEVELS = 256


def gray_levels(image: np.ndarray) -> np.ndarray:
    """Quantise a float image to the integer grey levels 0..255 (round half to even, then clip).

    Args:
        image: ``(H, W)`` float64 image on the 0..255 scale.

    Returns:
        ``(H, W)`` int64 array of levels in ``[0, 255]``.
    """
    return np.clip(np.rint(image), 0, GRAY_LEVELS - 1).astype(np.int64)


def _entropy_of_counts(counts: np.ndarray, base: float) -> float:
    """Shannon entropy ``-sum p log p`` of a histogram of counts (empty bins contribute 0)."""
    p = counts[counts > 0] / counts.sum()
    return float(-(p * np.log(p)).sum() / np.log(base))


def entropy(fused: np.ndarray) -> float:
    """EN: Shannon entropy of the fused image's 256-bin grey-level histogram, in bits.

    ``EN = -sum_l p_l log2 p_l`` with ``p_l`` the fraction of pixels at level ``l`` of ``round(F)``
    clipped to [0, 255]. Range ``[0, 8]``; 0 for a constant image.

    Args:
        fused: ``(H, W)`` greyscale image, [0, 255], HW (uint8 or float).

    Returns:
        The entropy in bits.
    """
    levels = gray_levels(as_gray_image(fused, "fused"))
    return _entropy_of_counts(np.bincount(levels.ravel(), minlength=GRAY_LEVELS), 2.0)


def joint_histogram(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """256 x 256 joint histogram of the grey levels of two images.

    Args:
        x: ``(H, W)`` image, [0, 255].
        y: ``(H, W)`` image, [0, 255].

    Returns:
        ``(256, 256)`` int64 counts, ``h[i, j]`` = number of pixels with ``x`` at level ``i`` and ``y`` at ``j``.
    """
    x, y = check_same_shape(x, y)
    index = gray_levels(x).ravel() * GRAY_LEVELS + gray_levels(y).ravel()
    return np.bincount(index, minlength=GRAY_LEVELS * GRAY_LEVELS).reshape(GRAY_LEVELS, GRAY_LEVELS)


def mutual_information(x: np.ndarray, y: np.ndarray, base: float = 2.0) -> float:
    """Mutual information of two images from their 256 x 256 joint histogram.

    ``MI(X, Y) = H(X) + H(Y) - H(X, Y)`` with the marginal entropies taken from the joint histogram;
    symmetric in its arguments.

    Args:
        x: ``(H, W)`` image, [0, 255], HW.
        y: ``(H, W)`` image, [0, 255], HW.
        base: logarithm base: 2 for bits (Tang's MATLAB), ``math.e`` for nats (CDDFuse, VIFB).

    Returns:
        The mutual information in units of ``log(base)``.
    """
    joint = joint_histogram(x, y)
    return (_entropy_of_counts(joint.sum(axis=1), base) + _entropy_of_counts(joint.sum(axis=0), base)
            - _entropy_of_counts(joint.ravel(), base))


def mi(ir: np.ndarray, vis: np.ndarray, fused: np.ndarray, base: float = 2.0) -> float:
    """MI: ``MI(A, F) + MI(B, F)`` (the sum over the two sources, as in every reference code).

    Args:
        ir: ``(H, W)`` infrared source ``A``, [0, 255], HW.
        vis: ``(H, W)`` visible source ``B``, [0, 255], HW.
        fused: ``(H, W)`` fused image ``F``, [0, 255], HW.
        base: 2 for bits (default, Tang), ``math.e`` for nats (CDDFuse, VIFB).

    Returns:
        The summed mutual information, in ``[0, 16]`` bits.
    """
    return mutual_information(ir, fused, base) + mutual_information(vis, fused, base)
