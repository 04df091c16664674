"""The KAIST figures of one detector on resampled test sets, from per-image matches computed once.

A bootstrap resample draws the test images with replacement; it is given as weights, how many times each
image was drawn. Matching is per image (pycocotools' ``evaluateImg`` for COCO AP, :func:`.match_image` for
MR^-2), so :class:`ImageMatchCache` matches every image once and evaluates any number of resamples by the
same accumulation as the full evaluation with each image's detections and ground truth counted ``weight``
times. With every weight 1 it reproduces :func:`.coco_ap` and :func:`.miss_rates` (tested on MLPD's results).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from .coco_ap import evaluated_images
from .detections import Detections
from .ground_truth import SUBSETS, KaistGroundTruth
from .miss_rate import FPPI_POINTS, MISS_RATE_FLOOR, REASONABLE, MissRateSetup, match_image
from .report import METRIC_KEYS

_NO_DETECTIONS = np.zeros((0, 5))
#: pycocotools' area ranges (``Params.areaRng`` order) and which AP keys read which range and IoU threshold
#: (``None``: the mean over the ten thresholds 0.50:0.05:0.95).
_AREAS = ("all", "small", "medium", "large")
_AP_READS = {"AP": ("all", None), "AP50": ("all", 0), "AP75": ("all", 5),
             "APS": ("small", None), "APM": ("medium", None), "APL": ("large", None)}
_RECALL_POINTS = np.linspace(0.0, 1.0, 101)  # pycocotools Params.recThrs


@dataclass(frozen=True)
class _RankedDetections:
    """The counted detections of a test set in evaluation order (descending score, stable).

    Only true positives and detections ignored at some threshold change a curve's points between false
    positives, so they are kept apart ("marked"); the false positives enter through the weighted count of all
    detections before each marked one.

    Attributes:
        image: ``(D,)`` position of each detection's image in :attr:`ImageMatchCache.image_ids`.
        marked: ``(S,)`` indices into ``image`` of the detections that are a true positive or ignored at
            some threshold.
        true_positive: ``(T, S)`` bool (``T`` IoU thresholds; 1 for the miss rate).
        ignored: ``(T, S)`` bool, neither true nor false positive at that threshold.
        positives: ``(N,)`` counted ground truth per image.
    """

    image: np.ndarray
    marked: np.ndarray
    true_positive: np.ndarray
    ignored: np.ndarray
    positives: np.ndarray

    def cumulative(self, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Weighted cumulative true and false positives at the marked detections ``(B, T, S)``, and the
        counted positives ``(B,)``."""
        before = np.cumsum(weights[:, self.image], axis=1)[:, self.marked]
        marked_weights = weights[:, None, self.image[self.marked]]
        true_sum = np.cumsum(marked_weights * self.true_positive[None], axis=2)
        ignored_sum = np.cumsum(marked_weights * self.ignored[None], axis=2)
        return true_sum, before[:, None, :] - true_sum - ignored_sum, weights @ self.positives


def _ranked(scores: list[np.ndarray], true_positive: list[np.ndarray], ignored: list[np.ndarray],
            positives: list[int], thresholds: int) -> _RankedDetections:
    """Concatenate per-image entries (image order), sort by descending score with ties in that order, and
    drop the detections ignored at every threshold (they change no curve)."""
    image = np.concatenate([np.full(len(s), i) for i, s in enumerate(scores)] or [np.zeros(0)]).astype(int)
    order = np.argsort(-np.concatenate(scores or [np.zeros(0)]), kind="mergesort")
    empty = np.zeros((thresholds, 0), dtype=bool)
    tp = (np.concatenate(true_positive, axis=1) if true_positive else empty)[:, order]
    ig = (np.concatenate(ignored, axis=1) if ignored else empty)[:, order]
    counted = ~ig.all(axis=0)
    tp, ig, image = tp[:, counted], ig[:, counted], image[order][counted]
    marked = np.flatnonzero((tp | ig).any(axis=0))
    return _RankedDetections(image, marked, tp[:, marked], ig[:, marked], np.asarray(positives, dtype=float))


def _precision_at_recall_points(ranked: _RankedDetections, weights: np.ndarray) -> np.ndarray:
    """pycocotools' ``accumulate``: interpolated precision at the 101 recall points, ``(B, T, 101)``; NaN
    rows where a resample holds no counted ground truth.

    The envelope (best precision at this recall or beyond) is reached at true positives, and the first point
    reaching a recall is one, so true positives alone give pycocotools' values.
    """
    true_sum, false_sum, positives = ranked.cumulative(weights)
    with np.errstate(invalid="ignore", divide="ignore"):
        recall = true_sum / positives[:, None, None]
    precision = np.where(ranked.true_positive[None], true_sum / (false_sum + true_sum + np.spacing(1)), 0.0)
    precision = np.maximum.accumulate(precision[..., ::-1], axis=2)[..., ::-1]
    result = np.full((*true_sum.shape[:2], len(_RECALL_POINTS)), np.nan)
    n_marked = precision.shape[2]
    for b in np.flatnonzero(positives > 0):
        result[b] = 0.0
        for t in range(precision.shape[1]):
            index = np.searchsorted(recall[b, t], _RECALL_POINTS, side="left")
            found = index < n_marked
            result[b, t, found] = precision[b, t, index[found]]
    return result


