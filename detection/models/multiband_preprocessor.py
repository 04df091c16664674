"""A data preprocessor for images of more than three bands: the colour/thermal pairs of ``LoadImagePair``."""
from __future__ import annotations

from collections.abc import Sequence

import torch
from mmdet.models.data_preprocessors import DetDataPreprocessor
from mmdet.registry import MODELS


@MODELS.register_module()
class MultiBandDetDataPreprocessor(DetDataPreprocessor):
    """``DetDataPreprocessor`` for ``(C, H, W)`` images of any number of bands, normalised band by band.

    mmengine's preprocessor takes one or three means; this one takes one per band, in the order the model sees
    the bands (after ``bgr_to_rgb``, which swaps the first three bands only and keeps the rest in place).
    Padding, batching and box handling are ``DetDataPreprocessor``'s.

    Args:
        mean, std: one value per band (``C`` each).
        bgr_to_rgb: give the model R, G, B, ... instead of the loaded B, G, R, ...
        **kwargs: ``DetDataPreprocessor``'s (``pad_size_divisor``, ``pad_value``, ...), normalisation aside.
    """

    def __init__(self, mean: Sequence[float], std: Sequence[float], bgr_to_rgb: bool = False, **kwargs) -> None:
        super().__init__(mean=None, std=None, bgr_to_rgb=False, rgb_to_bgr=False, **kwargs)
        if len(mean) != len(std) or len(mean) < 3:
            raise ValueError(f"one mean and one std per band (at least 3), got {len(mean)} and {len(std)}")
        self.register_buffer("band_mean", torch.tensor(mean, dtype=torch.float32).view(-1, 1, 1), False)
        self.register_buffer("band_std", torch.tensor(std, dtype=torch.float32).view(-1, 1, 1), False)
        self.swap_first_three = bgr_to_rgb

    @property
    def num_bands(self) -> int:
        return len(self.band_mean)

    def normalise(self, image: torch.Tensor) -> torch.Tensor:
        """One ``(C, H, W)`` image (0..255, any dtype) as the model's float input."""
        if image.dim() != 3 or image.shape[0] != self.num_bands:
            raise ValueError(f"expected ({self.num_bands}, H, W) images (a colour/thermal pair: LoadImagePair), "
                             f"got shape {tuple(image.shape)}")
        image = image.to(self.device, torch.float32)
        if self.swap_first_three:
            image = image[[2, 1, 0, *range(3, self.num_bands)]]
        return (image - self.band_mean) / self.band_std

    def forward(self, data: dict, training: bool = False) -> dict:
        inputs = [self.normalise(image) for image in data["inputs"]]
        return super().forward({**data, "inputs": inputs}, training)
