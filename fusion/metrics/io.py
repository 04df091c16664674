"""Read images for scoring: greyscale float64 on the 0..255 scale, as the reference evaluation codes do."""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from ..utils.images import read_uint8_image


def read_gray(path: str | Path) -> np.ndarray:
    """Read an 8-bit image file as a greyscale float64 ``(H, W)`` array on [0, 255].

    Greyscale files are returned as stored. Colour files are converted to luminance with the ITU-R BT.601
    weights ``Y = 0.299 R + 0.587 G + 0.114 B`` (OpenCV's ``COLOR_BGR2GRAY``; alpha is ignored) in float
    and rounded to integers, as CDDFuse's ``image_read_cv2(path, 'GRAY')`` and MATLAB's ``rgb2gray`` do.

    Args:
        path: image file (PNG, JPEG, BMP, TIFF, ... anything OpenCV decodes).

    Returns:
        ``(H, W)`` float64 array, [0, 255], HW.

    Raises:
        FileNotFoundError: no file at ``path``.
        ValueError: OpenCV cannot decode the file, or it is not 8-bit (e.g. a 16-bit thermal PNG).
    """
    image = read_uint8_image(path)
    if image.ndim == 3:
        image = np.rint(cv2.cvtColor(image.astype(np.float32), cv2.COLOR_BGR2GRAY))
    return image.astype(np.float64)
