"""EpochBatchSampler: seeded epochs, complete batches, and a stream that restarts at any iteration."""
from __future__ import annotations

from itertools import islice

import pytest

from fusion.engine.sampler import EpochBatchSampler


def test_each_epoch_is_a_permutation_without_the_incomplete_batch():
    sampler = EpochBatchSampler(10, 3, seed=0)
    batches = list(islice(iter(sampler), 6))
    assert sampler.batches_per_epoch == 3 and all(len(b) == 3 for b in batches)
    for epoch in (0, 1):
        keys = [key for batch in batches[3 * epoch:3 * epoch + 3] for key in batch]
        assert {e for e, _ in keys} == {epoch}
        assert len({i for _, i in keys}) == 9  # 9 distinct samples, the 10th dropped this epoch
    assert [i for _, i in batches[0]] != [i for _, i in batches[3]]  # reshuffled


def test_start_iter_continues_the_same_stream():
    full = list(islice(iter(EpochBatchSampler(10, 3, seed=5)), 11))
    for start in (0, 2, 3, 7):
        assert list(islice(iter(EpochBatchSampler(10, 3, seed=5, start_iter=start)), 11 - start)) == full[start:]


def test_seed_and_shuffle():
    first = next(iter(EpochBatchSampler(10, 3, seed=0)))
    assert next(iter(EpochBatchSampler(10, 3, seed=1))) != first
    assert next(iter(EpochBatchSampler(10, 3, shuffle=False))) == [(0, 0), (0, 1), (0, 2)]


def test_dataset_smaller_than_a_batch():
    with pytest.raises(ValueError, match="fewer than one batch"):
        EpochBatchSampler(3, 4)
