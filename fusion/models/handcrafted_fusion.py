"""NestFuse's hand-designed (parameter-free) spatial/channel attention fusion of two feature maps.

Reference: H. Li, X.-J. Wu, T. Durrani, "NestFuse", IEEE TIM 2020, https://arxiv.org/abs/2007.00328,
Sec. III-B (code: hli1221/imagefusion-nestfuse, ``fusion_strategy.py``). MSFAM uses it for the
"reconstruction training" row of its Table 1.

Differences from NestFuse's code, none of which changes its result on its own (ReLU, non-negative)
features beyond rounding:

* the channel activity of a map is a norm: ``avg`` = mean of ``|x|``, ``max`` = max of ``|x|``,
  ``nuclear`` = sum of singular values. On non-negative features ``avg`` and ``max`` are NestFuse's
  average and max pooling; on signed features (MSFAM's HIN encoder ends with a residual sum) the
  weights ``p1 / (p1 + p2)`` stay in ``[0, 1]`` instead of blowing up where ``p1 + p2`` nears 0;
* the nuclear norm is of ``x`` (NestFuse adds ``eps`` to every pixel first), batched with
  ``torch.linalg.svdvals``, computed in float32 at least;
* the spatial weights are a numerically stable softmax, where NestFuse computes
  ``exp(s1) / (exp(s1) + exp(s2) + eps)``, which overflows once features exceed about 88.
"""
from __future__ import annotations

import torch
from torch import nn

#: NestFuse's ``EPSILON``, added to the denominator of the channel weights.
EPS = 1e-5

POOLINGS = ("avg", "max", "nuclear")


def channel_activity(x: torch.Tensor, pooling: str = "avg") -> torch.Tensor:
    """Per-channel global activity of a feature map, a norm of each ``H x W`` map.

    Args:
        x: features.
        pooling: ``"avg"`` (mean of ``|x|``), ``"max"`` (max of ``|x|``) or ``"nuclear"`` (nuclear norm,
            the sum of the singular values).

    Returns:
        Non-negative activities, ``(B, C, 1, 1)``.

    Shape:
        ``(B, C, H, W) -> (B, C, 1, 1)``.
    """
    if pooling == "avg":
        return x.abs().mean(dim=(-2, -1), keepdim=True)
    if pooling == "max":
        return x.abs().amax(dim=(-2, -1), keepdim=True)
    if pooling == "nuclear":
        compute_dtype = torch.promote_types(x.dtype, torch.float32)
        singular_values = torch.linalg.svdvals(x.to(compute_dtype))
        return singular_values.sum(dim=-1)[..., None, None].to(x.dtype)
    raise ValueError(f"unknown pooling {pooling!r}, expected one of {POOLINGS}")


def channel_fusion(x1: torch.Tensor, x2: torch.Tensor, pooling: str = "avg", eps: float = EPS) -> torch.Tensor:
    """Weighted sum with per-channel weights ``p_i / (p_1 + p_2 + eps)`` from global activities ``p_i``.

    Shape:
        ``x1, x2: (B, C, H, W) -> (B, C, H, W)``.
    """
    p1 = channel_activity(x1, pooling)
    p2 = channel_activity(x2, pooling)
    total = p1 + p2 + eps
    return (p1 / total) * x1 + (p2 / total) * x2


def spatial_fusion(x1: torch.Tensor, x2: torch.Tensor) -> torch.Tensor:
    """Weighted sum with per-pixel weights: softmax over the two sources of the channel-mean maps.

    Shape:
        ``x1, x2: (B, C, H, W) -> (B, C, H, W)``.
    """
    maps = torch.stack([x1.mean(dim=1, keepdim=True), x2.mean(dim=1, keepdim=True)])
    w1, w2 = torch.softmax(maps, dim=0)
    return w1 * x1 + w2 * x2


def handcrafted_fusion(x1: torch.Tensor, x2: torch.Tensor, pooling: str = "avg", eps: float = EPS) -> torch.Tensor:
    """NestFuse's fusion: ``(channel_fusion + spatial_fusion) / 2``.

    Fusing a map with itself gives it back, exactly for ``eps = 0`` and within a relative
    ``eps / (4 p)`` of each channel (activity ``p``) otherwise.

    Args:
        x1: features of the first source (visible).
        x2: features of the second source (infrared).
        pooling: channel activity, see ``channel_activity``.
        eps: added to the denominator of the channel weights (NestFuse: 1e-5).

    Returns:
        The fused features.

    Shape:
        ``x1, x2: (B, C, H, W) -> (B, C, H, W)``.
    """
    if x1.shape != x2.shape:
        raise ValueError(f"features must have the same shape, got {tuple(x1.shape)} and {tuple(x2.shape)}")
    return (channel_fusion(x1, x2, pooling, eps) + spatial_fusion(x1, x2)) / 2


class HandcraftedFusion(nn.Module):
    """Module form of ``handcrafted_fusion`` (no parameters), one per scale in a ``NestFusionNetwork``.

    Args:
        pooling: ``"avg"`` (NestFuse's default), ``"max"`` or ``"nuclear"``.
        eps: added to the denominator of the channel weights.

    Shape:
        ``vis, ir: (B, C, H, W) -> (B, C, H, W)``.
    """

    def __init__(self, pooling: str = "avg", eps: float = EPS) -> None:
        super().__init__()
        if pooling not in POOLINGS:
            raise ValueError(f"unknown pooling {pooling!r}, expected one of {POOLINGS}")
        self.pooling = pooling
        self.eps = eps

    def forward(self, vis: torch.Tensor, ir: torch.Tensor) -> torch.Tensor:
        return handcrafted_fusion(vis, ir, self.pooling, self.eps)

    def extra_repr(self) -> str:
        return f"pooling={self.pooling!r}, eps={self.eps}"
