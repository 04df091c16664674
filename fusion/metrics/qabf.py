"""Qabf: Xydeas & Petrovic's gradient-based fusion quality (edge information transferred to the fused image).

Reference: C. S. Xydeas and V. Petrovic, "Objective image fusion performance measure", Electronics Letters
36(4), 2000; the Qabf of Linfeng-Tang Evaluation-for-Image-Fusion (MATLAB) and
Zhaozixiang1228/MMIF-CDDFuse ``utils/Evaluator.py``. The per-pixel maps come from
:func:`fusion.ops.edge_preservation.edge_preservation`, shared with the Push-Pull loss.
"""
from __future__ import annotations

import numpy as np
import torch

from fusion.ops.edge_preservation import edge_preservation

from .checks import as_image_triple


def qabf(ir: np.ndarray, vis: np.ndarray, fused: np.ndarray) -> float:
    """Qabf = ``sum(Q_AF g_A + Q_BF g_B) / sum(g_A + g_B)``, with ``L = 1``.

    ``Q_SF = Q_g Q_a`` per pixel (Sobel strength and orientation preservation, sigmoid constants
    Gamma_g 0.9994, kappa_g -15, sigma_g 0.5, Gamma_a 0.9879, kappa_a -22, sigma_a 0.8; orientation term
    ``1 - |a_S - a_F| / (pi / 2)``) and ``g_S`` the source's Sobel strength, computed in float64 with zero
    padding ('same' size) as the references.

    The Sobel responses carry the references' signs (MATLAB ``conv2``, which flips the kernel), so the maps
    equal the references' maps, with one deliberate exception: where source and fused strengths are exactly
    equal and non-zero the strength ratio is 1, whereas the MATLAB code's ``GAF(gA == gF) = gF`` quirk uses
    the strength itself (a difference of a few 1e-4 in Qabf, mostly when ``F`` copies a source).

    Args:
        ir: ``(H, W)`` infrared source ``A``, [0, 255], HW.
        vis: ``(H, W)`` visible source ``B``, [0, 255], HW.
        fused: ``(H, W)`` fused image ``F``, [0, 255], HW.

    Returns:
        Qabf in ``[0, 1)``; NaN when both sources are flat (no edge to preserve).
    """
    a, b, f = as_image_triple(ir, vis, fused)
    images = torch.from_numpy(np.stack([a, b, f])[:, None])
    sources, fused_t = images[:2], images[2:].expand(2, -1, -1, -1)
    preservation, strength = edge_preservation(sources, fused_t, orientation="xydeas")
    total_strength = strength.sum().item()
    if total_strength == 0:
        return float("nan")
    return (preservation * strength).sum().item() / total_strength
