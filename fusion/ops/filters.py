"""Fixed image filters of the training-free baselines: box mean, median and the Burt-Adelson pyramid steps.

All work on ``(B, C, H, W)`` tensors of any size, per channel, on the input's device and dtype.

Pyramid steps follow OpenCV's ``cv2.pyrDown`` / ``cv2.pyrUp``: the 5-tap binomial kernel
``[1, 4, 6, 4, 1] / 16`` applied separably with reflect-101 borders (``dcba|bcd``, torch's ``"reflect"``).
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

_BINOMIAL_5 = (1.0, 4.0, 6.0, 4.0, 1.0)


def check_fusion_inputs(vis: torch.Tensor, ir: torch.Tensor) -> None:
    """Raise a readable ``ValueError`` unless ``vis`` and ``ir`` are ``(B, 1, H, W)`` tensors of one shape."""
    if vis.dim() != 4 or vis.shape[1] != 1:
        raise ValueError(f"expected (B, 1, H, W) inputs, got shape {tuple(vis.shape)}")
    if vis.shape != ir.shape:
        raise ValueError(f"vis {tuple(vis.shape)} and ir {tuple(ir.shape)} differ in shape")


def _check_image(image: torch.Tensor) -> None:
    if image.dim() != 4:
        raise ValueError(f"expected a (B, C, H, W) tensor, got shape {tuple(image.shape)}")


def _check_odd(size: int, name: str) -> None:
    if size < 1 or size % 2 == 0:
        raise ValueError(f"{name} must be a positive odd integer, got {size}")


def box_filter(image: torch.Tensor, size: int) -> torch.Tensor:
    """Mean over a ``size x size`` window, replicate borders ('same' size), separable.

    Args:
        image: ``(B, C, H, W)`` tensor.
        size: odd window side.

    Returns:
        ``(B, C, H, W)`` filtered tensor.
    """
    _check_image(image)
    _check_odd(size, "size")
    r = size // 2
    padded = F.pad(image, (r, r, r, r), mode="replicate")
    return F.avg_pool2d(F.avg_pool2d(padded, (size, 1), stride=1), (1, size), stride=1)


def median_filter(image: torch.Tensor, size: int) -> torch.Tensor:
    """Median over a ``size x size`` window, replicate borders ('same' size).

    Unfolds the ``size**2`` neighbours (9 copies of the image for ``size = 3``: about 12 MB a float32
    640x512 plane), meant for small windows.

    Args:
        image: ``(B, C, H, W)`` tensor.
        size: odd window side.

    Returns:
        ``(B, C, H, W)`` filtered tensor.
    """
    _check_image(image)
    _check_odd(size, "size")
    b, c, h, w = image.shape
    r = size // 2
    patches = F.unfold(F.pad(image, (r, r, r, r), mode="replicate"), size)
    return patches.view(b, c, size * size, h, w).median(dim=2).values


def _binomial_blur(image: torch.Tensor, gain: float) -> torch.Tensor:
    """Separable ``[1, 4, 6, 4, 1] / 16`` blur times ``gain`` per axis, reflect-101 borders, any channels."""
    b, c, h, w = image.shape
    k = torch.tensor(_BINOMIAL_5, dtype=image.dtype, device=image.device) * (gain / 16.0)
    planes = F.pad(image.reshape(b * c, 1, h, w), (2, 2, 2, 2), mode="reflect")
    planes = F.conv2d(F.conv2d(planes, k.view(1, 1, 5, 1)), k.view(1, 1, 1, 5))
    return planes.view(b, c, h, w)


def pyr_down(image: torch.Tensor) -> torch.Tensor:
    """Blur and keep the even rows and columns, as ``cv2.pyrDown``.

    Args:
        image: ``(B, C, H, W)`` tensor with ``H, W >= 3``.

    Returns:
        ``(B, C, (H + 1) // 2, (W + 1) // 2)`` tensor.
    """
    _check_image(image)
    if min(image.shape[-2:]) < 3:
        raise ValueError(f"pyr_down needs H, W >= 3, got {tuple(image.shape[-2:])}")
    return _binomial_blur(image, 1.0)[..., ::2, ::2]


def pyr_up(image: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    """Upsample to ``size`` as ``cv2.pyrUp``: zero insertion at ``(2h, 2w)``, the blur times 4, a crop.

    Args:
        image: ``(B, C, h, w)`` tensor.
        size: target ``(H, W)`` with ``H`` in ``{2h - 1, 2h}`` and likewise ``W`` (the size the level had
            before :func:`pyr_down`), each ``>= 3``; an odd side is the even result cropped, as OpenCV does.

    Returns:
        ``(B, C, H, W)`` tensor.
    """
    _check_image(image)
    b, c, h, w = image.shape
    out_h, out_w = size
    if out_h not in (2 * h - 1, 2 * h) or out_w not in (2 * w - 1, 2 * w) or min(out_h, out_w) < 3:
        raise ValueError(f"cannot pyr_up {(h, w)} to {tuple(size)}")
    upsampled = image.new_zeros(b, c, 2 * h, 2 * w)
    upsampled[..., ::2, ::2] = image
    return _binomial_blur(upsampled, 2.0)[..., :out_h, :out_w]
