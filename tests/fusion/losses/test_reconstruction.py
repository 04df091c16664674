"""Stage-1 reconstruction loss L1 + alpha1 (1 - SSIM)."""
from __future__ import annotations

import pytest
import torch
from skimage.metrics import structural_similarity

from fusion.losses import ReconstructionLoss, reconstruction_loss, ssim_per_sample
from fusion.registry import LOSSES


def _images(b: int = 2, size: int = 16, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    target = torch.rand(b, 1, size, size, dtype=torch.float64, generator=g)
    output = (0.8 * target + 0.2 * torch.rand(b, 1, size, size, dtype=torch.float64, generator=g))
    return output, target


def test_zero_for_identical_and_positive_otherwise() -> None:
    output, target = _images()
    assert reconstruction_loss(target, target.clone(), win_size=7).abs().item() < 1e-12
    per_sample = reconstruction_loss(output, target, win_size=7, reduction="none")
    assert per_sample.shape == (2,) and (per_sample > 0).all()


def test_value_is_l1_plus_weighted_ssim_term() -> None:
    output, target = _images()
    expected = (output - target).abs().mean() + 0.84 * (1 - ssim_per_sample(output, target, 7).mean())
    torch.testing.assert_close(reconstruction_loss(output, target, win_size=7), expected)


def test_ssim_matches_scikit_image() -> None:
    output, target = _images(1, 40)
    reference = structural_similarity(output[0, 0].numpy(), target[0, 0].numpy(), data_range=1.0,
                                      gaussian_weights=True, sigma=1.5, use_sample_covariance=False)
    assert ssim_per_sample(output, target).item() == pytest.approx(reference, abs=1e-6)


def test_module_equals_function_and_builds_from_registry() -> None:
    output, target = _images()
    module = LOSSES.build(dict(type="ReconstructionLoss", win_size=7, loss_weight=2.0, reduction="sum"))
    assert isinstance(module, ReconstructionLoss)
    torch.testing.assert_close(module(output, target), 2 * reconstruction_loss(output, target, win_size=7,
                                                                               reduction="sum"))


def test_checks_reduction_and_size() -> None:
    with pytest.raises(ValueError, match="reduction"):
        ReconstructionLoss(reduction="avg")
    output, target = _images(1, 8)
    with pytest.raises(ValueError, match="needs H, W >= 11"):
        reconstruction_loss(output, target)


def test_gradcheck_wrt_output() -> None:
    output, target = _images(1, 8)
    output.requires_grad_(True)
    assert torch.autograd.gradcheck(lambda o: reconstruction_loss(o, target, win_size=3), (output,))
