"""Input checks shared by the fusion metrics: greyscale ``(H, W)`` arrays converted to float64."""
from __future__ import annotations

import numpy as np


def as_gray_image(image: np.ndarray, name: str = "image") -> np.ndarray:
    """Check one greyscale image and return it as float64.

    Args:
        image: ``(H, W)`` array, integer (e.g. uint8) or floating point, on the 0..255 scale.
        name: what to call the array in error messages.

    Returns:
        The image as a float64 ``(H, W)`` array (no copy when it already is one).

    Raises:
        TypeError: the array is neither integer nor floating point.
        ValueError: the array is not 2-D or holds NaN / infinite values.
    """
    array = np.asarray(image)
    if array.ndim != 2:
        raise ValueError(f"{name} must be a greyscale (H, W) array, got shape {array.shape}")
    if array.dtype == np.bool_ or not (np.issubdtype(array.dtype, np.integer)
                                       or np.issubdtype(array.dtype, np.floating)):
        raise TypeError(f"{name} must hold integers or floats on the 0..255 scale, got dtype {array.dtype}")
    array = array.astype(np.float64, copy=False)
    if not np.isfinite(array).all():
        raise ValueError(f"{name} holds NaN or infinite values")
    return array


def as_image_triple(ir: np.ndarray, vis: np.ndarray, fused: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Check an (infrared, visible, fused) triple: three greyscale images of one shape, as float64.

    Args:
        ir: ``(H, W)`` infrared source ``A``.
        vis: ``(H, W)`` visible source ``B``.
        fused: ``(H, W)`` fused image ``F``.

    Returns:
        ``(A, B, F)`` as float64 arrays.

    Raises:
        ValueError: an image is not 2-D, or the shapes differ.
    """
    a, b, f = as_gray_image(ir, "ir"), as_gray_image(vis, "vis"), as_gray_image(fused, "fused")
    if not a.shape == b.shape == f.shape:
        raise ValueError(f"ir {a.shape}, vis {b.shape} and fused {f.shape} must have the same (H, W) shape")
    return a, b, f


def check_same_shape(x: np.ndarray, y: np.ndarray,
                     names: tuple[str, str] = ("x", "y")) -> tuple[np.ndarray, np.ndarray]:
    """Check a pair of greyscale images of one shape and return them as float64.

    Args:
        x: ``(H, W)`` image.
        y: ``(H, W)`` image.
        names: what to call them in error messages.

    Returns:
        ``(x, y)`` as float64 arrays.
    """
    x, y = as_gray_image(x, names[0]), as_gray_image(y, names[1])
    if x.shape != y.shape:
        raise ValueError(f"{names[0]} {x.shape} and {names[1]} {y.shape} must have the same (H, W) shape")
    return x, y
