"""Read 8-bit image files: greyscale ``(H, W)`` or BGR ``(H, W, 3)`` ``uint8``, alpha dropped, clear errors."""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np


def read_uint8_image(path: str | Path) -> np.ndarray:
    """Read an image file as ``uint8`` ``(H, W)`` or ``(H, W, 3)`` BGR (as :meth:`fusion.apis.Fuser.fuse` takes it).

    Raises:
        FileNotFoundError: no file at ``path``.
        ValueError: OpenCV cannot decode it (truncated or not an image) or it is not 8 bits per channel
            (e.g. a 16-bit thermal PNG).
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"image file not found: {path}")
    image = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    if image is None:
        raise ValueError(f"cannot read image {path}: OpenCV could not decode it (truncated or not an image)")
    if image.dtype != np.uint8:
        raise ValueError(f"cannot use image {path}: expected 8 bits per channel, got {image.dtype} "
                         "(convert it to 8-bit first)")
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[:, :, 0]
    if image.ndim == 3 and image.shape[2] == 4:
        image = image[:, :, :3]
    return image
