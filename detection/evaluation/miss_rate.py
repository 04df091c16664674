"""Log-average miss rate (MR^-2) of pedestrian detections, KAIST "reasonable" protocol.

A port of the public KAIST evaluation, ``KAISTPedEval`` in ``evaluation_script/evaluation_script.py`` of
sejong-rcv/MLPD-Multi-Label-Pedestrian-Detection (the script that gives MLPD's published 7.58 / 7.96 / 6.95),
itself a Python port of Piotr Dollar's Caltech toolbox ``bbGt.m`` (``evalRes``, ``compOas``, ``compRoc``)
and ``acfTest.m`` as used by soonminhwang/rgbt-ped-detection. Per subset of images:

1. Ground truth becomes ignore (neither a miss nor a match target that counts) when flagged ``ignore``
   (people, person?, cyclist), or ``height`` < 55 px, or occlusion heavy, or the box leaves
   ``[5, 5, 635, 507]`` (x < 5, y < 5, x + w > 635 or y + h > 507). Detections are never filtered.
2. Per image, at most 1000 detections by score (stable sort), each in turn matches the unmatched regular
   ground truth of highest IoU >= 0.5 (ties: the later box); failing that, an ignore region it overlaps by
   ``intersection / detection area`` >= 0.5 swallows it (neither TP nor FP; an ignore region may swallow
   several); otherwise it is a false positive.
3. Over the subset, swallowed detections are dropped, the rest sorted by score (stable, images in id
   order); ``fppi = cumFP / n_images``, ``miss rate = 1 - cumTP / n_regular_gt``.
4. MR^-2 = exp(mean(log(miss rate at 9 FPPI points))), the points being the kits' rounded
   ``10 ** linspace(-2, 0, 9)`` (``KAISTParams.fppiThrs``, 4 decimals; the rounding moves day to 7.96 from
   7.95); the miss rate at a point is that of the last detection with ``fppi <= point``.

Where MLPD's script has artefacts, this follows ``bbGt.m``: an image without detections still counts its
ground truth as missed (the script drops such images); a point below the first detection's FPPI has miss
rate 1 (the script reads the last recall through index -1); miss rates are floored at 1e-10 before the log
(``acfTest.m``; the script takes log(0) and returns 0); matches to a ground-truth id 0 are matches; an
image's detections need not come sorted by score (the script then pairs them with the wrong IoU rows).
None of these changes the MLPD figures, which this port reproduces exactly (and the script's figures on
randomly perturbed detections, checked while porting).
"""
from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from .ground_truth import GroundTruthBoxes

# KAISTParams.fppiThrs: 10 ** (-2:.25:0) rounded to 4 decimals, as the public kits use them.
FPPI_POINTS = np.array([0.0100, 0.0178, 0.0316, 0.0562, 0.1000, 0.1778, 0.3162, 0.5623, 1.0000])
MISS_RATE_FLOOR = 1e-10  # acfTest.m: exp(mean(log(max(1e-10, 1 - recall))))


@dataclass(frozen=True)
class MissRateSetup:
    """Which ground truth counts, and the matching rule (defaults: KAIST/Caltech "reasonable").

    Attributes:
        height_range: ``[min, max]`` annotated height in px; outside -> ignore.
        occlusions: occlusion levels that count (0 none, 1 partial, 2 heavy).
        bounds: ``(x_min, y_min, x_max, y_max)``; a box crossing it -> ignore.
        iou_thr: IoU for a match.
        max_dets: detections kept per image (highest scores).
    """

    height_range: tuple[float, float] = (55.0, math.inf)
    occlusions: tuple[int, ...] = (0, 1)
    bounds: tuple[float, float, float, float] = (5.0, 5.0, 635.0, 507.0)
    iou_thr: float = 0.5
    max_dets: int = 1000


REASONABLE = MissRateSetup()


@dataclass(frozen=True)
class ImageMatches:
    """Outcome of matching one image's detections, detections sorted by descending score.

    Attributes:
        scores: ``(D,)`` detection scores.
        true_positive: ``(D,)`` bool, matched a regular ground-truth box.
        swallowed: ``(D,)`` bool, matched an ignore region (left out of the curve).
        n_positives: regular (non-ignore) ground-truth boxes of the image.
    """

    scores: np.ndarray
    true_positive: np.ndarray
    swallowed: np.ndarray
    n_positives: int


@dataclass(frozen=True)
class MissRateCurve:
    """Miss rate against false positives per image, one point per counted detection (descending score).

    Attributes:
        fppi: ``(K,)`` non-decreasing false positives per image.
        miss_rate: ``(K,)`` non-increasing miss rate in ``[0, 1]``.
        n_images: images of the subset.
        n_positives: regular ground-truth boxes of the subset.
    """

    fppi: np.ndarray
    miss_rate: np.ndarray
    n_images: int
    n_positives: int


def evaluation_ignore(gt: GroundTruthBoxes, setup: MissRateSetup = REASONABLE) -> np.ndarray:
    """``(M,)`` bool: ground truth ignored under ``setup`` (flagged, too small, occluded or at the border)."""
    x, y, w, h = gt.boxes.T
    x_min, y_min, x_max, y_max = setup.bounds
    return (gt.ignore
            | (gt.heights < setup.height_range[0]) | (gt.heights > setup.height_range[1])
            | ~np.isin(gt.occlusions, setup.occlusions)
            | (x < x_min) | (y < y_min) | (x + w > x_max) | (y + h > y_max))


