"""Read training images as greyscale float arrays on [0, 1], the scale of the networks' inputs."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ..metrics.io import read_gray


def read_luminance(path: str | Path) -> np.ndarray:
    """Read an 8-bit image as greyscale ``float32 (H, W)`` on [0, 1].

    Exactly the pixels :func:`fusion.metrics.read_gray` scores, divided by 255 (colour files become their
    rounded ITU-R BT.601 luminance), so a network is trained and validated on the values the metrics see.
    A 3-channel thermal image (KAIST stores its greyscale lwir frames as colour JPEGs) takes the same path.

    Args:
        path: image file (PNG, JPEG, BMP, TIFF, ...).

    Returns:
        ``(H, W)`` float32 array on [0, 1].

    Raises:
        FileNotFoundError: no file at ``path``.
        ValueError: OpenCV cannot decode it, or it is not 8 bits per channel.
    """
    return (read_gray(path) / 255.0).astype(np.float32)
