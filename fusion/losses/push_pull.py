"""Push-Pull loss of MSFAM (Sec. 3.6, Algorithms 1-2): MS-SSIM losses weighted by edge preservation.

MSFAM, "A Multi-Stage Visible and Infrared Image Fusion Network Based on Attention Mechanism", Sensors 2022.
The weights are a feedback on how well the fused image keeps each source's edges. By default the feedback is
negative (the source kept less weighs more), which is what Sec. 3.6 describes; Algorithm 2 as printed gives
the opposite, self-reinforcing weights, kept as ``weighting="literal"`` for the ablation
(:func:`push_pull_weights` has the measurements).
Edge preservation maps: C. S. Xydeas and V. Petrovic, Electronics Letters 36(4), 2000, through
:func:`fusion.ops.edge_preservation.edge_preservation` with the paper's folded orientation term.
"""
from __future__ import annotations

import torch
from torch import nn

from fusion.losses.ssim import ms_ssim_per_sample
from fusion.losses.utils import check_reduction, reduce_loss
from fusion.ops.edge_preservation import edge_preservation
from fusion.registry import LOSSES

#: How the two MS-SSIM losses are weighted: ``"negative"`` feedback (default), Algorithm 2 as printed
#: (``"literal"``), or fixed ``(0.5, 0.5)`` (``"equal"``, the ablation without Push-Pull).
WEIGHTINGS = ("negative", "literal", "equal")
#: The adaptive weightings of :func:`push_pull_weights`.
FEEDBACKS = ("negative", "literal")


@torch.no_grad()
def push_pull_weights(vis: torch.Tensor, ir: torch.Tensor, fused: torch.Tensor, feedback: str = "negative",
                      edge_eps: float = 0.0) -> torch.Tensor:
    """Loss weights ``(alpha_vis, alpha_ir)`` of each sample (Algorithm 2, steps 1-3), without gradient.

    ``Q_s = sum(Q^{sF} w_s) / sum(w_vis + w_ir)`` over the pixels of a sample measures how well the fused
    image keeps the edges of source ``s``; ``r_s = Q_s / (Q_vis + Q_ir)``. Then:

    * ``feedback="negative"`` (default): ``alpha = softmax(r_ir, r_vis)``: the source the fused image keeps
      *less* gets the larger weight, so minimising the loss pulls the fused image towards it. This is the
      behaviour Sec. 3.6 describes: a fused image close to the visible one is pushed away from it and
      towards the infrared one and back, so that it "oscillates between" the sources, a balancing
      (negative) feedback;
    * ``feedback="literal"``: ``alpha = softmax(r_vis, r_ir)``, Algorithm 2 as printed. The source kept
      *better* gets the larger weight, and a larger weight on ``1 - MS-SSIM(S, F)`` pulls F further towards
      that same source: a self-reinforcing (positive) feedback that locks the output onto whichever source
      it starts near (measured on 81 training pairs: alpha_vis = 0.65 when F = visible, 0.33 when
      F = infrared). Kept for the ablation.

    Softmax of two ratios summing to 1 keeps each weight in ``[0.27, 0.73]``. Degenerate samples (no edges,
    or no edge kept from either source) get ``(0.5, 0.5)``.

    The weights carry no gradient: they are the paper's feedback signal, set "according to the current
    learning status" of the fused image. A gradient through them would let the network lower the loss by
    changing the edge preservation rather than the MS-SSIM terms, and the sigmoids and ratios of the ``Q``
    maps give ill-conditioned gradients (``atan(sy / sx)`` near ``sx = 0``).

    Args:
        vis: ``(B, 1, H, W)`` visible image in ``[0, 1]``.
        ir: ``(B, 1, H, W)`` infrared image.
        fused: ``(B, 1, H, W)`` fused image.
        feedback: ``"negative"`` or ``"literal"`` (see above).
        edge_eps: ``eps`` of :func:`edge_preservation`; 0 (default) gives the exact Qabf maps, which is
            safe here because no gradient is taken.

    Returns:
        ``(B, 2)`` weights ``[alpha_vis, alpha_ir]``, each row summing to 1.
    """
    if feedback not in FEEDBACKS:
        raise ValueError(f"feedback must be one of {FEEDBACKS}, got {feedback!r}")
    q_vis, w_vis = edge_preservation(vis, fused, orientation="folded", eps=edge_eps)
    q_ir, w_ir = edge_preservation(ir, fused, orientation="folded", eps=edge_eps)
    weight_sum = (w_vis + w_ir).flatten(1).sum(dim=1)
    kept = torch.stack([(q_vis * w_vis).flatten(1).sum(dim=1), (q_ir * w_ir).flatten(1).sum(dim=1)], dim=1)
    kept = kept / weight_sum.clamp_min(torch.finfo(kept.dtype).tiny).unsqueeze(1)
    kept_sum = kept.sum(dim=1, keepdim=True)
    ratios = torch.where(kept_sum > 0, kept / kept_sum.clamp_min(torch.finfo(kept.dtype).tiny),
                         torch.full_like(kept, 0.5))
    if feedback == "negative":
        ratios = ratios.flip(dims=[1])
    return torch.softmax(ratios, dim=1)


