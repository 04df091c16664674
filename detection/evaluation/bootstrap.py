"""Paired bootstrap intervals for the difference between two detectors on the same test images.

Each resample draws the test images with replacement, the same draw for both detectors (paired), and scores
both on it (:class:`.ImageMatchCache`). When an input has several training seeds, each resample also draws
its seeds with replacement and takes their mean, so the interval holds both the test-image and the seed
variation (with one seed, the image variation only). The interval is the percentile interval of the
differences; a difference is told apart from noise when its interval excludes 0.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .report import METRIC_KEYS, MR_KEYS
from .resampling import ImageMatchCache

#: Figures per resample of one detector: ``{key: (B,) array}``.
Figures = Mapping[str, np.ndarray]


def resample_weights(n_images: int, n_resamples: int, rng: np.random.Generator) -> np.ndarray:
    """``(n_resamples, n_images)`` how often each image is drawn, ``n_images`` draws with replacement each."""
    if n_images < 1 or n_resamples < 1:
        raise ValueError(f"need at least one image and one resample, got {n_images} and {n_resamples}")
    return rng.multinomial(n_images, np.full(n_images, 1.0 / n_images), size=n_resamples).astype(float)


def resampled_figures(caches: Sequence[ImageMatchCache], weights: np.ndarray, chunk: int = 64) -> list[dict]:
    """Every detector's figures on every resample, in chunks of resamples to bound memory.

    Raises:
        ValueError: the detectors were not evaluated on the same images (no pairing possible).
    """
    for cache in caches[1:]:
        if cache.image_ids != caches[0].image_ids:
            raise ValueError("paired resampling needs every detector scored on the same test images")
    figures = []
    for cache in caches:
        parts = [cache.evaluate(weights[start:start + chunk]) for start in range(0, len(weights), chunk)]
        figures.append({key: np.concatenate([part[key] for part in parts]) for key in METRIC_KEYS})
    return figures


@dataclass(frozen=True)
class PairedInterval:
    """The difference ``candidate - reference`` of one figure, with its bootstrap interval.

    Attributes:
        key: the figure (:data:`.METRIC_KEYS`).
        difference: on the whole test set, between the seeds' means.
        low, high: the percentile interval at ``confidence`` (NaN with fewer than one resample per tail).
        confidence: e.g. 0.95.
        resamples: resamples where both figures exist (a night-less resample has no ``MR_night``).
    """

    key: str
    difference: float
    low: float
    high: float
    confidence: float
    resamples: int

    @property
    def beyond_noise(self) -> bool:
        """The interval excludes 0."""
        return self.low > 0 or self.high < 0

    @property
    def better(self) -> bool:
        """The candidate is better (higher AP, lower miss rate)."""
        return self.difference < 0 if self.key in MR_KEYS else self.difference > 0

    def verdict(self) -> str:
        """``better``, ``worse`` (both beyond noise) or ``within noise``."""
        if not self.beyond_noise:
            return "within noise"
        return "better" if self.better else "worse"


def _seed_means(per_seed: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """``(B, S)`` figures of S seeds -> ``(B,)`` the mean of S seeds drawn with replacement per resample."""
    n_resamples, n_seeds = per_seed.shape
    if n_seeds == 1:
        return per_seed[:, 0]
    drawn = rng.integers(0, n_seeds, size=(n_resamples, n_seeds))
    return np.take_along_axis(per_seed, drawn, axis=1).mean(axis=1)


def paired_intervals(candidate: Sequence[Figures], reference: Sequence[Figures], candidate_full: Sequence[Figures],
                     reference_full: Sequence[Figures], rng: np.random.Generator,
                     confidence: float = 0.95) -> dict[str, PairedInterval]:
    """Paired bootstrap intervals of ``candidate - reference`` for every figure.

    Args:
        candidate, reference: per seed, the figures on the same resamples (:func:`resampled_figures`).
        candidate_full, reference_full: per seed, the figures on the whole test set.
        rng: draws the seeds of each resample.
        confidence: of the percentile interval.
    """
    tail = 100 * (1 - confidence) / 2
    intervals = {}
    for key in METRIC_KEYS:
        draws = (_seed_means(np.stack([f[key] for f in candidate], axis=1), rng)
                 - _seed_means(np.stack([f[key] for f in reference], axis=1), rng))
        draws = draws[~np.isnan(draws)]
        difference = (float(np.mean([f[key][0] for f in candidate_full]))
                      - float(np.mean([f[key][0] for f in reference_full])))
        enough = len(draws) >= 2 and len(draws) * tail / 100 >= 1  # at least one draw beyond each end
        low, high = np.percentile(draws, [tail, 100 - tail]) if enough else (math.nan, math.nan)
        intervals[key] = PairedInterval(key, difference, float(low), float(high), confidence, len(draws))
    return intervals
