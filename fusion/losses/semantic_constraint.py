"""Semantic Constraint loss of MSFAM (Sec. 3.5, Eq. 8): a frozen classifier should call the fused image both.

MSFAM, "A Multi-Stage Visible and Infrared Image Fusion Network Based on Attention Mechanism", Sensors 2022.
The classifier (4 convs + 1 fully connected layer, two sigmoid outputs ``p_vis``, ``p_ir``) is trained as a
multi-label model beforehand and frozen in stage 2; the loss is BCE towards the label ``(1, 1)``, i.e.
``-log p_vis - log p_ir`` (Eq. 8 prints it without the minus sign).

Unbounded, that loss keeps rewarding higher confidence long after the classifier recognises both sources, and
a network trained through a frozen CNN finds the cheapest way to raise it: adversarial texture rather than
content. Measured on the 24 validation pairs (320x256 crops), 100 stage-2 iterations took the constraint
from 0.61 to 0.22 (p_vis 0.78 -> 0.89, p_ir 0.78 -> 0.91) while the Push-Pull and L1 terms rose and the
validation score fell from 1.001 to 0.878. ``satisfied_at`` makes it a constraint in the strict sense: each
output's term ``max(0, log p0 - log p)`` is zero once ``p >= p0``, so it only acts on fused images in which
the classifier misses a source.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from fusion.losses.utils import check_reduction, reduce_loss
from fusion.registry import LOSSES


def semantic_constraint_loss(logits: torch.Tensor, reduction: str = "mean",
                             satisfied_at: float | None = None) -> torch.Tensor:
    """``-log sigmoid(z_vis) - log sigmoid(z_ir)`` per sample, computed stably from the logits.

    Args:
        logits: ``(B, 2)`` classifier logits ``[z_vis, z_ir]`` of the fused images.
        reduction: ``"none"`` (``(B,)``), ``"mean"`` or ``"sum"``.
        satisfied_at: ``None`` (the paper's unbounded loss) or a probability ``p0`` in ``(0, 1)``: each
            output contributes ``max(0, log p0 - log p)``, zero (and without gradient) once ``p >= p0``.

    Returns:
        The loss, ``>= 0``, not increasing as either logit rises.
    """
    if logits.dim() != 2 or logits.shape[1] != 2:
        raise ValueError(f"expected (B, 2) logits [vis, ir], got shape {tuple(logits.shape)}")
    per_output = F.binary_cross_entropy_with_logits(logits, torch.ones_like(logits), reduction="none")
    if satisfied_at is not None:
        check_probability(satisfied_at)
        per_output = (per_output + math.log(satisfied_at)).clamp(min=0)
    return reduce_loss(per_output.sum(dim=1), reduction)


def check_probability(value: float) -> None:
    """Raise a ``ValueError`` unless ``value`` lies strictly between 0 and 1."""
    if not 0.0 < value < 1.0:
        raise ValueError(f"satisfied_at must lie in (0, 1), got {value}")


@LOSSES.register_module()
class SemanticConstraintLoss(nn.Module):
    """Run a frozen classifier on the fused image and apply :func:`semantic_constraint_loss`.

    Freezing is enforced: the constructor sets ``requires_grad=False`` on every classifier parameter and
    puts it in eval mode, ``train()`` on this loss (or on a module holding it) keeps the classifier in eval
    mode (no BatchNorm statistics or dropout change), and ``forward`` raises a ``RuntimeError`` if the
    classifier was unfrozen or switched to training mode since. Gradient still flows through the classifier
    to the fused image. The classifier sees the fused image as given (not clipped).

    With mmengine, pass the (already loaded) classifier at build time:
    ``LOSSES.build(dict(type="SemanticConstraintLoss"), default_args=dict(classifier=net))``.

    Args:
        classifier: any module mapping ``(B, 1, H, W)`` images to ``(B, 2)`` logits ``[vis, ir]``.
        satisfied_at: ``None`` (unbounded, the paper) or the probability from which an output adds nothing
            (see :func:`semantic_constraint_loss`).
        loss_weight: factor on the result.
        reduction: ``"none"``, ``"mean"`` or ``"sum"`` over the batch.

    Shape:
        - fused: ``(B, 1, H, W)``, the size the classifier takes.
        - result: scalar, or ``(B,)`` with ``reduction="none"``.
    """

    def __init__(self, classifier: nn.Module, loss_weight: float = 1.0, reduction: str = "mean",
                 satisfied_at: float | None = None) -> None:
        super().__init__()
        if not isinstance(classifier, nn.Module):
            raise TypeError(f"classifier must be an nn.Module, got {type(classifier).__name__}")
        self.classifier = classifier.requires_grad_(False).eval()
        self.loss_weight = loss_weight
        self.reduction = check_reduction(reduction)
        if satisfied_at is not None:
            check_probability(satisfied_at)
        self.satisfied_at = satisfied_at

    def train(self, mode: bool = True) -> SemanticConstraintLoss:
        super().train(mode)
        self.classifier.eval()
        return self

    def forward(self, fused: torch.Tensor) -> torch.Tensor:
        if any(m.training for m in self.classifier.modules()) or any(
                p.requires_grad for p in self.classifier.parameters()):
            raise RuntimeError("the Semantic Constraint classifier must stay frozen (eval mode, requires_grad "
                               "False); it was changed after the loss was built")
        return self.loss_weight * semantic_constraint_loss(self.classifier(fused), self.reduction,
                                                           self.satisfied_at)
