"""Semantic Constraint loss: BCE of a frozen classifier's outputs towards (1, 1)."""
from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from fusion.losses import SemanticConstraintLoss, semantic_constraint_loss
from fusion.registry import LOSSES


def _classifier() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
                         nn.Flatten(), nn.Dropout(0.5), nn.Linear(4, 2))


def test_function_is_minus_log_sigmoid_sum_and_stable() -> None:
    logits = torch.tensor([[0.3, -1.2], [2.0, 0.0]], dtype=torch.float64)
    expected = -(torch.sigmoid(logits).log()).sum(dim=1)
    torch.testing.assert_close(semantic_constraint_loss(logits, reduction="none"), expected)
    torch.testing.assert_close(semantic_constraint_loss(logits), expected.mean())
    extreme = semantic_constraint_loss(torch.tensor([[-200.0, 200.0]]))
    assert torch.isfinite(extreme) and extreme.item() == pytest.approx(200.0)


def test_decreases_as_logits_rise() -> None:
    logits = torch.randn(4, 2)
    values = [semantic_constraint_loss(logits + shift).item() for shift in (-1.0, 0.0, 1.0, 3.0)]
    assert values == sorted(values, reverse=True) and values[-1] > 0


def test_loss_decreases_when_the_classifier_scores_the_fused_image_higher() -> None:
    scorer = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(1, 2))
    with torch.no_grad():
        scorer[2].weight.fill_(4.0)
        scorer[2].bias.fill_(-2.0)
    loss = SemanticConstraintLoss(scorer)
    dark, bright = torch.full((2, 1, 8, 8), 0.2), torch.full((2, 1, 8, 8), 0.8)
    assert loss(bright) < loss(dark)


def test_classifier_is_frozen_and_gets_no_gradient() -> None:
    classifier = _classifier().train()
    loss = LOSSES.build(dict(type="SemanticConstraintLoss"), default_args=dict(classifier=classifier))
    assert all(not p.requires_grad for p in classifier.parameters())
    loss.train()
    assert not any(m.training for m in classifier.modules())
    fused = torch.rand(2, 1, 8, 8, requires_grad=True)
    loss(fused).backward()
    assert fused.grad is not None and fused.grad.abs().sum() > 0
    assert all(p.grad is None for p in classifier.parameters())


def test_unfreezing_is_detected() -> None:
    loss = SemanticConstraintLoss(_classifier())
    loss.classifier[1].train()
    with pytest.raises(RuntimeError, match="frozen"):
        loss(torch.rand(1, 1, 8, 8))
    loss.classifier.eval()
    loss.classifier[0].weight.requires_grad_(True)
    with pytest.raises(RuntimeError, match="frozen"):
        loss(torch.rand(1, 1, 8, 8))


def test_checks_inputs() -> None:
    with pytest.raises(ValueError, match=r"\(B, 2\)"):
        semantic_constraint_loss(torch.zeros(3))
    with pytest.raises(TypeError, match="nn.Module"):
        SemanticConstraintLoss(classifier=lambda x: x)
    with pytest.raises(ValueError, match="reduction"):
        SemanticConstraintLoss(_classifier(), reduction="batchmean")


def test_gradcheck_wrt_fused() -> None:
    loss = SemanticConstraintLoss(_classifier().double(), loss_weight=0.5)
    fused = torch.rand(2, 1, 6, 6, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(loss, (fused,))


def test_satisfied_at_zeroes_recognised_outputs_only():
    p0 = 0.6
    logits = torch.tensor([[3.0, 3.0], [-1.0, 3.0], [-2.0, -2.0]], requires_grad=True)
    bounded = semantic_constraint_loss(logits, reduction="none", satisfied_at=p0)
    expected = (torch.log(torch.tensor(p0)) - F.logsigmoid(logits.detach())).clamp(min=0).sum(dim=1)
    torch.testing.assert_close(bounded, expected)
    assert bounded[0] == 0  # both outputs above p0: satisfied
    bounded.sum().backward()
    assert torch.all(logits.grad[0] == 0) and logits.grad[1, 1] == 0  # no push past p0
    assert logits.grad[1, 0] < 0 and torch.all(logits.grad[2] < 0)  # missed sources still pulled up


def test_satisfied_at_outside_unit_interval_is_refused():
    with pytest.raises(ValueError, match="satisfied_at"):
        semantic_constraint_loss(torch.zeros(1, 2), satisfied_at=1.0)
    with pytest.raises(ValueError, match="satisfied_at"):
        SemanticConstraintLoss(_classifier(), satisfied_at=0.0)
