import math

import numpy as np
import pytest

from fusion.metrics import cc, pearson, scd

# Flattened row-major 2x2 images: A = (1, 2, 3, 4), B = (1, 1, 1, 3), F = (1, 3, 2, 5).
A = np.array([[1.0, 2.0], [3.0, 4.0]])
B = np.array([[1.0, 1.0], [1.0, 3.0]])
F = np.array([[1.0, 3.0], [2.0, 5.0]])


def test_cc_hand_computed():
    # centred A = (-1.5, -0.5, 0.5, 1.5), sum sq 5; centred B = (-0.5, -0.5, -0.5, 1.5), sum sq 3;
    # centred F = (-1.75, 0.25, -0.75, 2.25), sum sq 8.75.
    # A.F = 2.625 - 0.125 - 0.375 + 3.375 = 5.5 -> r(A, F) = 5.5 / sqrt(43.75)
    # B.F = 0.875 - 0.125 + 0.375 + 3.375 = 4.5 -> r(B, F) = 4.5 / sqrt(26.25)
    expected = (5.5 / math.sqrt(43.75) + 4.5 / math.sqrt(26.25)) / 2
    assert cc(A, B, F) == pytest.approx(expected, abs=1e-12)


def test_scd_hand_computed():
    # F - B = (0, 2, 1, 2): centred (-1.25, 0.75, -0.25, 0.75), sum sq 2.75; with centred A: 2.5
    #   -> r(F - B, A) = 2.5 / sqrt(2.75 * 5)
    # F - A = (0, 1, -1, 1): centred (-0.25, 0.75, -1.25, 0.75), sum sq 2.75; with centred B: 1.5
    #   -> r(F - A, B) = 1.5 / sqrt(2.75 * 3)
    expected = 2.5 / math.sqrt(13.75) + 1.5 / math.sqrt(8.25)
    assert scd(A, B, F) == pytest.approx(expected, abs=1e-12)


def test_pearson_properties():
    assert pearson(A, 3 * A + 7) == pytest.approx(1.0, abs=1e-12)
    assert pearson(A, -A) == pytest.approx(-1.0, abs=1e-12)
    assert math.isnan(pearson(A, np.full_like(A, 4.0)))


def test_cc_of_a_source_copy_and_scd_of_average(ir_vis):
    ir, vis = ir_vis
    assert cc(ir, vis, ir) == pytest.approx((1 + pearson(ir, vis)) / 2, abs=1e-12)
    # F = A + B makes F - B = A and F - A = B: SCD = 2
    assert scd(ir, vis, ir + vis) == pytest.approx(2.0, abs=1e-12)
