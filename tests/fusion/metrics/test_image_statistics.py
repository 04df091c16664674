import math

import numpy as np
import pytest

from fusion.metrics import average_gradient, spatial_frequency, standard_deviation

# The 2x3 image used below:   1 2 4
#                             3 6 8
IMAGE = np.array([[1, 2, 4], [3, 6, 8]], dtype=np.uint8)


def test_standard_deviation_is_population():
    # mean 2.5; squared deviations 2.25, 0.25, 0.25, 2.25 -> mean 1.25
    assert standard_deviation(np.array([[1.0, 2.0], [3.0, 4.0]])) == pytest.approx(math.sqrt(1.25), abs=1e-12)


def test_spatial_frequency_hand_computed():
    # horizontal differences 1, 2 | 3, 2 -> squares 1, 4, 9, 4 -> RF^2 = 18 / 4 = 4.5
    # vertical differences 2, 4, 4 -> squares 4, 16, 16 -> CF^2 = 36 / 3 = 12
    assert spatial_frequency(IMAGE) == pytest.approx(math.sqrt(16.5), abs=1e-12)


def test_average_gradient_hand_computed():
    # MATLAB gradient: dx = [1, 1.5, 2] / [3, 2.5, 2] (one-sided at the ends, central inside),
    # dy = [2, 4, 4] on both rows (two rows: one-sided). sqrt((dx^2 + dy^2) / 2) per pixel:
    # row 1: sqrt(5/2), sqrt(18.25/2), sqrt(20/2); row 2: sqrt(13/2), sqrt(22.25/2), sqrt(20/2);
    # sum divided by (H - 1)(W - 1) = 2.
    expected = (math.sqrt(2.5) + math.sqrt(9.125) + math.sqrt(10) + math.sqrt(6.5) + math.sqrt(11.125)
                + math.sqrt(10)) / 2
    assert average_gradient(IMAGE) == pytest.approx(expected, abs=1e-12)


def test_flat_image_has_no_detail():
    flat = np.full((5, 6), 77.0)
    assert standard_deviation(flat) == 0 and spatial_frequency(flat) == 0 and average_gradient(flat) == 0


@pytest.mark.parametrize("metric", [spatial_frequency, average_gradient])
def test_single_row_is_rejected(metric):
    with pytest.raises(ValueError, match="2x2"):
        metric(np.zeros((1, 5)))


def test_colour_array_is_rejected():
    with pytest.raises(ValueError, match=r"\(H, W\)"):
        standard_deviation(np.zeros((4, 4, 3)))
