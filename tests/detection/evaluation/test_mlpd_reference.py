"""Acceptance: MLPD's published detections give the public KAIST evaluation's 7.58 / 7.96 / 6.95 MR^-2."""
from __future__ import annotations

import pytest

from detection.evaluation import miss_rates


def test_mlpd_reproduces_the_published_miss_rates(mlpd):
    gt, dets = mlpd
    assert len(gt) == 2252 and len(gt.image_ids("day")) == 1455 and len(gt.image_ids("night")) == 797
    mr = miss_rates(gt, dets)
    assert mr["MR_all"] == pytest.approx(7.58, abs=0.01)
    assert mr["MR_day"] == pytest.approx(7.96, abs=0.01)
    assert mr["MR_night"] == pytest.approx(6.95, abs=0.01)
