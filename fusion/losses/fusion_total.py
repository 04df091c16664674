"""Stage-2 total loss of MSFAM (Sec. 3.3, Eq. 2): ``L1(I, V, F) + alpha2 L_constraint + beta L_pushpull``, plus
this project's ``gamma L_target`` (:mod:`fusion.losses.target_contrast`; ``gamma = 0``, the default, is the paper).

MSFAM, "A Multi-Stage Visible and Infrared Image Fusion Network Based on Attention Mechanism", Sensors 2022;
alpha2 = 0.84 and beta = 2 are the paper's defaults (Tables 4-5).

The paper does not define the L1 term with two sources. Offered here (``l1_mode``):

* ``"mean"`` (default): ``(|F - V| + |F - I|) / 2``, the symmetric choice that prefers no source, leaving the
  balance between them to the Push-Pull and Semantic Constraint terms; its minimiser is any value between
  ``V`` and ``I``, so it constrains intensity without forcing the average;
* ``"max"``: ``|F - max(V, I)|``, the max-intensity target common in fusion networks (e.g. SeAFusion's
  intensity loss), which favours bright infrared targets.
"""
from __future__ import annotations

import torch
from torch import nn

from fusion.losses.push_pull import PushPullLoss
from fusion.losses.semantic_constraint import SemanticConstraintLoss
from fusion.losses.target_contrast import TargetContrastLoss
from fusion.losses.utils import check_reduction, reduce_loss
from fusion.registry import LOSSES

L1_MODES = ("mean", "max")


def fusion_l1_loss(vis: torch.Tensor, ir: torch.Tensor, fused: torch.Tensor, mode: str = "mean",
                   reduction: str = "mean") -> torch.Tensor:
    """Two-source L1 term, averaged over pixels per sample (see the module docstring for the modes).

    Args:
        vis: ``(B, 1, H, W)`` visible image.
        ir: ``(B, 1, H, W)`` infrared image.
        fused: ``(B, 1, H, W)`` fused image.
        mode: ``"mean"`` or ``"max"``.
        reduction: ``"none"`` (``(B,)``), ``"mean"`` or ``"sum"``.

    Returns:
        The loss.
    """
    if not vis.shape == ir.shape == fused.shape:
        raise ValueError(f"shapes differ: vis {tuple(vis.shape)}, ir {tuple(ir.shape)}, fused {tuple(fused.shape)}")
    if mode == "mean":
        per_pixel = ((fused - vis).abs() + (fused - ir).abs()) / 2
    elif mode == "max":
        per_pixel = (fused - torch.maximum(vis, ir)).abs()
    else:
        raise ValueError(f"mode must be one of {L1_MODES}, got {mode!r}")
    return reduce_loss(per_pixel.flatten(1).mean(dim=1), reduction)


@LOSSES.register_module()
class FusionTotalLoss(nn.Module):
    """Stage-2 loss; returns its parts and the total so that training can log each.

    ``forward`` returns a dict: ``"l1"``, ``"constraint"``, ``"push_pull"`` and ``"target"`` hold the unweighted
    terms (a term whose coefficient is 0 is neither computed nor returned) and ``"loss"`` holds
    ``loss_weight * (l1 + alpha2 * constraint + beta * push_pull + gamma * target)``. Only ``"loss"`` contains the word
    "loss", so mmengine's ``parse_losses`` sums it alone and logs the parts.

    With mmengine, pass the frozen classifier at build time:
    ``LOSSES.build(dict(type="FusionTotalLoss", alpha2=0.84, beta=2.0), default_args=dict(classifier=net))``.

    Args:
        alpha2: weight of the Semantic Constraint loss; 0 needs no classifier.
        beta: weight of the Push-Pull loss.
        gamma: weight of the infrared target contrast loss (this project's; 0: the paper's loss).
        l1_mode: ``"mean"`` or ``"max"``, see :func:`fusion_l1_loss`.
        classifier: the Semantic Constraint classifier (``(B, 2)`` logits), required when ``alpha2 > 0``;
            it is frozen by :class:`SemanticConstraintLoss`.
        constraint_cfg: keyword arguments of :class:`SemanticConstraintLoss` (``satisfied_at``); the
            default is the paper's unbounded loss.
        push_pull_cfg: keyword arguments of :class:`PushPullLoss` (``levels``, ``win_size``, ``win_sigma``,
            ``edge_eps``, ``weighting``); the defaults suit 320x256 crops.
        target_cfg: keyword arguments of :class:`TargetContrastLoss` (``sigma_fraction``, ``top_fraction``).
        loss_weight: factor on the total.
        reduction: ``"none"``, ``"mean"`` or ``"sum"`` over the batch, applied to every part.

    Shape:
        - vis, ir, fused: ``(B, 1, H, W)`` in ``[0, 1]``.
        - each value of the result: scalar, or ``(B,)`` with ``reduction="none"``.
    """

    def __init__(self, alpha2: float = 0.84, beta: float = 2.0, l1_mode: str = "mean",
                 classifier: nn.Module | None = None, push_pull_cfg: dict | None = None,
                 constraint_cfg: dict | None = None, gamma: float = 0.0, target_cfg: dict | None = None,
                 loss_weight: float = 1.0, reduction: str = "mean") -> None:
        super().__init__()
        if l1_mode not in L1_MODES:
            raise ValueError(f"l1_mode must be one of {L1_MODES}, got {l1_mode!r}")
        if alpha2 < 0 or beta < 0 or gamma < 0:
            raise ValueError(f"alpha2, beta and gamma must be >= 0, got {alpha2}, {beta} and {gamma}")
        if alpha2 > 0 and classifier is None:
            raise ValueError("alpha2 > 0 needs the Semantic Constraint classifier (or set alpha2=0)")
        self.alpha2 = alpha2
        self.beta = beta
        self.gamma = gamma
        self.l1_mode = l1_mode
        self.loss_weight = loss_weight
        self.reduction = check_reduction(reduction)
        self.constraint = (SemanticConstraintLoss(classifier, reduction="none", **(constraint_cfg or {}))
                           if alpha2 > 0 else None)
        self.push_pull = PushPullLoss(**(push_pull_cfg or {}), reduction="none") if beta > 0 else None
        self.target = TargetContrastLoss(**(target_cfg or {}), reduction="none") if gamma > 0 else None

    def forward(self, vis: torch.Tensor, ir: torch.Tensor, fused: torch.Tensor) -> dict[str, torch.Tensor]:
        parts = {"l1": fusion_l1_loss(vis, ir, fused, self.l1_mode, reduction="none")}
        total = parts["l1"]
        if self.constraint is not None:
            parts["constraint"] = self.constraint(fused)
            total = total + self.alpha2 * parts["constraint"]
        if self.push_pull is not None:
            parts["push_pull"] = self.push_pull(vis, ir, fused)
            total = total + self.beta * parts["push_pull"]
        if self.target is not None:
            parts["target"] = self.target(ir, fused)
            total = total + self.gamma * parts["target"]
        parts["loss"] = self.loss_weight * total
        return {name: reduce_loss(value, self.reduction) for name, value in parts.items()}
