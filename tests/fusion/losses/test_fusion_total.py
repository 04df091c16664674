"""Stage-2 total loss L1(I, V, F) + alpha2 L_constraint + beta L_pushpull."""
from __future__ import annotations

import pytest
import torch
from torch import nn

import fusion.losses.push_pull as push_pull_module
from fusion.losses import FusionTotalLoss, fusion_l1_loss, push_pull_loss, semantic_constraint_loss
from fusion.registry import LOSSES

SMALL = dict(levels=3, win_size=3)


def _triple(b: int = 2, size: int = 33, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    shape = (b, 1, size, size)
    vis = torch.rand(shape, dtype=torch.float64, generator=g)
    ir = torch.nn.functional.avg_pool2d(torch.rand(shape, dtype=torch.float64, generator=g), 5, 1, 2)
    fused = (vis + ir) / 2 + 0.05 * torch.rand(shape, dtype=torch.float64, generator=g)
    return vis, ir, fused


def _classifier() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                         nn.Linear(2, 2)).double()


def test_l1_modes() -> None:
    vis, ir, fused = _triple()
    torch.testing.assert_close(fusion_l1_loss(vis, ir, fused),
                               ((fused - vis).abs() + (fused - ir).abs()).mean() / 2)
    torch.testing.assert_close(fusion_l1_loss(vis, ir, fused, mode="max"),
                               (fused - torch.maximum(vis, ir)).abs().mean())
    between = torch.minimum(vis, ir) + 0.3 * (vis - ir).abs()
    assert fusion_l1_loss(vis, ir, between) < fusion_l1_loss(vis, ir, between + 0.5)
    with pytest.raises(ValueError, match="mode"):
        fusion_l1_loss(vis, ir, fused, mode="min")


def test_alpha2_zero_needs_no_classifier() -> None:
    vis, ir, fused = _triple()
    out = LOSSES.build(dict(type="FusionTotalLoss", alpha2=0.0, beta=2.0, push_pull_cfg=SMALL))(vis, ir, fused)
    assert set(out) == {"l1", "push_pull", "loss"}
    torch.testing.assert_close(out["loss"], out["l1"] + 2.0 * out["push_pull"])
    torch.testing.assert_close(out["push_pull"], push_pull_loss(vis, ir, fused, **SMALL))


def test_alpha2_positive_needs_a_classifier() -> None:
    with pytest.raises(ValueError, match="classifier"):
        FusionTotalLoss(alpha2=0.84)
    with pytest.raises(ValueError, match="l1_mode"):
        FusionTotalLoss(alpha2=0.0, l1_mode="median")


def test_all_terms_and_reductions() -> None:
    vis, ir, fused = _triple()
    classifier = _classifier()
    loss = LOSSES.build(dict(type="FusionTotalLoss", alpha2=0.84, beta=2.0, l1_mode="max", push_pull_cfg=SMALL,
                             loss_weight=0.5, reduction="none"), default_args=dict(classifier=classifier))
    out = loss(vis, ir, fused)
    assert set(out) == {"l1", "constraint", "push_pull", "loss"} and all(v.shape == (2,) for v in out.values())
    torch.testing.assert_close(out["constraint"], semantic_constraint_loss(classifier(fused), reduction="none"))
    torch.testing.assert_close(out["loss"], 0.5 * (out["l1"] + 0.84 * out["constraint"] + 2.0 * out["push_pull"]))


def test_constraint_cfg_reaches_the_constraint() -> None:
    vis, ir, fused = _triple()
    classifier = _classifier()
    loss = FusionTotalLoss(classifier=classifier, push_pull_cfg=SMALL, constraint_cfg=dict(satisfied_at=0.3),
                           reduction="none")
    expected = semantic_constraint_loss(classifier(fused), reduction="none", satisfied_at=0.3)
    torch.testing.assert_close(loss(vis, ir, fused)["constraint"], expected)


def test_beta_zero_skips_push_pull_and_takes_tiny_images() -> None:
    vis, ir, fused = _triple(size=8)
    out = FusionTotalLoss(alpha2=0.0, beta=0.0)(vis, ir, fused)
    assert set(out) == {"l1", "loss"}
    torch.testing.assert_close(out["loss"], fusion_l1_loss(vis, ir, fused))


def test_gradient_reaches_fused_not_classifier() -> None:
    vis, ir, fused = _triple()
    classifier = _classifier()
    fused.requires_grad_(True)
    FusionTotalLoss(classifier=classifier, push_pull_cfg=SMALL)(vis, ir, fused)["loss"].backward()
    assert fused.grad.abs().sum() > 0
    assert all(p.grad is None for p in classifier.parameters())


def test_gradcheck_wrt_fused(monkeypatch: pytest.MonkeyPatch) -> None:
    """float64 gradcheck with the Push-Pull weights frozen at their value (detached by design)."""
    vis, ir, fused = _triple(1)
    fused.requires_grad_(True)
    alpha = push_pull_module.push_pull_weights(vis, ir, fused)
    monkeypatch.setattr(push_pull_module, "push_pull_weights", lambda *args, **kwargs: alpha)
    loss = FusionTotalLoss(classifier=_classifier(), push_pull_cfg=SMALL)
    assert torch.autograd.gradcheck(lambda f: loss(vis, ir, f)["loss"], (fused,), fast_mode=True)
