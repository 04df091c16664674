"""Training augmentation of MSFAM (Sec. 4.1): random 320x256 crops and random horizontal/vertical flips.

One :class:`CropFlip` call transforms every image of a sample (a visible/infrared pair, or one image)
with the same crop window and the same flips, so the pair stays pixel-aligned.

An image smaller than the crop on either side is first resized up (bilinear, keeping its aspect ratio)
until it covers the crop, then cropped: never padded, so a crop holds no artificial border (a
zero/reflect border would be an edge the fusion losses reward preserving, and a pattern the classifier
could learn to recognise).
"""
from __future__ import annotations

import math
from collections.abc import Sequence

import cv2
import numpy as np


def resize_to_cover(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Enlarge ``image`` (bilinear, same aspect ratio) so that it covers ``size``; larger images are unchanged.

    Args:
        image: ``(H, W)`` array.
        size: ``(width, height)`` to cover.

    Returns:
        ``(H', W')`` with ``W' >= width`` and ``H' >= height``; ``image`` itself if it already covers.
    """
    height, width = image.shape[:2]
    scale = max(size[0] / width, size[1] / height)
    if scale <= 1:
        return image
    new_size = (max(size[0], math.ceil(width * scale)), max(size[1], math.ceil(height * scale)))
    return cv2.resize(image, new_size, interpolation=cv2.INTER_LINEAR)


class CropFlip:
    """Random crop (resized up to cover first if needed) and random flips, the same for every image of a sample.

    Args:
        size: crop ``(width, height)``, e.g. ``(320, 256)``; None keeps the full image (evaluation).
        hflip: flip left-right with probability 0.5.
        vflip: flip upside-down with probability 0.5.

    Shape:
        a sequence of ``(H, W)`` arrays of one size -> the same number of ``(height, width)`` arrays (or
        ``(H, W)`` when ``size`` is None).
    """

    def __init__(self, size: Sequence[int] | None = (320, 256), hflip: bool = True, vflip: bool = True) -> None:
        if size is not None and (len(size) != 2 or min(size) < 1):
            raise ValueError(f"size must be (width, height) with positive sides, or None; got {size!r}")
        self.size = None if size is None else (int(size[0]), int(size[1]))
        self.hflip = hflip
        self.vflip = vflip

    @property
    def is_random(self) -> bool:
        """Whether the transform draws anything (False in evaluation mode)."""
        return self.size is not None or self.hflip or self.vflip

    def __call__(self, images: Sequence[np.ndarray], rng: np.random.Generator | None) -> list[np.ndarray]:
        """Transform the images of one sample.

        Args:
            images: arrays of the same ``(H, W)``.
            rng: source of the random choices; may be None only when nothing is random.

        Returns:
            The transformed arrays, C-contiguous.
        """
        shapes = {image.shape[:2] for image in images}
        if len(shapes) != 1:
            raise ValueError(f"the images of a sample differ in size: {sorted(shapes)}")
        if self.is_random and rng is None:
            raise ValueError("a random transform needs a random generator")
        out = list(images)
        if self.size is not None:
            out = [resize_to_cover(image, self.size) for image in out]
            height, width = out[0].shape[:2]
            top = int(rng.integers(0, height - self.size[1] + 1))
            left = int(rng.integers(0, width - self.size[0] + 1))
            out = [image[top:top + self.size[1], left:left + self.size[0]] for image in out]
        if self.hflip and rng.random() < 0.5:
            out = [image[:, ::-1] for image in out]
        if self.vflip and rng.random() < 0.5:
            out = [image[::-1] for image in out]
        return [np.ascontiguousarray(image) for image in out]

    def __repr__(self) -> str:
        return f"{type(self).__name__}(size={self.size}, hflip={self.hflip}, vflip={self.vflip})"
