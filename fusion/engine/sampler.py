"""An endless, seeded stream of training batches that can start at any iteration (for exact resume).

Iteration ``i`` is batch ``i % B`` of epoch ``i // B`` (``B`` batches an epoch, the last incomplete batch
dropped). Each epoch shuffles the dataset with a generator seeded by ``(seed, epoch)``, so the batch of
an iteration depends on nothing but the seed and the iteration: a run resumed at iteration ``k`` sees
the same batches as an uninterrupted one. Batches hold ``(epoch, index)`` keys, which
:class:`fusion.datasets.base.SeededDataset` turns into per-sample random generators.
"""
from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from torch.utils.data import Sampler


class EpochBatchSampler(Sampler[list[tuple[int, int]]]):
    """Endless batches of ``(epoch, index)`` keys, from iteration ``start_iter`` on.

    Args:
        length: number of samples of the dataset.
        batch_size: samples a batch.
        seed: seed of the per-epoch shuffles.
        shuffle: shuffle each epoch (else dataset order).
        start_iter: first iteration to yield.
    """

    def __init__(self, length: int, batch_size: int, seed: int = 0, shuffle: bool = True, start_iter: int = 0) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        if length < batch_size:
            raise ValueError(f"the dataset holds {length} sample(s), fewer than one batch of {batch_size}")
        self.length = length
        self.batch_size = batch_size
        self.seed = seed
        self.shuffle = shuffle
        self.start_iter = start_iter

    @property
    def batches_per_epoch(self) -> int:
        """Complete batches an epoch."""
        return self.length // self.batch_size

    def epoch_order(self, epoch: int) -> np.ndarray:
        """The sample order of ``epoch``."""
        if not self.shuffle:
            return np.arange(self.length)
        return np.random.default_rng([self.seed, epoch]).permutation(self.length)

    def __iter__(self) -> Iterator[list[tuple[int, int]]]:
        iteration = self.start_iter
        while True:
            epoch, batch = divmod(iteration, self.batches_per_epoch)
            order = self.epoch_order(epoch)
            for start in range(batch * self.batch_size, self.batches_per_epoch * self.batch_size, self.batch_size):
                yield [(epoch, int(index)) for index in order[start:start + self.batch_size]]
                iteration += 1
