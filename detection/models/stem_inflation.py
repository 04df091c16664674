"""ImageNet (3-channel) ResNet weights for backbones that see the thermal band: the first convolution inflated
to four bands, or reduced to one, by rules whose invariants the tests check.

Bands are normalised one by one (``MultiBandDetDataPreprocessor``): ``x_c = (p_c - mean_c) / std_c``.

- :func:`inflate_to_pair` (early fusion, R, G, B, thermal): the thermal filters are the mean of the RGB filters
  and each RGB filter gives up ``a_c`` times it, ``a_c = luma_c * std_c / std_t``. Fed a thermal band equal to
  the image's luminance ``Y = sum(luma_c * p_c)``, normalised with ``mean_t = sum(luma_c * mean_c)``, the
  4-band convolution gives exactly the 3-band one's response; otherwise it adds the mean RGB filter's response
  to the thermal-minus-luminance difference.
- :func:`reduce_to_grey` (the thermal stream of halfway fusion): ``std_t * sum(w_c / std_c)``: fed a grey
  image ``t``, it responds as the RGB convolution fed ``(t, t, t)``, up to a constant per filter.
"""
from __future__ import annotations

from collections.abc import Sequence

import torch
from mmengine.runner.checkpoint import _load_checkpoint, _load_checkpoint_with_prefix

#: ITU-R BT.601 luminance weights of R, G, B (OpenCV's and ``fusion``'s greyscale conversion).
LUMA_RGB = (0.299, 0.587, 0.114)


def thermal_mean_for_inflation(rgb_mean: Sequence[float], luma: Sequence[float] = LUMA_RGB) -> float:
    """The thermal band's normalisation mean under which :func:`inflate_to_pair` is exact: the means' luminance."""
    return float(sum(k * m for k, m in zip(luma, rgb_mean)))


def inflate_to_pair(weight: torch.Tensor, band_std: Sequence[float], luma: Sequence[float] = LUMA_RGB
                    ) -> torch.Tensor:
    """``(O, 3, k, k)`` RGB filters -> ``(O, 4, k, k)`` R, G, B, thermal filters (see the module docstring).

    Args:
        weight: the first convolution's weight of an RGB network.
        band_std: the normalisation stds of R, G, B and the thermal band.
        luma: luminance weights of R, G, B.
    """
    if weight.shape[1] != 3 or len(band_std) != 4:
        raise ValueError(f"inflates RGB filters with R, G, B, thermal stds; got {tuple(weight.shape)} filters "
                         f"and {len(band_std)} stds")
    thermal = weight.mean(dim=1, keepdim=True)
    share = torch.tensor([k * s / band_std[3] for k, s in zip(luma, band_std[:3])], dtype=weight.dtype)
    return torch.cat([weight - thermal * share.view(1, 3, 1, 1).to(weight.device), thermal], dim=1)


def reduce_to_grey(weight: torch.Tensor, rgb_std: Sequence[float], grey_std: float) -> torch.Tensor:
    """``(O, 3, k, k)`` RGB filters -> ``(O, 1, k, k)`` filters of one band normalised by ``grey_std``."""
    if weight.shape[1] != 3 or len(rgb_std) != 3:
        raise ValueError(f"reduces RGB filters with three stds; got {tuple(weight.shape)} and {len(rgb_std)}")
    scale = torch.tensor([grey_std / s for s in rgb_std], dtype=weight.dtype, device=weight.device)
    return (weight * scale.view(1, 3, 1, 1)).sum(dim=1, keepdim=True)


def split_pretrained(init_cfg: dict | list | None) -> tuple[dict | None, dict | list | None]:
    """``(pretrained, rest)``: a ``Pretrained`` init config taken apart from the rest (loaded by the backbone
    itself, after the random initialisation of whatever the checkpoint does not cover)."""
    if isinstance(init_cfg, dict) and init_cfg.get("type") == "Pretrained":
        return dict(init_cfg), None
    return None, init_cfg


def pretrained_state(pretrained: dict) -> dict[str, torch.Tensor]:
    """The state dict a ``Pretrained`` init config names (``checkpoint``, optional ``prefix``), on the CPU.

    Loaded through mmengine's checkpoint loaders, so local files go through ``detection.checkpoint``'s
    weights-only loader and ``torchvision://`` names through mmengine's.
    """
    checkpoint, prefix = pretrained["checkpoint"], pretrained.get("prefix")
    if prefix:
        return dict(_load_checkpoint_with_prefix(prefix, checkpoint, map_location="cpu"))
    loaded = _load_checkpoint(checkpoint, map_location="cpu")
    state = loaded.get("state_dict", loaded) if isinstance(loaded, dict) else loaded
    return {key.removeprefix("module."): value for key, value in state.items()}
