"""Visual information fidelity: Sheikh & Bovik's pixel-domain multiscale VIF (``vifp_mscale``).

Reference: H. R. Sheikh and A. C. Bovik, "Image information and visual quality", IEEE TIP 15(2), 2006;
the authors' ``vifp_mscale.m``, ported line by line in Zhaozixiang1228/MMIF-CDDFuse ``utils/Evaluator.py``
(``compare_viff``/``VIFF``) and used by Linfeng-Tang Evaluation-for-Image-Fusion. This is NOT Han et al.'s
VIFF ("A new image fusion performance metric based on visual information fidelity", Information
Fusion 14(2), 2013), a different formula despite CDDFuse's function name.
"""
from __future__ import annotations

import numpy as np
from scipy import ndimage

from .checks import as_image_triple, check_same_shape

SCALES = 4
SIGMA_NSQ = 2.0
_EPS = 1e-10


def gaussian_window_1d(size: int, sigma: float) -> np.ndarray:
    """1-D factor of MATLAB's ``fspecial('gaussian', size, sigma)``, normalised to sum 1.

    The 2-D window is the outer product of this vector with itself (``fspecial``'s cut-off of values below
    ``eps * max`` removes nothing for the windows used here).
    """
    x = np.arange(size, dtype=np.float64) - (size - 1) / 2
    window = np.exp(-x * x / (2 * sigma * sigma))
    return window / window.sum()


def _filter_valid(images: np.ndarray, window: np.ndarray) -> np.ndarray:
    """MATLAB ``filter2(w, x, 'valid')`` with ``w = window window^T`` on the last two axes (separable)."""
    radius = window.size // 2
    height, width = images.shape[-2:]
    rows = ndimage.correlate1d(images, window, axis=-2, mode="constant")[..., radius:height - radius, :]
    return ndimage.correlate1d(rows, window, axis=-1, mode="constant")[..., radius:width - radius]


def vifp_mscale(reference: np.ndarray, distorted: np.ndarray, sigma_nsq: float = SIGMA_NSQ) -> float:
    """Pixel-domain multiscale VIF of a distorted image against a reference (Sheikh & Bovik ``vifp_mscale``).

    At scales ``s = 1..4`` with Gaussian windows ``N = 2^(4 - s + 1) + 1`` (17, 9, 5, 3), ``sigma = N / 5``:
    for ``s > 1`` both images are low-passed with the scale's window ('valid') and subsampled by 2; local
    means, variances and covariance are 'valid' Gaussian-window moments; with ``g = sigma_12 / sigma_1^2``
    and ``sigma_v^2 = sigma_2^2 - g sigma_12`` (clamped exactly as the MATLAB code),
    ``VIF = sum_s sum log10(1 + g^2 sigma_1^2 / (sigma_v^2 + sigma_n^2)) / sum_s sum log10(1 + sigma_1^2 / sigma_n^2)``.

    Args:
        reference: ``(H, W)`` reference (a source image), [0, 255], HW; at least 41 x 41.
        distorted: ``(H, W)`` distorted (fused) image, [0, 255], HW.
        sigma_nsq: visual noise variance ``sigma_n^2`` (2 in the reference code, for the 0..255 scale).

    Returns:
        VIF, about 1 for ``distorted == reference``, lower for information loss, above 1 for contrast
        enhancement. 1.0 when the reference is flat at every scale (0 / 0), as the reference code.
    """
    ref, dist = check_same_shape(reference, distorted, ("reference", "distorted"))
    numerator = denominator = 0.0
    for scale in range(1, SCALES + 1):
        size = 2 ** (SCALES - scale + 1) + 1
        window = gaussian_window_1d(size, size / 5)
        if scale > 1:
            ref, dist = _filter_valid(np.stack([ref, dist]), window)[:, ::2, ::2]
        if min(ref.shape) < size:
            raise ValueError(f"VIF needs images of at least 41x41 pixels, got {reference.shape}")
        mu1, mu2, ref_sq, dist_sq, ref_dist = _filter_valid(
            np.stack([ref, dist, ref * ref, dist * dist, ref * dist]), window)
        sigma1_sq = np.maximum(ref_sq - mu1 * mu1, 0)
        sigma2_sq = np.maximum(dist_sq - mu2 * mu2, 0)
        sigma12 = ref_dist - mu1 * mu2

        gain = sigma12 / (sigma1_sq + _EPS)
        sv_sq = sigma2_sq - gain * sigma12
        flat_ref = sigma1_sq < _EPS
        gain[flat_ref] = 0
        sv_sq[flat_ref] = sigma2_sq[flat_ref]
        sigma1_sq[flat_ref] = 0
        flat_dist = sigma2_sq < _EPS
        gain[flat_dist] = 0
        sv_sq[flat_dist] = 0
        negative = gain < 0
        sv_sq[negative] = sigma2_sq[negative]
        gain[negative] = 0
        sv_sq = np.maximum(sv_sq, _EPS)

        numerator += np.log10(1 + gain * gain * sigma1_sq / (sv_sq + sigma_nsq)).sum()
        denominator += np.log10(1 + sigma1_sq / sigma_nsq).sum()
    return float(numerator / denominator) if denominator > 0 else 1.0


def vif(ir: np.ndarray, vis: np.ndarray, fused: np.ndarray, reduction: str = "sum") -> float:
    """VIF of the fused image against each source, combined over the two sources.

    ``"sum"``: ``VIF(A, F) + VIF(B, F)``, what the infrared-visible literature mostly reports (CDDFuse
    ``VIFF``); ``"mean"``: half of it (the MSFAM paper's Eq. 9 convention).

    Args:
        ir: ``(H, W)`` infrared source ``A``, [0, 255], HW.
        vis: ``(H, W)`` visible source ``B``, [0, 255], HW.
        fused: ``(H, W)`` fused image ``F``, [0, 255], HW.
        reduction: ``"sum"`` or ``"mean"``.

    Returns:
        The combined VIF.
    """
    if reduction not in ("sum", "mean"):
        raise ValueError(f"reduction must be 'sum' or 'mean', got {reduction!r}")
    a, b, f = as_image_triple(ir, vis, fused)
    total = vifp_mscale(a, f) + vifp_mscale(b, f)
    return total if reduction == "sum" else total / 2
