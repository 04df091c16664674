"""COCO AP through pycocotools: perfect detections, ignore regions as crowd, empty results."""
from __future__ import annotations

import math

import numpy as np
import pytest

from detection.evaluation import AP_KEYS, coco_ap


def test_perfect_detections_score_one(tiny_gt, perfect_dets):
    ap = coco_ap(tiny_gt, perfect_dets)
    assert set(ap) == set(AP_KEYS)
    for key in ("AP", "AP50", "AP75", "APS", "APM"):  # boxes of 800 (C: small) .. 9000 px^2 (medium)
        assert ap[key] == pytest.approx(1.0), key
    assert math.isnan(ap["APL"])  # no box over 96^2: pycocotools' -1 becomes NaN


def test_detections_on_ignore_regions_cost_nothing(tiny_gt, perfect_dets):
    with_crowd_hit = dict(perfect_dets)
    with_crowd_hit[0] = np.concatenate([perfect_dets[0], [[300, 100, 50, 60, 0.99]]])  # inside people box B
    assert coco_ap(tiny_gt, with_crowd_hit)["AP"] == pytest.approx(1.0)
    with_fp = dict(perfect_dets)
    with_fp[3] = np.array([[300, 100, 50, 60, 0.99]])  # the same box where nothing is annotated
    assert coco_ap(tiny_gt, with_fp)["AP"] < 0.99


def test_no_detections_score_zero(tiny_gt):
    assert coco_ap(tiny_gt, {}) == {key: 0.0 for key in AP_KEYS}


def test_subset_of_images(tiny_gt, perfect_dets):
    night = tiny_gt.image_ids("night")
    assert coco_ap(tiny_gt, {i: perfect_dets[i] for i in night if i in perfect_dets}, night)["AP"] == pytest.approx(1.0)
    assert coco_ap(tiny_gt, {0: perfect_dets[0]})["AP"] < 0.5  # other images' boxes missed
