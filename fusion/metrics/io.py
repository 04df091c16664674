"""Read images for scoring: greyscale float64 on the 0..255 scale, as the reference evaluation codes do."""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np


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
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"image file not found: {path}")
    image = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    if image is None:
        raise ValueError(f"cannot read image {path}: OpenCV could not decode it")
    if image.dtype != np.uint8:
        raise ValueError(f"cannot use image {path}: expected 8 bits per channel, got {image.dtype}")
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[:, :, 0]
    if image.ndim == 3:
        code = cv2.COLOR_BGRA2GRAY if image.shape[2] == 4 else cv2.COLOR_BGR2GRAY
        image = np.rint(cv2.cvtColor(image.astype(np.float32), code))
    return image.astype(np.float64)
