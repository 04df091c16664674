"""Training samples of the Semantic Constraint classifier (MSFAM Sec. 3.5): visible, infrared or fused.

Each pair of a paired dataset appears three times an epoch: as its visible image (label (1, 0)), its
infrared image (label (0, 1)) and a fused image (label (1, 1)). Fusing runs on the training device (see
:class:`fusion.engine.tasks.classifier.ClassifierTask`), so a sample carries both sources, its ``kind``
and a uniform ``draw`` in [0, 1) from which the task picks the fusion method: the choice is then as
reproducible as the crop, and the dataset need not know the methods.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..registry import DATASETS
from .base import SeededDataset

#: ``kind`` of a sample, which is also the row of its label in :data:`LABELS`.
VISIBLE, INFRARED, FUSED = 0, 1, 2
KINDS = ("visible", "infrared", "fused")
#: Multi-label target ``(is visible, is infrared)`` of each kind.
LABELS = ((1.0, 0.0), (0.0, 1.0), (1.0, 1.0))


@DATASETS.register_module()
class ClassifierSampleDataset(SeededDataset):
    """Samples ``{"vis", "ir", "name", "kind", "draw"}``: pair ``i % N`` as kind ``i // N``.

    Args:
        pairs: a paired dataset (``{"vis", "ir", "name"}`` samples) or its config.
        seed: base seed of the per-sample generators (crop, flips and ``draw``).
    """

    def __init__(self, pairs: SeededDataset | dict, seed: int = 0) -> None:
        super().__init__(crop_size=None, flip=False, seed=seed)
        self.pairs = DATASETS.build(pairs) if isinstance(pairs, dict) else pairs

    def __len__(self) -> int:
        return len(KINDS) * len(self.pairs)

    def load(self, index: int, rng: np.random.Generator) -> dict[str, Any]:
        kind, pair = divmod(index, len(self.pairs))
        sample = self.pairs.load(pair, rng)
        return {**sample, "kind": kind, "draw": float(rng.random())}