def _log_average_miss_rate(ranked: _RankedDetections, weights: np.ndarray) -> np.ndarray:
    """MR^-2 (fraction) of each resample, ``(B,)``; NaN without counted ground truth.

    The miss rate at an FPPI point is set by the true positives ranked before the first detection past it,
    i.e. those whose own FPPI is at most the point.
    """
    true_sum, false_sum, positives = ranked.cumulative(weights)
    n_images = weights.sum(axis=1)
    result = np.full(len(weights), np.nan)
    for b in np.flatnonzero(positives > 0):
        found = np.concatenate([[0.0], true_sum[b, 0]])
        index = np.searchsorted(false_sum[b, 0] / n_images[b], FPPI_POINTS, side="right")
        miss_rate = 1.0 - found[index] / positives[b]
        result[b] = np.exp(np.mean(np.log(np.maximum(MISS_RATE_FLOOR, miss_rate))))
    return result


class ImageMatchCache:
    """One detector's matches on every test image, evaluated on weighted resamples of the images.

    Args:
        gt: the ground truth.
        dets: detections ``{image_id: (N, 5) [x, y, w, h, score]}``.
        image_ids: the test images (default: all of ``gt``); weights follow :attr:`image_ids` (sorted).
        setup: the miss-rate protocol (default: reasonable).
    """

    def __init__(self, gt: KaistGroundTruth, dets: Detections, image_ids: Iterable[int] | None = None,
                 setup: MissRateSetup = REASONABLE) -> None:
        self.image_ids = gt.image_ids("all", None if image_ids is None else set(image_ids))
        period = {image.id: image.period for image in gt.images}
        self.subset_masks = {subset: np.array([subset == "all" or period[i] == subset for i in self.image_ids])
                             for subset in SUBSETS}
        self._miss_rate = self._match_miss_rate(gt, dets, setup)
        self._precision = self._match_precision(gt, dets)

    def _match_miss_rate(self, gt: KaistGroundTruth, dets: Detections, setup: MissRateSetup) -> _RankedDetections:
        matches = [match_image(dets.get(i, _NO_DETECTIONS), gt.boxes[i], setup) for i in self.image_ids]
        counted = [~m.swallowed for m in matches]
        return _ranked([m.scores[c] for m, c in zip(matches, counted)],
                       [m.true_positive[c][None] for m, c in zip(matches, counted)],
                       [np.zeros((1, c.sum()), dtype=bool) for c in counted],
                       [m.n_positives for m in matches], thresholds=1)

    def _match_precision(self, gt: KaistGroundTruth, dets: Detections) -> dict[str, _RankedDetections] | None:
        coco_eval = evaluated_images(gt, dets, self.image_ids)
        if coco_eval is None:
            return None
        n_images, thresholds = len(self.image_ids), len(coco_eval.params.iouThrs)
        max_dets = coco_eval.params.maxDets[-1]
        ranked = {}
        for a, area in enumerate(_AREAS):
            scores, tps, ignored, positives = [], [], [], []
            for entry in coco_eval.evalImgs[a * n_images:(a + 1) * n_images]:
                if entry is None:  # neither ground truth nor detections on this image
                    scores.append(np.zeros(0))
                    tps.append(np.zeros((thresholds, 0), dtype=bool))
                    ignored.append(np.zeros((thresholds, 0), dtype=bool))
                    positives.append(0)
                    continue
                image_ignored = entry["dtIgnore"][:, :max_dets].astype(bool)
                scores.append(np.asarray(entry["dtScores"][:max_dets], dtype=float))
                tps.append((entry["dtMatches"][:, :max_dets] > 0) & ~image_ignored)
                ignored.append(image_ignored)
                positives.append(int(np.count_nonzero(entry["gtIgnore"] == 0)))
            ranked[area] = _ranked(scores, tps, ignored, positives, thresholds)
        return ranked

    def evaluate(self, weights: np.ndarray) -> dict[str, np.ndarray]:
        """The :data:`.METRIC_KEYS` figures of each resample (AP fractions, MR in percent, NaN as in
        :func:`.evaluate_kaist`).

        Args:
            weights: ``(B, N)`` how many times each of the ``N`` :attr:`image_ids` is in each resample.

        Returns:
            ``{key: (B,) array}``.
        """
        weights = np.atleast_2d(np.asarray(weights, dtype=float))
        if weights.shape[1] != len(self.image_ids):
            raise ValueError(f"weights have {weights.shape[1]} columns for {len(self.image_ids)} images")
        result = {}
        at_points = {area: None if self._precision is None
                     else _precision_at_recall_points(self._precision[area], weights)
                     for area in {area for area, _ in _AP_READS.values()}}
        for key, (area, threshold) in _AP_READS.items():
            if at_points[area] is None:
                result[key] = np.zeros(len(weights))
            else:
                chosen = at_points[area] if threshold is None else at_points[area][:, threshold:threshold + 1]
                result[key] = chosen.mean(axis=(1, 2))
        for subset in SUBSETS:
            subset_weights = weights * self.subset_masks[subset]
            result[f"MR_{subset}"] = 100.0 * _log_average_miss_rate(self._miss_rate, subset_weights)
        return {key: result[key] for key in METRIC_KEYS}
