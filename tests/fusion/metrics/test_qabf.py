import math

import numpy as np
import pytest
from scipy.signal import convolve2d

from fusion.metrics import qabf


def _qabf_reference(a: np.ndarray, b: np.ndarray, f: np.ndarray) -> float:
    """Port of the MATLAB / CDDFuse Qabf (conv2 Sobel, atan orientation), equal non-zero strengths -> ratio 1."""
    def strength_orientation(image):
        sx = convolve2d(image, np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], float), mode="same")
        sy = convolve2d(image, np.array([[1, 2, 1], [0, 0, 0], [-1, -2, -1]], float), mode="same")
        angle = np.full_like(image, math.pi / 2)
        angle[sx != 0] = np.arctan(sy[sx != 0] / sx[sx != 0])
        return np.hypot(sx, sy), angle

    def preservation(g_s, a_s, g_f, a_f):
        ratio = np.zeros_like(g_s)
        for mask, value in ((g_s > g_f, g_f / np.where(g_s > 0, g_s, 1)), (g_s < g_f, g_s / np.where(g_f > 0, g_f, 1)),
                            ((g_s == g_f) & (g_f > 0), 1.0)):
            ratio[mask] = np.broadcast_to(value, ratio.shape)[mask]
        q_g = 0.9994 / (1 + np.exp(-15 * (ratio - 0.5)))
        q_a = 0.9879 / (1 + np.exp(-22 * (1 - np.abs(a_s - a_f) / (math.pi / 2) - 0.8)))
        return q_g * q_a

    (g_a, a_a), (g_b, a_b), (g_f, a_f) = map(strength_orientation, (a, b, f))
    return float((preservation(g_a, a_a, g_f, a_f) * g_a + preservation(g_b, a_b, g_f, a_f) * g_b).sum()
                 / (g_a + g_b).sum())


@pytest.mark.parametrize("fusion", ["average", "max", "rounded_average"])
def test_matches_the_reference_maps(ir_vis, fusion):
    ir, vis = ir_vis
    fused = {"average": (ir + vis) / 2, "max": np.maximum(ir, vis), "rounded_average": np.rint((ir + vis) / 2)}[fusion]
    assert qabf(ir, vis, fused) == pytest.approx(_qabf_reference(ir, vis, fused), abs=1e-12)


def test_range_and_ordering(ir_vis):
    ir, vis = ir_vis
    average = qabf(ir, vis, (ir + vis) / 2)
    constant = qabf(ir, vis, np.full_like(ir, 128.0))
    assert 0 <= constant < average < 1
    assert 0 <= qabf(ir, vis, ir) < 1 and 0 <= qabf(ir, vis, 255 - vis) < 1
    assert qabf(ir, vis, ir) > average  # a copy of one source keeps all of its edges


def test_flat_sources_give_nan():
    black = np.zeros((16, 16))  # zero padding: only an all-zero image has no edge at all
    assert math.isnan(qabf(black, black, np.full_like(black, 9.0)))
