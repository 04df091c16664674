"""Base of the training datasets: reproducible per-sample randomness that does not depend on workers.

Every random choice of a sample (crop window, flips, the class of a classifier sample) comes from a
generator seeded with ``(seed, epoch, index)``. A sample is therefore the same whichever DataLoader
worker loads it and whether or not training was interrupted and resumed, and it changes from epoch to
epoch. The key of ``dataset[key]`` is an index (epoch 0) or an ``(epoch, index)`` tuple, as yielded by
:class:`fusion.engine.sampler.EpochBatchSampler`.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Union

import numpy as np
import torch
from torch.utils.data import Dataset

from ..registry import DATASETS
from .transforms import CropFlip

Key = Union[int, tuple[int, int]]


def to_tensor(image: np.ndarray) -> torch.Tensor:
    """``(H, W)`` float array -> ``(1, H, W)`` float32 tensor."""
    return torch.from_numpy(np.ascontiguousarray(image, dtype=np.float32))[None]


class SeededDataset(Dataset):
    """A map-style dataset whose samples draw from a generator seeded by ``(seed, epoch, index)``.

    Subclasses implement ``__len__`` and :meth:`load`.

    Args:
        crop_size: crop ``(width, height)``; None keeps full images (evaluation).
        flip: random horizontal and vertical flips.
        seed: base seed of the per-sample generators.
    """

    def __init__(self, crop_size: Sequence[int] | None = (320, 256), flip: bool = True, seed: int = 0) -> None:
        self.transform = CropFlip(crop_size, hflip=flip, vflip=flip)
        self.seed = int(seed)

    def __len__(self) -> int:
        raise NotImplementedError

    def load(self, index: int, rng: np.random.Generator) -> dict[str, Any]:
        """Sample ``index`` with its random choices drawn from ``rng``."""
        raise NotImplementedError

    def __getitem__(self, key: Key) -> dict[str, Any]:
        epoch, index = key if isinstance(key, tuple) else (0, key)
        if not 0 <= index < len(self):
            raise IndexError(f"index {index} out of range for a dataset of {len(self)} samples")
        return self.load(int(index), np.random.default_rng([self.seed, int(epoch), int(index)]))


@DATASETS.register_module()
class ConcatFusionDataset(SeededDataset):
    """Several datasets of the same sample layout one after the other (e.g. TNO/RoadScene pairs and KAIST pairs).

    Args:
        datasets: built datasets or their configs (``SeededDataset`` subclasses).
        seed: base seed of the per-sample generators (the parts' own seeds are not used).
    """

    def __init__(self, datasets: Sequence[SeededDataset | dict], seed: int = 0) -> None:
        super().__init__(crop_size=None, flip=False, seed=seed)
        self.datasets = [DATASETS.build(d) if isinstance(d, dict) else d for d in datasets]
        if not self.datasets:
            raise ValueError("ConcatFusionDataset needs at least one dataset")
        self.offsets = np.cumsum([0] + [len(d) for d in self.datasets])

    def __len__(self) -> int:
        return int(self.offsets[-1])

    def load(self, index: int, rng: np.random.Generator) -> dict[str, Any]:
        part = int(np.searchsorted(self.offsets, index, side="right")) - 1
        return self.datasets[part].load(index - int(self.offsets[part]), rng)
