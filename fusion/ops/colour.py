"""BGR <-> luminance + chroma (YCrCb, ITU-R BT.601) on torch tensors, as OpenCV's float conversion does it.

The tensor twins of :func:`fusion.apis.inference.split_luma_chroma` / ``merge_luma_chroma`` (``cv2.cvtColor``
on float32 images: delta 0.5), for fusing batches of colour images on a GPU.
"""
from __future__ import annotations

import torch

_DELTA = 0.5


def split_luma_chroma(bgr: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """``(B, 3, H, W)`` BGR in [0, 1] -> luminance ``(B, 1, H, W)`` and chroma ``(B, 2, H, W)`` (Cr, Cb)."""
    blue, green, red = bgr[:, 0:1], bgr[:, 1:2], bgr[:, 2:3]
    luma = 0.299 * red + 0.587 * green + 0.114 * blue
    return luma, torch.cat([(red - luma) * 0.713 + _DELTA, (blue - luma) * 0.564 + _DELTA], dim=1)


def merge_luma_chroma(luma: torch.Tensor, chroma: torch.Tensor) -> torch.Tensor:
    """Inverse of :func:`split_luma_chroma`: ``(B, 1, H, W)`` and ``(B, 2, H, W)`` -> BGR ``(B, 3, H, W)``."""
    cr, cb = chroma[:, 0:1] - _DELTA, chroma[:, 1:2] - _DELTA
    return torch.cat([luma + 1.773 * cb, luma - 0.714 * cr - 0.344 * cb, luma + 1.403 * cr], dim=1)
