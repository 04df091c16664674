"""read_uint8_image: layouts returned and the errors for missing, undecodable and 16-bit files."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from fusion.utils.images import read_uint8_image


def test_grey_colour_and_alpha_layouts(tmp_path):
    grey = np.arange(48, dtype=np.uint8).reshape(6, 8)
    cv2.imwrite(str(tmp_path / "grey.png"), grey)
    bgra = np.dstack([grey, grey, grey, np.full_like(grey, 7)])
    cv2.imwrite(str(tmp_path / "bgra.png"), bgra)
    assert np.array_equal(read_uint8_image(tmp_path / "grey.png"), grey)
    assert np.array_equal(read_uint8_image(tmp_path / "bgra.png"), bgra[..., :3])


def test_errors_name_the_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing.png"):
        read_uint8_image(tmp_path / "missing.png")
    (tmp_path / "broken.png").write_bytes(b"not an image")
    with pytest.raises(ValueError, match="broken.png: OpenCV could not decode it"):
        read_uint8_image(tmp_path / "broken.png")
    cv2.imwrite(str(tmp_path / "deep.png"), np.zeros((4, 4), np.uint16))
    with pytest.raises(ValueError, match="deep.png: expected 8 bits per channel, got uint16"):
        read_uint8_image(tmp_path / "deep.png")
