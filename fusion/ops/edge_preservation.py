"""Petrovic/Xydeas edge preservation maps, shared by the Qabf metric and the Push-Pull loss.

Reference: C. S. Xydeas and V. Petrovic, "Objective image fusion performance measure",
Electronics Letters 36(4), 2000. The constants are those of every public Qabf implementation
(Tang's ``Evaluation-for-Image-Fusion``, CDDFuse ``utils/Evaluator.py``, VIFB).

Two orientation terms are offered:

* ``"xydeas"``: ``A = 1 - |a_s - a_f| / (pi / 2)``, as in the reference Qabf codes (the metric uses it);
* ``"folded"``: ``A = | |a_s - a_f| - pi / 2 | / (pi / 2)``, Algorithm 1 of the MSFAM paper, which treats
  orientations that differ by almost ``pi`` (nearly the same line) as similar (the loss uses it).
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F

GAMMA_G, KAPPA_G, SIGMA_G = 0.9994, -15.0, 0.5
GAMMA_A, KAPPA_A, SIGMA_A = 0.9879, -22.0, 0.8

# Correlation kernels equal to the references' ``conv2(I, [-1 0 1; -2 0 2; -1 0 1])`` and
# ``conv2(I, [1 2 1; 0 0 0; -1 -2 -1])`` (MATLAB's conv2 flips the kernel), so orientations match them.
_SOBEL_X = ((1.0, 0.0, -1.0), (2.0, 0.0, -2.0), (1.0, 0.0, -1.0))
_SOBEL_Y = ((-1.0, -2.0, -1.0), (0.0, 0.0, 0.0), (1.0, 2.0, 1.0))


def sobel_gradients(image: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Horizontal and vertical Sobel responses with zero padding ('same' size), signed as the Qabf references.

    Args:
        image: ``(B, 1, H, W)`` greyscale image, any range.

    Returns:
        ``(sx, sy)``, each ``(B, 1, H, W)``.
    """
    if image.dim() != 4 or image.shape[1] != 1:
        raise ValueError(f"expected a (B, 1, H, W) tensor, got shape {tuple(image.shape)}")
    kx = torch.tensor(_SOBEL_X, dtype=image.dtype, device=image.device).view(1, 1, 3, 3)
    ky = torch.tensor(_SOBEL_Y, dtype=image.dtype, device=image.device).view(1, 1, 3, 3)
    return F.conv2d(image, kx, padding=1), F.conv2d(image, ky, padding=1)


def edge_strength_orientation(image: torch.Tensor, eps: float = 0.0) -> tuple[torch.Tensor, torch.Tensor]:
    """Edge strength ``g = sqrt(sx^2 + sy^2)`` and orientation ``a = atan(sy / sx)`` in ``(-pi/2, pi/2]``.

    Args:
        image: ``(B, 1, H, W)`` greyscale image.
        eps: added under the square root; use a small positive value where gradients must stay finite
            on flat regions (losses), 0 for exact metric values.

    Returns:
        ``(g, a)``, each ``(B, 1, H, W)``; ``a = pi/2`` where ``sx = 0`` (the reference convention).
    """
    sx, sy = sobel_gradients(image)
    g = torch.sqrt(sx * sx + sy * sy + eps)
    flat_x = sx == 0
    a = torch.atan(sy / torch.where(flat_x, torch.ones_like(sx), sx))
    a = torch.where(flat_x, torch.full_like(a, math.pi / 2), a)
    return g, a


def edge_preservation(
    source: torch.Tensor,
    fused: torch.Tensor,
    orientation: str = "xydeas",
    eps: float = 0.0,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Edge preservation map ``Q^{SF}`` of a source in the fused image, and the source's weight map.

    Algorithm 1 of the MSFAM paper with ``L = 1``: ``Q = Q_g * Q_a`` and ``w = g_source``.

    Args:
        source: ``(B, 1, H, W)`` source image (0..255 or 0..1: the measure is scale invariant).
        fused: ``(B, 1, H, W)`` fused image on the same scale.
        orientation: ``"xydeas"`` (reference Qabf) or ``"folded"`` (the paper's Algorithm 1).
        eps: see :func:`edge_strength_orientation`; it also guards the strength ratio.

    Returns:
        ``(Q, w)``, each ``(B, 1, H, W)``, ``Q`` in ``[0, 1)``.
    """
    if source.shape != fused.shape:
        raise ValueError(f"source {tuple(source.shape)} and fused {tuple(fused.shape)} differ in shape")
    g_s, a_s = edge_strength_orientation(source, eps)
    g_f, a_f = edge_strength_orientation(fused, eps)
    larger = torch.maximum(g_s, g_f)
    smaller = torch.minimum(g_s, g_f)
    relative_strength = torch.where(larger > 0, smaller / torch.where(larger > 0, larger, torch.ones_like(larger)),
                                    torch.zeros_like(larger))
    diff = torch.abs(a_s - a_f)
    if orientation == "xydeas":
        relative_orientation = 1 - diff / (math.pi / 2)
    elif orientation == "folded":
        relative_orientation = torch.abs(diff - math.pi / 2) / (math.pi / 2)
    else:
        raise ValueError(f"orientation must be 'xydeas' or 'folded', got {orientation!r}")
    q_g = GAMMA_G / (1 + torch.exp(KAPPA_G * (relative_strength - SIGMA_G)))
    q_a = GAMMA_A / (1 + torch.exp(KAPPA_A * (relative_orientation - SIGMA_A)))
    return q_g * q_a, g_s
