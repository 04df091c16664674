"""Filters of the classical baselines, pinned against OpenCV (an independent implementation)."""
from __future__ import annotations

import cv2
import numpy as np
import pytest
import torch

from fusion.ops.filters import box_filter, median_filter, pyr_down, pyr_up

SIZES = [(37, 53), (8, 10), (5, 3), (3, 3)]


def _plane(h: int, w: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).random((h, w))


def _torch(a: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(a)[None, None]


@pytest.mark.parametrize("h,w", SIZES)
def test_pyr_down_matches_opencv(h: int, w: int) -> None:
    a = _plane(h, w)
    out = pyr_down(_torch(a))[0, 0].numpy()
    np.testing.assert_allclose(out, cv2.pyrDown(a), atol=1e-12)


@pytest.mark.parametrize("h,w", SIZES)
@pytest.mark.parametrize("odd_h,odd_w", [(0, 0), (1, 0), (0, 1), (1, 1)])
def test_pyr_up_matches_opencv(h: int, w: int, odd_h: int, odd_w: int) -> None:
    a = _plane(h, w)
    out_h, out_w = 2 * h - odd_h, 2 * w - odd_w
    out = pyr_up(_torch(a), (out_h, out_w))[0, 0].numpy()
    np.testing.assert_allclose(out, cv2.pyrUp(a, dstsize=(out_w, out_h)), atol=1e-12)


@pytest.mark.parametrize("size", [3, 5])
def test_median_matches_opencv(size: int) -> None:
    a = _plane(37, 53).astype(np.float32)
    out = median_filter(_torch(a), size)[0, 0].numpy()
    np.testing.assert_array_equal(out, cv2.medianBlur(a, size))


@pytest.mark.parametrize("size", [3, 35])
def test_box_matches_opencv_replicate(size: int) -> None:
    a = _plane(37, 53)
    out = box_filter(_torch(a), size)[0, 0].numpy()
    np.testing.assert_allclose(out, cv2.blur(a, (size, size), borderType=cv2.BORDER_REPLICATE), atol=1e-12)


def test_filters_keep_channels_and_batch_apart() -> None:
    x = torch.rand(2, 3, 11, 9, dtype=torch.float64)
    for op in (lambda t: box_filter(t, 5), lambda t: median_filter(t, 3), pyr_down):
        batched = op(x)
        single = op(x[1:2, 2:3])
        torch.testing.assert_close(batched[1:2, 2:3], single)


def test_bad_arguments_raise() -> None:
    x = torch.rand(1, 1, 8, 8)
    with pytest.raises(ValueError, match="odd"):
        box_filter(x, 4)
    with pytest.raises(ValueError, match=">= 3"):
        pyr_down(torch.rand(1, 1, 2, 8))
    with pytest.raises(ValueError, match="cannot pyr_up"):
        pyr_up(x, (20, 16))
