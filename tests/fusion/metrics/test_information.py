import math

import numpy as np
import pytest

from fusion.metrics import entropy, joint_histogram, mi, mutual_information


def test_entropy_of_constant_image_is_zero():
    assert entropy(np.full((7, 9), 113.0)) == 0.0


def test_entropy_hand_computed():
    # levels 0 (4 px), 10 (2 px), 20 (1 px), 30 (1 px): p = 1/2, 1/4, 1/8, 1/8
    # EN = 1/2 * 1 + 1/4 * 2 + 2 * (1/8 * 3) = 1.75 bits
    image = np.array([[0, 0, 0, 0], [10, 10, 20, 30]], dtype=np.uint8)
    assert entropy(image) == pytest.approx(1.75, abs=1e-12)


def test_entropy_rounds_and_clips_floats():
    # 0.4 -> 0, 0.6 -> 1, 300 -> 255, -5 -> 0: levels {0: 2, 1: 1, 255: 1} -> 1.5 bits
    assert entropy(np.array([[0.4, 0.6], [300.0, -5.0]])) == pytest.approx(1.5, abs=1e-12)


def _mi_by_pairs(x: np.ndarray, y: np.ndarray) -> float:
    """sum over observed (u, v) of p(u, v) log2(p(u, v) / (p(u) p(v))), by explicit loops."""
    x, y = x.ravel(), y.ravel()
    n = x.size
    total = 0.0
    for u in np.unique(x):
        for v in np.unique(y):
            p_uv = np.count_nonzero((x == u) & (y == v)) / n
            if p_uv > 0:
                total += p_uv * math.log2(p_uv / ((np.count_nonzero(x == u) / n) * (np.count_nonzero(y == v) / n)))
    return total


def test_mutual_information_matches_loop_over_level_pairs():
    rng = np.random.default_rng(3)
    x = rng.integers(0, 6, size=(12, 10)) * 40
    y = np.clip(x + rng.integers(-40, 41, size=x.shape), 0, 255)
    assert mutual_information(x, y) == pytest.approx(_mi_by_pairs(x, y), abs=1e-12)


def test_mutual_information_is_symmetric_and_bounded(ir_vis):
    ir, vis = ir_vis
    fused = (ir + vis) / 2
    assert mutual_information(ir, fused) == pytest.approx(mutual_information(fused, ir), abs=1e-12)
    assert mutual_information(ir, ir) == pytest.approx(entropy(ir), abs=1e-12)  # MI(X, X) = H(X)
    assert 0 < mutual_information(ir, fused) < entropy(ir)


def test_mi_sums_sources_and_converts_units(ir_vis):
    ir, vis = ir_vis
    fused = np.maximum(ir, vis)
    expected = mutual_information(ir, fused) + mutual_information(vis, fused)
    assert mi(ir, vis, fused) == pytest.approx(expected, abs=1e-12)
    assert mi(ir, vis, fused, base=math.e) == pytest.approx(expected * math.log(2), abs=1e-12)


def test_joint_histogram_counts_every_pixel():
    x = np.array([[0, 255], [3, 3]])
    hist = joint_histogram(x, x.T)
    assert hist.shape == (256, 256) and hist.sum() == 4
    assert hist[0, 0] == 1 and hist[255, 3] == 1 and hist[3, 255] == 1 and hist[3, 3] == 1


def test_mismatched_shapes_are_rejected():
    with pytest.raises(ValueError, match="same"):
        mutual_information(np.zeros((4, 4)), np.zeros((4, 5)))