def box_overlaps(dets: np.ndarray, gts: np.ndarray, ignore: np.ndarray) -> np.ndarray:
    """Overlap of every detection with every ground-truth box, ``bbGt.m compOas``.

    IoU for regular boxes; ``intersection / detection area`` for ignore regions, so a detection on any
    part of a crowd or cyclist box is swallowed by it. Boxes ``[x, y, w, h]``, no +1 pixel convention.

    Shape:
        dets ``(D, 4)``, gts ``(G, 4)``, ignore ``(G,)`` -> ``(D, G)`` float64 in ``[0, 1]``.
    """
    d = np.asarray(dets, dtype=np.float64).reshape(-1, 1, 4)
    g = np.asarray(gts, dtype=np.float64).reshape(1, -1, 4)
    iw = np.minimum(d[..., 0] + d[..., 2], g[..., 0] + g[..., 2]) - np.maximum(d[..., 0], g[..., 0])
    ih = np.minimum(d[..., 1] + d[..., 3], g[..., 1] + g[..., 3]) - np.maximum(d[..., 1], g[..., 1])
    inter = np.where((iw > 0) & (ih > 0), iw * ih, 0.0)
    d_area = d[..., 2] * d[..., 3]
    union = np.where(np.asarray(ignore, dtype=bool)[None, :], d_area, d_area + g[..., 2] * g[..., 3] - inter)
    return np.divide(inter, union, out=np.zeros_like(inter), where=inter > 0)


def match_image(dets: np.ndarray, gt: GroundTruthBoxes, setup: MissRateSetup = REASONABLE) -> ImageMatches:
    """Match one image's detections to its ground truth (``bbGt.m evalRes``, greedy by score).

    Args:
        dets: ``(N, 5)`` ``[x, y, w, h, score]`` in any order.
        gt: the image's person boxes.
        setup: ignore and matching rule.

    Returns:
        The matches of the top ``setup.max_dets`` detections by score.
    """
    dets = np.asarray(dets, dtype=np.float64).reshape(-1, 5)
    dets = dets[np.argsort(-dets[:, 4], kind="mergesort")[:setup.max_dets]]
    ignored = evaluation_ignore(gt, setup)
    regular = np.flatnonzero(~ignored)
    overlaps = box_overlaps(dets[:, :4], gt.boxes, ignored)
    free = np.ones(len(regular), dtype=bool)
    true_positive = np.zeros(len(dets), dtype=bool)
    swallowed = np.zeros(len(dets), dtype=bool)
    threshold = min(setup.iou_thr, 1 - 1e-10)
    for i, row in enumerate(overlaps):
        candidates = np.flatnonzero(free & (row[regular] >= threshold))
        if len(candidates):
            ious = row[regular[candidates]]
            best = candidates[len(ious) - 1 - np.argmax(ious[::-1])]  # the last of equal best, as evalRes
            free[best] = False
            true_positive[i] = True
        else:
            swallowed[i] = bool(np.any(row[ignored] >= threshold))
    return ImageMatches(dets[:, 4], true_positive, swallowed, len(regular))


def miss_rate_curve(matches: Iterable[ImageMatches], n_images: int) -> MissRateCurve:
    """Pool per-image matches into the miss-rate / FPPI curve (``bbGt.m compRoc``).

    Args:
        matches: one entry per image of the subset, images in id order (ties in score keep that order),
            also for images without detections: their ground truth counts as missed.
        n_images: images of the subset, the FPPI denominator.
    """
    matches = list(matches)
    n_positives = sum(m.n_positives for m in matches)
    scores = np.concatenate([m.scores for m in matches] or [np.zeros(0)])
    true_positive = np.concatenate([m.true_positive for m in matches] or [np.zeros(0, dtype=bool)])
    counted = ~np.concatenate([m.swallowed for m in matches] or [np.zeros(0, dtype=bool)])
    order = np.argsort(-scores[counted], kind="mergesort")
    true_positive = true_positive[counted][order]
    fppi = np.cumsum(~true_positive) / max(n_images, 1)
    recall = np.cumsum(true_positive) / n_positives if n_positives else np.zeros(len(true_positive))
    return MissRateCurve(fppi, 1.0 - recall, n_images, n_positives)


def log_average_miss_rate(curve: MissRateCurve, points: np.ndarray = FPPI_POINTS) -> float:
    """MR^-2: geometric mean of the miss rate at the FPPI ``points``, in ``[0, 1]`` (NaN without positives).

    The miss rate at a point is the curve's at its last detection with ``fppi <= point``, or 1 when even the
    first detection has more false positives per image; each is floored at 1e-10 (``acfTest.m``).
    """
    if curve.n_positives == 0:
        return math.nan
    fppi = np.concatenate([[-math.inf], curve.fppi])  # compRoc: xs1 = [-inf; xs], ys1 = [0; ys]
    miss_rate = np.concatenate([[1.0], curve.miss_rate])
    at_points = miss_rate[np.searchsorted(fppi, points, side="right") - 1]
    return float(np.exp(np.mean(np.log(np.maximum(MISS_RATE_FLOOR, at_points)))))
