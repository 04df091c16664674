"""Acceptance: MLPD's published detections give the public KAIST evaluation's 7.58 / 7.96 / 6.95 MR^-2."""
from __future__ import annotations

import pytest

from detection.evaluation import load_detections, load_ground_truth, miss_rates


@pytest.fixture(scope="module")
def kaist_files(shared_data):
    ann = shared_data / "kaist" / "KAIST_annotation.json"
    results = shared_data / "kaist" / "results" / "MLPD_result.txt"
    if not (ann.is_file() and results.is_file()):
        pytest.skip(f"KAIST_annotation.json or results/MLPD_result.txt not found under {shared_data / 'kaist'}")
    return ann, results


def test_mlpd_reproduces_the_published_miss_rates(kaist_files):
    ann, results = kaist_files
    gt = load_ground_truth(ann)
    assert len(gt) == 2252 and len(gt.image_ids("day")) == 1455 and len(gt.image_ids("night")) == 797
    mr = miss_rates(gt, load_detections(results, gt))
    assert mr["MR_all"] == pytest.approx(7.58, abs=0.01)
    assert mr["MR_day"] == pytest.approx(7.96, abs=0.01)
    assert mr["MR_night"] == pytest.approx(6.95, abs=0.01)
