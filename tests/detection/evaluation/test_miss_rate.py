"""MR^-2 on hand-made cases: ignore rules, the ignore-region overlap, greedy matching, the log-average."""
from __future__ import annotations

import math

import numpy as np
import pytest

from detection.evaluation import (FPPI_POINTS, REASONABLE, GroundTruthBoxes, MissRateCurve, MissRateSetup, box_overlaps,
                                  evaluation_ignore, log_average_miss_rate, match_image, miss_rate_curve, miss_rates)


def boxes(*rows, ignore=None, occlusion=None) -> GroundTruthBoxes:
    arr = np.asarray(rows, dtype=np.float64).reshape(-1, 4)
    n = len(arr)
    return GroundTruthBoxes(arr, arr[:, 3].copy(), np.asarray(occlusion or [0] * n),
                            np.asarray(ignore or [False] * n, dtype=bool))


def test_fppi_points_are_the_kits_rounded_log_space():
    np.testing.assert_allclose(FPPI_POINTS, np.logspace(-2, 0, 9), atol=5e-5)
    assert FPPI_POINTS[2] == 0.0316  # not 0.031623: the rounding is part of the protocol


def test_reasonable_ignore_rules(tiny_gt):
    assert evaluation_ignore(tiny_gt.boxes[0]).tolist() == [False, True, True]  # A, people B, 40 px C
    assert evaluation_ignore(tiny_gt.boxes[1]).tolist() == [False, True]  # partial D counts, heavy E not
    assert evaluation_ignore(tiny_gt.boxes[2]).tolist() == [False, True]  # G crosses x = 5
    bottom = boxes([100, 400, 40, 108], [100, 400, 40, 107])  # y + h = 508 > 507, 507 is inside
    assert evaluation_ignore(bottom).tolist() == [True, False]


def test_box_overlaps_iou_and_ignore_region_rule():
    det = [[0, 0, 10, 10]]
    gts = [[0, 0, 20, 20], [5, 0, 10, 10], [0, 0, 20, 20], [10, 10, 5, 5]]
    ov = box_overlaps(det, gts, np.array([False, False, True, False]))
    # IoU 100/400; IoU 50/150; ignore region: intersection / detection area = 1; touching corners: 0
    np.testing.assert_allclose(ov, [[0.25, 1 / 3, 1.0, 0.0]])


def test_greedy_matching_highest_score_first():
    gt = boxes([0, 0, 40, 100], [30, 0, 40, 100])
    dets = np.array([[2, 0, 40, 100, 0.5],  # IoU .9 with the first
                     [1, 0, 40, 100, 0.9],  # best on the first, goes first
                     [29, 0, 40, 100, 0.7]])  # the second
    m = match_image(dets, gt, MissRateSetup(height_range=(0, math.inf), bounds=(-1e9, -1e9, 1e9, 1e9)))
    np.testing.assert_array_equal(m.scores, [0.9, 0.7, 0.5])
    assert m.true_positive.tolist() == [True, True, False]  # the duplicate is a false positive
    assert not m.swallowed.any() and m.n_positives == 2


def test_detection_on_ignore_region_is_not_a_false_positive(tiny_gt):
    # A (person) and B (people region, 300..400 x 100..220); the B detection overlaps B by IoU 0.25 only,
    # but lies inside it, so it is swallowed
    on_region = [300, 100, 50, 60, 0.95]
    dets = np.array([on_region, [100, 100, 40, 100, 0.8]])
    m = match_image(dets, tiny_gt.boxes[0])
    assert m.swallowed.tolist() == [True, False] and m.true_positive.tolist() == [False, True]
    curve = miss_rate_curve([m], n_images=1)
    np.testing.assert_array_equal(curve.fppi, [0.0])  # the swallowed detection is out of the curve
    assert log_average_miss_rate(curve) < 1e-6
    unflagged = boxes(*tiny_gt.boxes[0].boxes[:2])  # the same region as a regular person box...
    curve = miss_rate_curve([match_image(dets, unflagged)], n_images=1)
    assert log_average_miss_rate(curve) > 0.5  # ...makes it a false positive at FPPI 1, before the TP


def test_ground_truth_outside_the_height_range_is_ignored(tiny_gt):
    small = [500, 100, 20, 40]  # C, 40 px high
    found_a = [100, 100, 40, 100, 0.5]
    m = match_image(np.array([[*small, 0.9], found_a]), tiny_gt.boxes[0])
    assert m.n_positives == 1  # only A counts: C missed would not be a miss either
    assert m.swallowed.tolist() == [True, False] and m.true_positive.tolist() == [False, True]
    assert log_average_miss_rate(miss_rate_curve([m], 1)) < 1e-6


def test_perfect_detections_floor_the_miss_rate(tiny_gt, perfect_dets):
    mr = miss_rates(tiny_gt, perfect_dets)
    for key in ("MR_all", "MR_day", "MR_night"):
        assert mr[key] == pytest.approx(100 * 1e-10)  # every miss rate is 0, floored at 1e-10 (acfTest.m)


def test_all_missed_is_100(tiny_gt):
    far = {i: np.array([[600, 400, 30, 80, 0.9]]) for i in range(4)}  # false positives only
    assert miss_rates(tiny_gt, far) == {"MR_all": 100.0, "MR_day": 100.0, "MR_night": 100.0}
    assert miss_rates(tiny_gt, {}) == {"MR_all": 100.0, "MR_day": 100.0, "MR_night": 100.0}


def test_images_without_detections_still_count_their_misses(tiny_gt, perfect_dets):
    day_only = {i: rows for i, rows in perfect_dets.items() if i < 2}
    mr = miss_rates(tiny_gt, day_only)
    assert mr["MR_day"] < 1e-6 and mr["MR_night"] == 100.0
    assert mr["MR_all"] == pytest.approx(100 / 3)  # F missed: miss rate 1/3 at every point


def test_log_average_reads_the_curve_at_each_point():
    # one image: FP, TP, FP, TP with 2 positives: (fppi, miss) = (1, 1), (1, .5), (2, .5), (2, 0)
    m = match_image(np.array([[0, 0, 9, 9, 0.9], [100, 100, 40, 100, 0.8], [0, 200, 9, 9, 0.7],
                              [300, 100, 40, 100, 0.6]]),
                    boxes([100, 100, 40, 100], [300, 100, 40, 100]))
    curve = miss_rate_curve([m], n_images=1)
    np.testing.assert_allclose(curve.fppi, [1, 1, 2, 2])
    np.testing.assert_allclose(curve.miss_rate, [1, 0.5, 0.5, 0])
    # points < 1 precede every detection: miss rate 1 (8 points); at fppi 1: 0.5 -> exp(log(.5) / 9)
    assert log_average_miss_rate(curve) == pytest.approx(0.5 ** (1 / 9))
    flat = MissRateCurve(np.array([0.0, 0.005, 2.0]), np.array([0.4, 0.3, 0.1]), 100, 10)
    assert log_average_miss_rate(flat) == pytest.approx(0.3)


def test_no_positives_is_nan_and_max_dets_truncates():
    assert math.isnan(log_average_miss_rate(miss_rate_curve([], n_images=3)))
    gt = boxes([100, 100, 40, 100])
    dets = np.array([[0, 0, 9, 9, 0.9], [100, 100, 40, 100, 0.1]])
    assert match_image(dets, gt, MissRateSetup(max_dets=1)).true_positive.tolist() == [False]
    assert match_image(dets, gt, REASONABLE).true_positive.tolist() == [False, True]
