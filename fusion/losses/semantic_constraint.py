"""Semantic Constraint loss of MSFAM (Sec. 3.5, Eq. 8): a frozen classifier should call the fused image both.

MSFAM, "A Multi-Stage Visible and Infrared Image Fusion Network Based on Attention Mechanism", Sensors 2022.
The classifier (4 convs + 1 fully connected layer, two sigmoid outputs ``p_vis``, ``p_ir``) is trained as a
multi-label model beforehand and frozen in stage 2; the loss is BCE towards the label ``(1, 1)``, i.e.
``-log p_vis - log p_ir`` (Eq. 8 prints it without the minus sign).
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from fusion.losses.utils import check_reduction, reduce_loss
from fusion.registry import LOSSES


def semantic_constraint_loss(logits: torch.Tensor, reduction: str = "mean") -> torch.Tensor:
    """``-log sigmoid(z_vis) - log sigmoid(z_ir)`` per sample, computed stably from the logits.

    Args:
        logits: ``(B, 2)`` classifier logits ``[z_vis, z_ir]`` of the fused images.
        reduction: ``"none"`` (``(B,)``), ``"mean"`` or ``"sum"``.

    Returns:
        The loss, ``>= 0``, decreasing as either logit rises.
    """
    if logits.dim() != 2 or logits.shape[1] != 2:
        raise ValueError(f"expected (B, 2) logits [vis, ir], got shape {tuple(logits.shape)}")
    per_output = F.binary_cross_entropy_with_logits(logits, torch.ones_like(logits), reduction="none")
    return reduce_loss(per_output.sum(dim=1), reduction)


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
        loss_weight: factor on the result.
        reduction: ``"none"``, ``"mean"`` or ``"sum"`` over the batch.

    Shape:
        - fused: ``(B, 1, H, W)``, the size the classifier takes.
        - result: scalar, or ``(B,)`` with ``reduction="none"``.
    """

    def __init__(self, classifier: nn.Module, loss_weight: float = 1.0, reduction: str = "mean") -> None:
        super().__init__()
        if not isinstance(classifier, nn.Module):
            raise TypeError(f"classifier must be an nn.Module, got {type(classifier).__name__}")
        self.classifier = classifier.requires_grad_(False).eval()
        self.loss_weight = loss_weight
        self.reduction = check_reduction(reduction)

    def train(self, mode: bool = True) -> SemanticConstraintLoss:
        super().train(mode)
        self.classifier.eval()
        return self

    def forward(self, fused: torch.Tensor) -> torch.Tensor:
        if any(m.training for m in self.classifier.modules()) or any(
                p.requires_grad for p in self.classifier.parameters()):
            raise RuntimeError("the Semantic Constraint classifier must stay frozen (eval mode, requires_grad "
                               "False); it was changed after the loss was built")
        return self.loss_weight * semantic_constraint_loss(self.classifier(fused), self.reduction)
