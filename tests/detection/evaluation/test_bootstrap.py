"""Paired bootstrap: intervals where the answer is known, seeds drawn with the images, MLPD against itself."""
from __future__ import annotations

import time

import numpy as np
import pytest

from detection.evaluation import load_ground_truth
from detection.evaluation.bootstrap import paired_intervals, resample_weights, resampled_figures
from detection.evaluation.resampling import ImageMatchCache

from .conftest import random_test_set

N_IMAGES = 120


@pytest.fixture(scope="module")
def test_set():
    data, dets = random_test_set(N_IMAGES, seed=7)
    return load_ground_truth(data), dets


def intervals(gt, candidate_seeds, reference_seeds, resamples=300, seed=0):
    rng = np.random.default_rng(seed)
    caches = [ImageMatchCache(gt, dets) for dets in (*candidate_seeds, *reference_seeds)]
    weights = resample_weights(len(gt), resamples, rng)
    figures = resampled_figures(caches, weights, chunk=64)
    full = [cache.evaluate(np.ones((1, len(gt)))) for cache in caches]
    k = len(candidate_seeds)
    return paired_intervals(figures[:k], figures[k:], full[:k], full[k:], rng)


def test_resample_weights_draw_every_image_count():
    weights = resample_weights(50, 20, np.random.default_rng(0))
    assert weights.shape == (20, 50) and (weights.sum(axis=1) == 50).all() and (weights >= 0).all()
    with pytest.raises(ValueError):
        resample_weights(0, 10, np.random.default_rng(0))


def test_identical_detectors_differ_by_nothing(test_set):
    gt, dets = test_set
    result = intervals(gt, [dets], [dets])
    for interval in result.values():
        assert interval.difference == 0 and interval.low == 0 and interval.high == 0
        assert not interval.beyond_noise and interval.verdict() == "within noise"


def test_a_detector_missing_half_the_people_is_clearly_worse(test_set):
    gt, dets = test_set
    rng = np.random.default_rng(1)
    half = {i: rows[rng.random(len(rows)) < 0.5] for i, rows in dets.items()}
    result = intervals(gt, [half], [dets])
    assert result["AP"].high < 0 and result["AP50"].high < 0 and result["AP"].verdict() == "worse"
    assert result["MR_all"].low > 0 and result["MR_all"].verdict() == "worse"  # a higher miss rate
    assert result["AP"].low < result["AP"].difference < result["AP"].high


def test_equally_good_detectors_stay_within_noise(test_set):
    gt, dets = test_set
    rng = np.random.default_rng(2)
    rescored = {i: np.column_stack([rows[:, :4], np.clip(rows[:, 4] + rng.normal(0, 0.02, len(rows)), 0, 1)])
                for i, rows in dets.items()}
    result = intervals(gt, [rescored], [dets])
    assert result["AP"].low < 0 < result["AP"].high and result["MR_all"].low < 0 < result["MR_all"].high


def test_seed_spread_widens_the_interval(test_set):
    gt, dets = test_set
    rng = np.random.default_rng(3)

    def jittered(scale):
        return {i: np.column_stack([rows[:, :4], rows[:, 4] * rng.uniform(1 - scale, 1, len(rows))])
                for i, rows in dets.items()}

    seeds = [jittered(0.9), jittered(0.0), jittered(0.6)]  # one good seed, two worse ones
    one_seed = intervals(gt, seeds[1:2], [dets])
    three_seeds = intervals(gt, seeds, [dets])
    assert three_seeds["AP"].high - three_seeds["AP"].low > one_seed["AP"].high - one_seed["AP"].low
    assert three_seeds["AP"].resamples == 300


def test_mlpd_against_itself_contains_zero(mlpd):
    gt, dets = mlpd
    start = time.perf_counter()
    result = intervals(gt, [dets], [dets], resamples=200)
    print(f"MLPD vs MLPD, 200 resamples of {len(gt)} images: {time.perf_counter() - start:.1f} s")
    for interval in result.values():
        assert interval.low <= 0 <= interval.high and not interval.beyond_noise
