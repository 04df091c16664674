import numpy as np
import pytest
import torch
from pytorch_msssim import ms_ssim as reference_ms_ssim
from skimage.metrics import structural_similarity

from fusion.metrics import ms_ssim, ms_ssim_index, ssim, ssim_index
from fusion.metrics.ssim import ms_ssim_levels

from .conftest import make_scene


def test_identity_is_one(ir_vis):
    ir, _ = ir_vis
    assert ssim_index(ir, ir) == pytest.approx(1.0, abs=1e-12)
    with pytest.warns(UserWarning, match="3 of 5 scales"):
        assert ms_ssim_index(ir, ir) == pytest.approx(1.0, abs=1e-12)
    big = make_scene((170, 180), 2)
    assert ms_ssim_index(big, big) == pytest.approx(1.0, abs=1e-12)


def test_ssim_matches_scikit_image(ir_vis):
    ir, vis = ir_vis
    fused = 0.7 * ir + 0.3 * vis + 5
    expected = structural_similarity(ir, fused, gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
                                     data_range=255)
    # same window (float64 on both sides), same 'valid' region: only summation order differs (~1e-15)
    assert ssim_index(ir, fused) == pytest.approx(expected, abs=1e-10)


def test_ms_ssim_matches_pytorch_msssim_on_five_scales():
    x, y = make_scene((170, 181), 3), make_scene((170, 181), 4)
    to_tensor = lambda image: torch.from_numpy(image)[None, None]  # noqa: E731
    coords = torch.arange(11, dtype=torch.float64) - 5
    window = torch.exp(-coords ** 2 / (2 * 1.5 ** 2))
    window = (window / window.sum()).view(1, 1, 1, 11)  # pytorch-msssim's default window is float32
    expected = reference_ms_ssim(to_tensor(x), to_tensor(y), data_range=255, win=window).item()
    assert ms_ssim_index(x, y) == pytest.approx(expected, abs=1e-12)
    assert 0 < ms_ssim_index(x, y) < 1


@pytest.mark.parametrize("side, levels", [(161, 5), (160, 4), (81, 4), (80, 3), (64, 3), (21, 2), (11, 1), (10, 0)])
def test_scale_count(side, levels):
    assert ms_ssim_levels(side, 1000) == levels


def test_too_small_is_rejected():
    with pytest.raises(ValueError, match="11x11"):
        ssim_index(np.zeros((10, 30)), np.zeros((10, 30)))


def test_mean_and_sum_over_sources(ir_vis):
    ir, vis = ir_vis
    fused = (ir + vis) / 2
    per_source = ssim_index(ir, fused) + ssim_index(vis, fused)
    assert ssim(ir, vis, fused) == pytest.approx(per_source / 2, abs=1e-12)
    assert ssim(ir, vis, fused, reduction="sum") == pytest.approx(per_source, abs=1e-12)
    with pytest.warns(UserWarning):
        assert 0 < ms_ssim(ir, vis, fused) < 1