def push_pull_loss(
    vis: torch.Tensor,
    ir: torch.Tensor,
    fused: torch.Tensor,
    levels: int = 5,
    win_size: int = 11,
    win_sigma: float = 1.5,
    edge_eps: float = 0.0,
    reduction: str = "mean",
    weighting: str = "negative",
) -> torch.Tensor:
    """``alpha_vis (1 - MS-SSIM(V, F)) + alpha_ir (1 - MS-SSIM(I, F))`` per sample (Algorithm 2).

    Gradient flows to ``fused`` through the MS-SSIM terms only (see :func:`push_pull_weights`).

    ``weighting="negative"`` (default) or ``"literal"`` takes the adaptive weights of
    :func:`push_pull_weights` with that feedback; ``"equal"`` fixes ``alpha = (0.5, 0.5)``: the same MS-SSIM
    terms without the push-pull feedback, the "without Push-Pull" arm of the ablation (MSFAM Table 3),
    which then differs from the full loss in the adaptive weights alone (the paper does not say what
    replaced the loss there).

    Args:
        vis: ``(B, 1, H, W)`` visible image in ``[0, 1]``.
        ir: ``(B, 1, H, W)`` infrared image.
        fused: ``(B, 1, H, W)`` fused image.
        levels: MS-SSIM scales (5 standard; fewer use renormalised weights).
        win_size: odd MS-SSIM window side; sides must be at least ``16 (win_size - 1) + 1``
            (161 for 11, 33 for 3: see :mod:`fusion.losses.ssim`).
        win_sigma: MS-SSIM Gaussian standard deviation.
        edge_eps: see :func:`push_pull_weights`.
        reduction: ``"none"`` (``(B,)``), ``"mean"`` or ``"sum"``.
        weighting: ``"negative"``, ``"literal"`` or ``"equal"``.

    Returns:
        The loss.
    """
    if weighting in FEEDBACKS:
        alpha = push_pull_weights(vis, ir, fused, weighting, edge_eps)
    elif weighting == "equal":
        alpha = torch.full((fused.shape[0], 2), 0.5, dtype=fused.dtype, device=fused.device)
    else:
        raise ValueError(f"weighting must be one of {WEIGHTINGS}, got {weighting!r}")
    loss_vis = 1 - ms_ssim_per_sample(vis, fused, levels, win_size, win_sigma)
    loss_ir = 1 - ms_ssim_per_sample(ir, fused, levels, win_size, win_sigma)
    return reduce_loss(alpha[:, 0] * loss_vis + alpha[:, 1] * loss_ir, reduction)


@LOSSES.register_module()
class PushPullLoss(nn.Module):
    """Module form of :func:`push_pull_loss`, times ``loss_weight``.

    Args:
        levels: MS-SSIM scales, 1 to 5.
        win_size: odd MS-SSIM window side (11 for 320x256 crops; 3 lets 33x33 test inputs through).
        win_sigma: MS-SSIM Gaussian standard deviation.
        edge_eps: ``eps`` of the edge preservation maps.
        weighting: ``"negative"`` (default: the source kept less weighs more), ``"literal"`` (Algorithm 2 as
            printed) or ``"equal"`` (fixed 0.5 / 0.5); see :func:`push_pull_weights`.
        loss_weight: factor on the result.
        reduction: ``"none"``, ``"mean"`` or ``"sum"`` over the batch.

    Shape:
        - vis, ir, fused: ``(B, 1, H, W)`` in ``[0, 1]``.
        - result: scalar, or ``(B,)`` with ``reduction="none"``.
    """

    def __init__(self, levels: int = 5, win_size: int = 11, win_sigma: float = 1.5, edge_eps: float = 0.0,
                 weighting: str = "negative", loss_weight: float = 1.0, reduction: str = "mean") -> None:
        super().__init__()
        if weighting not in WEIGHTINGS:
            raise ValueError(f"weighting must be one of {WEIGHTINGS}, got {weighting!r}")
        self.weighting = weighting
        self.levels = levels
        self.win_size = win_size
        self.win_sigma = win_sigma
        self.edge_eps = edge_eps
        self.loss_weight = loss_weight
        self.reduction = check_reduction(reduction)

    def forward(self, vis: torch.Tensor, ir: torch.Tensor, fused: torch.Tensor) -> torch.Tensor:
        return self.loss_weight * push_pull_loss(vis, ir, fused, self.levels, self.win_size, self.win_sigma,
                                                 self.edge_eps, self.reduction, self.weighting)
