"""Push-Pull loss (MSFAM Algorithms 1-2) and its MS-SSIM helper."""
from __future__ import annotations

import math

import pytest
import torch

import fusion.losses.push_pull as push_pull_module
from fusion.losses import (PushPullLoss, ms_ssim_min_side, ms_ssim_per_sample, push_pull_loss, push_pull_weights,
                           ssim_per_sample)
from fusion.ops.edge_preservation import edge_preservation
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


def test_negative_feedback_weighs_the_source_kept_less() -> None:
    vis, ir, _ = _triple()
    as_visible, as_infrared = push_pull_weights(vis, ir, vis.clone()), push_pull_weights(vis, ir, ir.clone())
    assert (as_visible[:, 1] > 0.6).all()       # F = visible: the infrared loss weighs more
    assert (as_infrared[:, 0] > 0.6).all()      # F = infrared: the visible loss weighs more
    torch.testing.assert_close(push_pull_weights(vis, ir, vis.clone(), "negative"), as_visible)


def test_literal_feedback_weighs_the_source_kept_better() -> None:
    vis, ir, _ = _triple()
    assert (push_pull_weights(vis, ir, vis.clone(), "literal")[:, 0] > 0.6).all()
    assert (push_pull_weights(vis, ir, ir.clone(), "literal")[:, 1] > 0.6).all()
    with pytest.raises(ValueError, match="feedback"):
        push_pull_weights(vis, ir, vis, "positive")


def test_the_average_keeps_both_sources_and_gets_balanced_weights() -> None:
    """F = (V + I) / 2 keeps some edges of each: weights less extreme than for a copy of either source."""
    vis, ir, _ = _triple()
    average = (vis + ir) / 2
    for feedback in ("negative", "literal"):
        alpha = push_pull_weights(vis, ir, average, feedback).max(dim=1).values
        for copy in (vis, ir):
            assert (alpha < push_pull_weights(vis, ir, copy.clone(), feedback).max(dim=1).values).all()
    torch.testing.assert_close(push_pull_weights(vis, ir, average, "negative"),
                               push_pull_weights(vis, ir, average, "literal").flip(dims=[1]))


def _edges_kept(source: torch.Tensor, fused: torch.Tensor) -> float:
    """Edge-weighted Qabf of one source in the fused image (Algorithm 2, step 2, without the normalisation)."""
    q, w = edge_preservation(source, fused, orientation="folded")
    return float((q * w).sum() / w.sum())


def _optimise_free_image(weighting: str, steps: int = 200) -> tuple[float, float]:
    """Start a free image at the visible one, minimise the Push-Pull loss alone; ``(ir edges kept before, after)``.

    The visible image is a texture, the infrared one a smooth background with a warm rectangle.
    """
    side = 48
    yy, xx = torch.meshgrid(torch.arange(side, dtype=torch.float64), torch.arange(side, dtype=torch.float64),
                            indexing="ij")
    vis = (0.5 + 0.3 * torch.sin(xx / 2.0) * torch.cos(yy / 3.0))[None, None]
    ir = torch.full((1, 1, side, side), 0.2, dtype=torch.float64)
    ir[..., 12:36, 16:28] = 0.9
    ir = torch.nn.functional.avg_pool2d(ir, 3, 1, 1, count_include_pad=False)
    fused = vis.clone().requires_grad_(True)
    optimizer = torch.optim.Adam([fused], lr=0.01)
    before = _edges_kept(ir, fused.detach())
    for _ in range(steps):
        loss = push_pull_loss(vis, ir, fused, levels=3, win_size=3, weighting=weighting)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return before, _edges_kept(ir, fused.detach())


def test_negative_feedback_moves_a_visible_start_towards_the_infrared_edges() -> None:
    before, after = _optimise_free_image("negative")
    assert before < 0.15 and after > before + 0.3


def test_literal_feedback_keeps_a_visible_start_on_the_visible_side() -> None:
    before, after = _optimise_free_image("literal")
    assert after < before + 0.05


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
    # Negative feedback rates copying one source worse than mixing both; the literal weights reward the copy.
    assert push_pull_loss(vis, ir, vis, **SMALL) > push_pull_loss(vis, ir, fused, **SMALL)
    assert push_pull_loss(vis, ir, vis, weighting="literal", **SMALL) < \
        push_pull_loss(vis, ir, fused, weighting="literal", **SMALL)


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
