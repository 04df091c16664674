"""Per-sample SSIM and MS-SSIM for the losses, computed by pytorch-msssim with readable size checks.

pytorch-msssim (https://github.com/VainF/pytorch-msssim) filters with a Gaussian window without padding
('valid'), so the image must be at least as large as the window; its ``ms_ssim`` also asserts
``min(H, W) > (win_size - 1) * 16`` whatever the number of levels. Minimum sides (at most 5 levels):

==========  ==========  =============
win_size    SSIM        MS-SSIM
==========  ==========  =============
11          11          161 (320x256 takes the standard 5 levels)
7           7           97
3           3           33
==========  ==========  =============

Images are in ``[0, 1]`` (``data_range = 1``).
"""
from __future__ import annotations

import torch
from pytorch_msssim import ms_ssim, ssim

MS_SSIM_WEIGHTS = (0.0448, 0.2856, 0.3001, 0.2363, 0.1333)


def ms_ssim_min_side(win_size: int) -> int:
    """Smallest image side pytorch-msssim accepts for MS-SSIM with this window (any number of levels <= 5)."""
    return (win_size - 1) * 16 + 1


def _check_pair(x: torch.Tensor, y: torch.Tensor, win_size: int) -> None:
    if x.dim() != 4:
        raise ValueError(f"expected (B, C, H, W) tensors, got shape {tuple(x.shape)}")
    if x.shape != y.shape:
        raise ValueError(f"inputs differ in shape: {tuple(x.shape)} and {tuple(y.shape)}")
    if win_size < 1 or win_size % 2 == 0:
        raise ValueError(f"win_size must be a positive odd integer, got {win_size}")


def ssim_per_sample(x: torch.Tensor, y: torch.Tensor, win_size: int = 11, win_sigma: float = 1.5) -> torch.Tensor:
    """SSIM (Wang et al. 2004, Gaussian window, K = (0.01, 0.03)) of each sample, averaged over channels.

    Args:
        x: ``(B, C, H, W)`` in ``[0, 1]``, ``H, W >= win_size``.
        y: same shape as ``x``.
        win_size: odd Gaussian window side.
        win_sigma: Gaussian standard deviation.

    Returns:
        ``(B,)`` SSIM values in ``[-1, 1]``.
    """
    _check_pair(x, y, win_size)
    if min(x.shape[-2:]) < win_size:
        raise ValueError(f"SSIM with win_size={win_size} needs H, W >= {win_size}, got {tuple(x.shape[-2:])}")
    return ssim(x, y, data_range=1.0, size_average=False, win_size=win_size, win_sigma=win_sigma)


def ms_ssim_per_sample(
    x: torch.Tensor, y: torch.Tensor, levels: int = 5, win_size: int = 11, win_sigma: float = 1.5
) -> torch.Tensor:
    """MS-SSIM (Wang et al. 2003) of each sample over the ``levels`` finest scales, averaged over channels.

    Fewer than 5 levels use the first ``levels`` standard weights, renormalised to sum to 1.

    Args:
        x: ``(B, C, H, W)`` in ``[0, 1]``, ``H, W >= ms_ssim_min_side(win_size)``.
        y: same shape as ``x``.
        levels: number of scales, 1 to 5.
        win_size: odd Gaussian window side.
        win_sigma: Gaussian standard deviation.

    Returns:
        ``(B,)`` MS-SSIM values in ``[0, 1]``.
    """
    _check_pair(x, y, win_size)
    if not 1 <= levels <= len(MS_SSIM_WEIGHTS):
        raise ValueError(f"levels must be in 1..{len(MS_SSIM_WEIGHTS)}, got {levels}")
    min_side = ms_ssim_min_side(win_size)
    if min(x.shape[-2:]) < min_side:
        raise ValueError(f"MS-SSIM with win_size={win_size} needs H, W >= {min_side} (pytorch-msssim), "
                         f"got {tuple(x.shape[-2:])}")
    total = sum(MS_SSIM_WEIGHTS[:levels])
    weights = [w / total for w in MS_SSIM_WEIGHTS[:levels]]
    return ms_ssim(x, y, data_range=1.0, size_average=False, win_size=win_size, win_sigma=win_sigma,
                   weights=weights)
