"""ImageMatchCache: the full evaluation's figures from cached per-image matches, on weighted image resamples."""
from __future__ import annotations

import numpy as np
import pytest

from detection.evaluation import METRIC_KEYS, evaluate_kaist, load_ground_truth
from detection.evaluation.resampling import ImageMatchCache

from .conftest import random_test_set


def assert_same(expected: dict, got: dict, row: int = 0) -> None:
    for key in METRIC_KEYS:
        assert got[key][row] == pytest.approx(expected[key], abs=1e-12, nan_ok=True), key


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_unit_weights_reproduce_the_full_evaluation(seed):
    data, dets = random_test_set(40, seed)
    gt = load_ground_truth(data)
    cache = ImageMatchCache(gt, dets)
    assert_same(evaluate_kaist(gt, dets), cache.evaluate(np.ones((1, 40))))


def test_weights_equal_a_test_set_with_the_images_repeated():
    data, dets = random_test_set(30, seed=3)
    gt = load_ground_truth(data)
    weights = np.random.default_rng(0).multinomial(30, np.full(30, 1 / 30), size=3).astype(float)
    got = ImageMatchCache(gt, dets).evaluate(weights)
    for row, counts in enumerate(weights.astype(int)):
        images, anns, repeated = [], [], {}
        for image, count in zip(data["images"], counts):
            for copy in range(count):
                new_id = len(images)
                frame = image["file_name"].replace("/I", f"/I{copy}")  # a distinct frame name per copy
                images.append({**image, "id": new_id, "file_name": frame})
                anns += [{**a, "id": len(anns) + k + 1, "image_id": new_id}
                         for k, a in enumerate(a for a in data["annotations"] if a["image_id"] == image["id"])]
                if image["id"] in dets:
                    repeated[new_id] = dets[image["id"]]
        expected = evaluate_kaist(load_ground_truth({**data, "images": images, "annotations": anns}), repeated)
        assert_same(expected, got, row)


def test_zero_weights_drop_images_and_a_detector_without_boxes_scores_zero():
    data, dets = random_test_set(20, seed=4)
    gt = load_ground_truth(data)
    keep = [i for i in range(20) if i % 2 == 0]
    weights = np.zeros((1, 20))
    weights[0, keep] = 1
    assert_same(evaluate_kaist(gt, dets, keep), ImageMatchCache(gt, dets).evaluate(weights))
    empty = ImageMatchCache(gt, {}).evaluate(np.ones((2, 20)))
    assert (empty["AP"] == 0).all() and (empty["MR_all"] == 100).all()
    with pytest.raises(ValueError, match="20 images"):
        ImageMatchCache(gt, dets).evaluate(np.ones((1, 19)))


def test_mlpd_figures_reproduced_from_the_cache(mlpd):
    gt, dets = mlpd
    got = ImageMatchCache(gt, dets).evaluate(np.ones((1, len(gt))))
    assert_same(evaluate_kaist(gt, dets), got)
    # the levels the comparison report quotes beside the paper's Table 7
    assert got["AP"][0] == pytest.approx(0.366, abs=5e-4) and got["AP50"][0] == pytest.approx(0.797, abs=5e-4)
    assert got["MR_all"][0] == pytest.approx(7.58, abs=0.01)
