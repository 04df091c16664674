import cv2
import numpy as np
import pytest

from fusion.metrics import read_gray


def test_greyscale_file_is_read_as_stored(tmp_path):
    image = np.arange(60, dtype=np.uint8).reshape(6, 10) * 4
    cv2.imwrite(str(tmp_path / "g.png"), image)
    result = read_gray(tmp_path / "g.png")
    assert result.dtype == np.float64 and np.array_equal(result, image)


def test_colour_file_becomes_bt601_luminance(tmp_path):
    bgr = np.zeros((2, 3, 3), dtype=np.uint8)
    bgr[0, 0] = (0, 0, 255)      # red:   0.299 * 255 = 76.245 -> 76
    bgr[0, 1] = (0, 255, 0)      # green: 0.587 * 255 = 149.685 -> 150
    bgr[0, 2] = (255, 0, 0)      # blue:  0.114 * 255 = 29.07 -> 29
    bgr[1, :] = (10, 200, 100)   # 0.299 * 100 + 0.587 * 200 + 0.114 * 10 = 148.44 -> 148
    cv2.imwrite(str(tmp_path / "c.png"), bgr)
    assert np.array_equal(read_gray(tmp_path / "c.png"), [[76, 150, 29], [148, 148, 148]])


def test_unreadable_files_are_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing.png"):
        read_gray(tmp_path / "missing.png")
    (tmp_path / "broken.png").write_bytes(b"not an image")
    with pytest.raises(ValueError, match="broken.png"):
        read_gray(tmp_path / "broken.png")
    cv2.imwrite(str(tmp_path / "deep.png"), np.full((4, 4), 1000, dtype=np.uint16))
    with pytest.raises(ValueError, match="deep.png.*8 bits"):
        read_gray(tmp_path / "deep.png")
