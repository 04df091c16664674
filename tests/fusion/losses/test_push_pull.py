"""Push-Pull loss (MSFAM Algorithms 1-2) and its MS-SSIM helper."""
from __future__ import annotations

import math

import pytest
import torch

import fusion.losses.push_pull as push_pull_module
from fusion.losses import (PushPullLoss, ms_ssim_min_side, ms_ssim_per_sample, push_pull_loss, push_pull_weights,
                           ssim_per_sample)
from fusion.registry import LOSSES

SMALL = dict(levels=3, win_size=3)  # 33 x 33 is the smallest side pytorch-msssim takes with a 3-wide window


def _triple(b: int = 2, size: int = 33, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Visible texture, infrared with other structure, and a fused image close to their mean."""
    g = torch.Generator().manual_seed(seed)
    shape = (b, 1, size, size)
    vis = torch.rand(shape, dtype=torch.float64, generator=g)
    ir = torch.nn.functional.avg_pool2d(torch.rand(shape, dtype=torch.float64, generator=g), 5, 1, 2)
    ir[..., size // 3:2 * size // 3, size // 3:2 * size // 3] += 0.5
    fused = (vis + ir) / 2 + 0.05 * torch.rand(shape, dtype=torch.float64, generator=g)
    return vis, ir, fused


def test_weights_sum_to_one_are_detached_and_bounded() -> None:
    vis, ir, fused = _triple()
    fused.requires_grad_(True)
    alpha = push_pull_weights(vis, ir, fused)
    assert alpha.shape == (2, 2) and not alpha.requires_grad
    torch.testing.assert_close(alpha.sum(dim=1), torch.ones(2, dtype=alpha.dtype))
    low, high = 1 / (1 + math.e), math.e / (1 + math.e)
    assert ((alpha >= low - 1e-12) & (alpha <= high + 1e-12)).all()


def test_source_equal_to_the_fused_image_gets_the_larger_weight() -> None:
    vis, ir, _ = _triple()
    assert (push_pull_weights(vis, ir, vis.clone())[:, 0] > 0.6).all()
    assert (push_pull_weights(vis, ir, ir.clone())[:, 1] > 0.6).all()


def test_flat_images_give_equal_weights() -> None:
    flat = torch.full((1, 1, 33, 33), 0.5, dtype=torch.float64)
    torch.testing.assert_close(push_pull_weights(flat, flat, flat), torch.full((1, 2), 0.5, dtype=torch.float64))
    assert torch.isfinite(push_pull_loss(flat, flat, flat, **SMALL))


def test_value_is_weighted_ms_ssim_losses() -> None:
    vis, ir, fused = _triple()
    alpha = push_pull_weights(vis, ir, fused)
    expected = (alpha[:, 0] * (1 - ms_ssim_per_sample(vis, fused, **SMALL))
                + alpha[:, 1] * (1 - ms_ssim_per_sample(ir, fused, **SMALL)))
    torch.testing.assert_close(push_pull_loss(vis, ir, fused, reduction="none", **SMALL), expected)
    assert push_pull_loss(vis, ir, vis, **SMALL) < push_pull_loss(vis, ir, fused, **SMALL)


def test_module_equals_function_and_builds_from_registry() -> None:
    vis, ir, fused = _triple()
    module = LOSSES.build(dict(type="PushPullLoss", loss_weight=3.0, **SMALL))
    assert isinstance(module, PushPullLoss)
    torch.testing.assert_close(module(vis, ir, fused), 3 * push_pull_loss(vis, ir, fused, **SMALL))


def test_ms_ssim_levels_and_sizes() -> None:
    vis, _, fused = _triple(1)
    one_level = ms_ssim_per_sample(vis, fused, levels=1, win_size=3)
    torch.testing.assert_close(one_level, ssim_per_sample(vis, fused, win_size=3).clamp_min(0))
    assert ms_ssim_min_side(11) == 161 and ms_ssim_min_side(3) == 33
    x = torch.rand(1, 1, 161, 170)
    assert 0 < ms_ssim_per_sample(x, (x + 0.1 * torch.rand_like(x)).clamp(0, 1)).item() < 1
    with pytest.raises(ValueError, match="needs H, W >= 161"):
        ms_ssim_per_sample(x[..., :160, :], x[..., :160, :])
    with pytest.raises(ValueError, match="levels"):
        ms_ssim_per_sample(vis, fused, levels=6, win_size=3)


def test_gradient_skips_the_weights() -> None:
    """The loss's gradient equals that of the same loss with the weights fixed as constants."""
    vis, ir, fused = _triple(1)
    fused.requires_grad_(True)
    (grad,) = torch.autograd.grad(push_pull_loss(vis, ir, fused, **SMALL), fused)
    alpha = push_pull_weights(vis, ir, fused)
    fixed = alpha[:, 0] * (1 - ms_ssim_per_sample(vis, fused, **SMALL)) + \
        alpha[:, 1] * (1 - ms_ssim_per_sample(ir, fused, **SMALL))
    (fixed_grad,) = torch.autograd.grad(fixed.mean(), fused)
    torch.testing.assert_close(grad, fixed_grad)


def test_gradcheck_wrt_fused(monkeypatch: pytest.MonkeyPatch) -> None:
    """float64 gradcheck through the MS-SSIM terms. The weights are frozen at their value: they are detached
    by design, so finite differences that move them would not match the analytical gradient (and no edge
    ``eps`` is needed, as no gradient goes through the edge maps)."""
    vis, ir, fused = _triple(1)
    fused.requires_grad_(True)
    alpha = push_pull_weights(vis, ir, fused)
    monkeypatch.setattr(push_pull_module, "push_pull_weights", lambda *args, **kwargs: alpha)
    assert torch.autograd.gradcheck(lambda f: push_pull_loss(vis, ir, f, **SMALL), (fused,), fast_mode=True)


def test_equal_weighting_is_the_mean_of_the_two_ms_ssim_losses() -> None:
    vis, ir, fused = _triple()
    expected = (2 - ms_ssim_per_sample(vis, fused, **SMALL) - ms_ssim_per_sample(ir, fused, **SMALL)) / 2
    torch.testing.assert_close(push_pull_loss(vis, ir, fused, weighting="equal", reduction="none", **SMALL), expected)
    module = PushPullLoss(weighting="equal", **SMALL)
    torch.testing.assert_close(module(vis, ir, fused), expected.mean())
    assert not torch.allclose(push_pull_loss(vis, ir, fused, **SMALL), expected.mean())
    with pytest.raises(ValueError, match="weighting"):
        PushPullLoss(weighting="learned")
