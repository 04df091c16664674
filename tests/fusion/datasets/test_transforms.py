"""CropFlip: one crop window and the same flips for every image of a sample; small images resized up, never padded."""
from __future__ import annotations

import numpy as np
import pytest

from fusion.datasets.transforms import CropFlip, resize_to_cover


def _pair(shape=(40, 48), seed=0):
    rng = np.random.default_rng(seed)
    vis = rng.random(shape, dtype=np.float32)
    return vis, vis * 0.5 + 0.25  # ir is a pixel-wise function of vis: alignment is checkable


@pytest.mark.parametrize("seed", range(8))
def test_crop_and_flips_are_identical_for_both_images(seed):
    vis, ir = _pair()
    out_vis, out_ir = CropFlip((24, 16))([vis, ir], np.random.default_rng(seed))
    assert out_vis.shape == out_ir.shape == (16, 24)
    np.testing.assert_array_equal(out_ir, out_vis * 0.5 + 0.25)


def test_crop_is_a_window_of_the_possibly_flipped_image():
    vis, ir = _pair()
    (crop,) = CropFlip((24, 16), hflip=False, vflip=False)([vis], np.random.default_rng(3))
    windows = [vis[t:t + 16, x:x + 24] for t in range(25) for x in range(25)]
    assert any(np.array_equal(crop, w) for w in windows)


def test_flips_happen_both_ways_over_many_draws():
    vis, _ = _pair((4, 5))
    seen = {CropFlip(None)([vis], np.random.default_rng(s))[0].tobytes() for s in range(64)}
    expected = {v.tobytes() for v in (vis, vis[:, ::-1].copy(), vis[::-1].copy(), vis[::-1, ::-1].copy())}
    assert seen == expected


def test_small_image_is_resized_up_to_cover_the_crop_keeping_aspect():
    image = np.linspace(0.2, 0.8, 20 * 30, dtype=np.float32).reshape(20, 30)
    covered = resize_to_cover(image, (48, 40))
    assert covered.shape == (40, 60)  # scale 2 = max(48/30, 40/20), aspect 3:2 kept
    (crop,) = CropFlip((48, 40), hflip=False, vflip=False)([image], np.random.default_rng(0))
    assert crop.shape == (40, 48)
    # bilinear interpolation of the image, no padding: values stay within the image's range
    assert crop.min() >= image.min() - 1e-6 and crop.max() <= image.max() + 1e-6


def test_large_image_is_not_resized():
    image = np.zeros((50, 60), np.float32)
    assert resize_to_cover(image, (48, 40)) is image


def test_eval_mode_keeps_the_full_image_and_needs_no_rng():
    vis, ir = _pair((33, 47))
    transform = CropFlip(None, hflip=False, vflip=False)
    assert not transform.is_random
    out = transform([vis, ir], None)
    np.testing.assert_array_equal(out[0], vis)
    np.testing.assert_array_equal(out[1], ir)


def test_errors():
    with pytest.raises(ValueError, match="differ in size"):
        CropFlip((8, 8))([np.zeros((10, 10)), np.zeros((10, 11))], np.random.default_rng(0))
    with pytest.raises(ValueError, match="random generator"):
        CropFlip((8, 8))([np.zeros((10, 10))], None)
    with pytest.raises(ValueError, match="width, height"):
        CropFlip((8,))
