"""Infrared target contrast (ITC): how much of the infrared targets' local contrast survives in the fused image.

A pedestrian detector working on fused images needs what the thermal camera shows best: warm bodies that
stand out from their surroundings. The paper's six metrics do not measure that (averaging, which halves
every thermal target, beats most networks on CC, SCD and MS-SSIM), so this project adds one metric:

1. Local contrast of an image ``X``: ``L_X = X - G_s * X``, the image minus its Gaussian-blurred
   surroundings, ``s = sigma_fraction * min(H, W)`` (default 1/32: 15 px on a 640x480 frame, wider than a
   limb, narrower than a street).
2. Infrared targets ``T``: the pixels where ``L_A`` is positive and among the ``top_fraction`` (default
   2 %) largest of the frame: the brightest infrared regions relative to their surroundings (people,
   engines, windows at night; in a scene without a warm object, the warmest details there are).
3. ``ITC = sum_T L_F / sum_T L_A``: 1 when the fused image keeps the targets' contrast as the infrared
   image has it, 0.5 for the pixel average over a flat visible background, about 0 when the targets vanish;
   it can exceed 1 when the fused image stretches them further.

Both images are on the 0..255 scale as saved (the fused image min-max stretched if that is the output
convention), so ITC also rewards a fusion that spends its dynamic range on the targets.
"""
from __future__ import annotations

import cv2
import numpy as np

from .checks import check_same_shape

#: Gaussian scale of the surroundings, as a fraction of the shorter image side.
SIGMA_FRACTION = 1 / 32
#: Fraction of the frame's pixels taken as infrared targets.
TOP_FRACTION = 0.02
#: Local contrast (grey levels) below which a pixel is not a target: float rounding of a flat image.
MIN_CONTRAST = 1e-6


def local_contrast(image: np.ndarray, sigma: float) -> np.ndarray:
    """``image - GaussianBlur(image, sigma)`` (reflected borders), float64 ``(H, W)``."""
    blurred = cv2.GaussianBlur(image, (0, 0), sigmaX=sigma, sigmaY=sigma, borderType=cv2.BORDER_REFLECT)
    return image - blurred


def infrared_target_mask(ir: np.ndarray, sigma_fraction: float = SIGMA_FRACTION,
                         top_fraction: float = TOP_FRACTION) -> np.ndarray:
    """Boolean ``(H, W)`` mask of the infrared targets (see the module docstring, step 2).

    Args:
        ir: ``(H, W)`` infrared image ``A``, [0, 255], HW.
        sigma_fraction: Gaussian scale of the surroundings as a fraction of ``min(H, W)``.
        top_fraction: fraction of the pixels kept, in ``(0, 1]``.

    Returns:
        The mask; empty when the infrared image has no locally bright pixel (a constant image).
    """
    if not 0 < top_fraction <= 1:
        raise ValueError(f"top_fraction must be in (0, 1], got {top_fraction}")
    ir = np.asarray(ir, dtype=np.float64)
    contrast = local_contrast(ir, sigma_fraction * min(ir.shape))
    threshold = np.quantile(contrast, 1 - top_fraction)
    return (contrast >= threshold) & (contrast > MIN_CONTRAST)


def infrared_target_contrast(ir: np.ndarray, fused: np.ndarray, sigma_fraction: float = SIGMA_FRACTION,
                             top_fraction: float = TOP_FRACTION) -> float:
    """ITC: the infrared targets' local contrast in ``fused`` relative to ``ir`` (module docstring).

    Args:
        ir: ``(H, W)`` infrared source ``A``, [0, 255], HW.
        fused: ``(H, W)`` fused image ``F``, [0, 255], HW.
        sigma_fraction: Gaussian scale of the surroundings as a fraction of ``min(H, W)``.
        top_fraction: fraction of the pixels taken as targets.

    Returns:
        ``sum_T L_F / sum_T L_A``; NaN when the infrared image has no target (a constant image).
    """
    ir, fused = check_same_shape(ir, fused)
    sigma = sigma_fraction * min(ir.shape)
    mask = infrared_target_mask(ir, sigma_fraction, top_fraction)
    target_contrast = local_contrast(ir, sigma)[mask].sum()
    if not mask.any() or target_contrast <= 0:
        return float("nan")
    return float(local_contrast(fused, sigma)[mask].sum() / target_contrast)


def person_target_contrast(ir: np.ndarray, fused: np.ndarray, boxes: list[tuple[float, float, float, float]],
                           sigma_fraction: float = SIGMA_FRACTION) -> tuple[float, float]:
    """ITC over labelled people: the local contrast that the warm parts of annotated person boxes keep in ``fused``.

    The targets are the pixels inside the boxes where the infrared local contrast is positive (the person is
    warmer than its surroundings there), instead of the frame's brightest 2 %; a detector's question, asked on
    the pixels an annotator marked.

    Args:
        ir: ``(H, W)`` infrared source, [0, 255].
        fused: ``(H, W)`` fused image, [0, 255].
        boxes: person boxes ``(x, y, w, h)`` in pixels.
        sigma_fraction: Gaussian scale of the surroundings as a fraction of ``min(H, W)``.

    Returns:
        ``(sum_T L_F, sum_T L_A)``: the fused and infrared contrast summed over the targets, so that a set's
        figure is the ratio of the sums over its images (0, 0 without targets).
    """
    ir, fused = check_same_shape(ir, fused)
    sigma = sigma_fraction * min(ir.shape)
    contrast_ir, contrast_fused = local_contrast(ir, sigma), local_contrast(fused, sigma)
    mask = np.zeros(ir.shape, dtype=bool)
    height, width = ir.shape
    for x, y, w, h in boxes:
        x0, y0 = max(0, int(round(x))), max(0, int(round(y)))
        mask[y0:min(height, int(round(y + h))), x0:min(width, int(round(x + w)))] = True
    mask &= contrast_ir > MIN_CONTRAST
    return float(contrast_fused[mask].sum()), float(contrast_ir[mask].sum())
