"""Read 8-bit image files with clear errors: as stored (``uint8``), as a greyscale-decoded thermal band (``uint8``),
as greyscale for scoring (float64 on [0, 255]) and as network input (float32 on [0, 1]); colour becomes its
BT.601 luminance."""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np


def _decode(path: Path, flag: int) -> np.ndarray:
    """``cv2.imread(path, flag)`` with a clear error for a missing or undecodable file."""
    if not path.is_file():
        raise FileNotFoundError(f"image file not found: {path}")
    image = cv2.imread(str(path), flag)
    if image is None:
        raise ValueError(f"cannot read image {path}: OpenCV could not decode it (truncated or not an image)")
    return image


def read_uint8_image(path: str | Path) -> np.ndarray:
    """Read an image file as ``uint8`` ``(H, W)`` or ``(H, W, 3)`` BGR (as :meth:`fusion.apis.Fuser.fuse` takes it).

    Raises:
        FileNotFoundError: no file at ``path``.
        ValueError: OpenCV cannot decode it (truncated or not an image) or it is not 8 bits per channel
            (e.g. a 16-bit thermal PNG).
    """
    path = Path(path)
    image = _decode(path, cv2.IMREAD_UNCHANGED)
    if image.dtype != np.uint8:
        raise ValueError(f"cannot use image {path}: expected 8 bits per channel, got {image.dtype} "
                         "(convert it to 8-bit first)")
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[:, :, 0]
    if image.ndim == 3 and image.shape[2] == 4:
        image = image[:, :, :3]
    return image


def read_uint8_grey(path: str | Path) -> np.ndarray:
    """Read an 8-bit image file as ``uint8`` ``(H, W)`` greyscale, decoded as greyscale (a JPEG's luma plane).

    The thermal band's reader wherever a KAIST frame is read (``tools/fuse_dataset.py``, the MMDetection
    transforms, ``tools/detect_pairs.py --kaist``): KAIST stores its thermal images as colour JPEGs whose three
    planes differ by up to 4 grey levels, so taking one plane, or converting the decoded colour, gives other
    pixels.

    Raises:
        FileNotFoundError: no file at ``path``.
        ValueError: OpenCV cannot decode it.
    """
    return _decode(Path(path), cv2.IMREAD_GRAYSCALE)


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


def read_luminance(path: str | Path) -> np.ndarray:
    """Read an 8-bit image as greyscale ``float32 (H, W)`` on [0, 1].

    Exactly the pixels :func:`read_gray` scores, divided by 255 (colour files become their
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
