"""Read training images as greyscale float arrays on [0, 1], the scale of the networks' inputs."""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np


def read_luminance(path: str | Path) -> np.ndarray:
    """Read an 8-bit image as greyscale ``float32 (H, W)`` on [0, 1].

    Greyscale files are returned as stored. Colour files become their ITU-R BT.601 luminance
    ``Y = 0.299 R + 0.587 G + 0.114 B`` (``cv2.COLOR_BGR2GRAY``; alpha ignored), computed in float and
    rounded to integers: exactly the pixels :func:`fusion.metrics.read_gray` scores, so a network is
    trained and validated on the values the metrics see. A 3-channel thermal image (KAIST stores its
    greyscale lwir frames as colour JPEGs) takes the same path.

    Args:
        path: image file (PNG, JPEG, BMP, TIFF, ...).

    Returns:
        ``(H, W)`` float32 array on [0, 1].

    Raises:
        FileNotFoundError: no file at ``path``.
        ValueError: OpenCV cannot decode it, or it is not 8 bits per channel.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"image file not found: {path}")
    image = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    if image is None:
        raise ValueError(f"cannot read image {path}: OpenCV could not decode it")
    if image.dtype != np.uint8:
        raise ValueError(f"cannot train on {path}: expected 8 bits per channel, got {image.dtype}")
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[:, :, 0]
    if image.ndim == 3:
        code = cv2.COLOR_BGRA2GRAY if image.shape[2] == 4 else cv2.COLOR_BGR2GRAY
        image = np.rint(cv2.cvtColor(image.astype(np.float32), code))
    return image.astype(np.float32) / 255.0
