"""Metrics of the fused image alone: standard deviation (SD), spatial frequency (SF), average gradient (AG).

References: Zhaozixiang1228/MMIF-CDDFuse ``utils/Evaluator.py`` (Python), Linfeng-Tang
Evaluation-for-Image-Fusion and VIFB ``metrics/`` (MATLAB).
"""
from __future__ import annotations

import numpy as np

from .checks import as_gray_image


def standard_deviation(fused: np.ndarray) -> float:
    """SD: population standard deviation of the fused image, ``sqrt(mean((F - mean F)^2))``.

    As CDDFuse (``np.std``) and the MATLAB ``SD.m``. MATLAB's ``std2`` (divisor ``HW - 1``) differs by a
    factor ``sqrt(HW / (HW - 1))``, under 2e-6 relative at 640x480.

    Args:
        fused: ``(H, W)`` greyscale image, [0, 255], HW.

    Returns:
        The standard deviation on the 0..255 scale.
    """
    return float(np.std(as_gray_image(fused, "fused")))


def spatial_frequency(fused: np.ndarray) -> float:
    """SF: ``sqrt(RF^2 + CF^2)`` with ``RF^2``, ``CF^2`` the MEANS of the squared horizontal / vertical differences.

    ``RF^2 = mean_{i, j >= 1} (F[i, j] - F[i, j-1])^2`` over ``H x (W-1)`` differences,
    ``CF^2 = mean_{i >= 1, j} (F[i, j] - F[i-1, j])^2`` over ``(H-1) x W``, as CDDFuse. VIFB's
    ``metricsSpatial_frequency.m`` divides both sums by ``H x W`` instead, which lowers SF by at most
    ``1 / (2 min(H, W))`` relative (about 0.1 % at 640x480).

    Args:
        fused: ``(H, W)`` greyscale image, [0, 255], HW; at least 2 x 2.

    Returns:
        The spatial frequency on the 0..255 scale.
    """
    image = as_gray_image(fused, "fused")
    if min(image.shape) < 2:
        raise ValueError(f"spatial frequency needs an image of at least 2x2 pixels, got {image.shape}")
    row_frequency_sq = np.mean(np.diff(image, axis=1) ** 2)
    column_frequency_sq = np.mean(np.diff(image, axis=0) ** 2)
    return float(np.sqrt(row_frequency_sq + column_frequency_sq))


def average_gradient(fused: np.ndarray) -> float:
    """AG: ``sum sqrt((dx^2 + dy^2) / 2) / ((H - 1)(W - 1))``, the MATLAB convention of Tang's toolbox and VIFB.

    ``dx``, ``dy`` are MATLAB ``gradient`` (= ``np.gradient``) derivatives along columns and rows: central
    differences ``(F[i+1] - F[i-1]) / 2`` inside, one-sided differences on the border rows / columns;
    the sum runs over all ``H x W`` pixels but is divided by ``(H - 1)(W - 1)``
    (``avg_gradient.m``, ``metricsAvg_gradient.m``). CDDFuse's ``AG`` takes the plain mean over ``H x W``,
    i.e. this value times ``(H - 1)(W - 1) / (H W)`` (0.37 % lower at 640x480).

    Args:
        fused: ``(H, W)`` greyscale image, [0, 255], HW; at least 2 x 2.

    Returns:
        The average gradient on the 0..255 scale.
    """
    image = as_gray_image(fused, "fused")
    height, width = image.shape
    if min(height, width) < 2:
        raise ValueError(f"average gradient needs an image of at least 2x2 pixels, got {image.shape}")
    dy, dx = np.gradient(image)
    return float(np.sqrt((dx * dx + dy * dy) / 2).sum() / ((height - 1) * (width - 1)))
