import numpy as np
import pytest
from scipy import ndimage
from scipy.signal import convolve2d

from fusion.metrics import vif, vifp_mscale


def _vifp_mscale_2d(ref: np.ndarray, dist: np.ndarray) -> float:
    """Line-by-line port of Sheikh's vifp_mscale.m with full 2-D fspecial windows and convolve2d 'valid'."""
    sigma_nsq, eps = 2.0, 1e-10
    num = den = 0.0
    for scale in range(1, 5):
        n = 2 ** (4 - scale + 1) + 1
        y, x = np.mgrid[-(n - 1) / 2:(n - 1) / 2 + 1, -(n - 1) / 2:(n - 1) / 2 + 1]
        win = np.exp(-(x * x + y * y) / (2 * (n / 5) ** 2))
        win /= win.sum()
        if scale > 1:
            ref = convolve2d(ref, win, mode="valid")[::2, ::2]
            dist = convolve2d(dist, win, mode="valid")[::2, ::2]
        mu1, mu2 = convolve2d(ref, win, mode="valid"), convolve2d(dist, win, mode="valid")
        sigma1_sq = convolve2d(ref * ref, win, mode="valid") - mu1 * mu1
        sigma2_sq = convolve2d(dist * dist, win, mode="valid") - mu2 * mu2
        sigma12 = convolve2d(ref * dist, win, mode="valid") - mu1 * mu2
        sigma1_sq[sigma1_sq < 0] = 0
        sigma2_sq[sigma2_sq < 0] = 0
        g = sigma12 / (sigma1_sq + eps)
        sv_sq = sigma2_sq - g * sigma12
        g[sigma1_sq < eps] = 0
        sv_sq[sigma1_sq < eps] = sigma2_sq[sigma1_sq < eps]
        sigma1_sq[sigma1_sq < eps] = 0
        g[sigma2_sq < eps] = 0
        sv_sq[sigma2_sq < eps] = 0
        sv_sq[g < 0] = sigma2_sq[g < 0]
        g[g < 0] = 0
        sv_sq[sv_sq <= eps] = eps
        num += np.sum(np.log10(1 + g * g * sigma1_sq / (sv_sq + sigma_nsq)))
        den += np.sum(np.log10(1 + sigma1_sq / sigma_nsq))
    return num / den


def test_matches_the_reference_algorithm(ir_vis):
    ir, vis = ir_vis
    fused = np.maximum(ir, vis)
    # separable filtering vs full 2-D windows: only summation order differs
    assert vifp_mscale(ir, fused) == pytest.approx(_vifp_mscale_2d(ir, fused), rel=1e-10)
    assert vifp_mscale(vis, fused) == pytest.approx(_vifp_mscale_2d(vis, fused), rel=1e-10)


def test_identity_is_one_and_degradation_lowers_it(ir_vis):
    ir, _ = ir_vis
    rng = np.random.default_rng(0)
    assert vifp_mscale(ir, ir) == pytest.approx(1.0, abs=1e-9)
    noisy = [vifp_mscale(ir, ir + rng.normal(scale=s, size=ir.shape)) for s in (2, 8, 32)]
    blurred = [vifp_mscale(ir, ndimage.gaussian_filter(ir, s)) for s in (0.7, 1.5, 3)]
    assert 1 > noisy[0] > noisy[1] > noisy[2] > 0
    assert 1 > blurred[0] > blurred[1] > blurred[2] > 0


def test_contrast_stretch_exceeds_one(ir_vis):
    ir, _ = ir_vis
    assert vifp_mscale(ir, 1.5 * (ir - ir.mean()) + ir.mean()) > 1


def test_flat_reference_gives_one_as_reference_code():
    assert vifp_mscale(np.full((48, 48), 9.0), np.arange(48 * 48, dtype=float).reshape(48, 48) % 7) == 1.0


def test_sum_and_mean_over_sources(ir_vis):
    ir, vis = ir_vis
    fused = (ir + vis) / 2
    total = vifp_mscale(ir, fused) + vifp_mscale(vis, fused)
    assert vif(ir, vis, fused) == pytest.approx(total, abs=1e-12)
    assert vif(ir, vis, fused, reduction="mean") == pytest.approx(total / 2, abs=1e-12)
    with pytest.raises(ValueError, match="reduction"):
        vif(ir, vis, fused, reduction="max")


def test_too_small_image_is_rejected():
    small = np.random.default_rng(0).uniform(0, 255, size=(40, 60))
    with pytest.raises(ValueError, match="41x41"):
        vifp_mscale(small, small)
    vifp_mscale(small[:, :41].repeat(2, axis=0)[:41], small[:, :41].repeat(2, axis=0)[:41])  # 41x41 is enough
