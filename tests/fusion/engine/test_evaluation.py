"""Validation metrics: full-size fusion scored like saved images, and the score normalised by a reference."""
from __future__ import annotations

import contextlib

import numpy as np
import pytest
import torch

from fusion.datasets import PairedFolderDataset
from fusion.engine.evaluation import PAPER_METRICS, fusion_metrics, relative_score, to_pixels
from fusion.metrics import evaluate_pair
from fusion.models.classical import AverageFusion

pytestmark = pytest.mark.filterwarnings("ignore:MS-SSIM on")


def test_metrics_match_scoring_the_rounded_min_max_output(pair_root):
    dataset = PairedFolderDataset(pair_root, sets=["b"], crop_size=None, flip=False)
    loader = torch.utils.data.DataLoader(dataset, batch_size=1)
    results = fusion_metrics(AverageFusion(), loader, ["EN", "CC", "Qabf"], torch.device("cpu"), contextlib.nullcontext)
    rows = []
    for i in range(len(dataset)):
        vis, ir = dataset[i]["vis"][0].numpy() * 255, dataset[i]["ir"][0].numpy() * 255
        fused = (vis + ir) / 2
        fused = np.rint((fused - fused.min()) / (fused.max() - fused.min()) * 255)
        rows.append(evaluate_pair(np.rint(ir), np.rint(vis), fused, ["EN", "CC", "Qabf"]))
    for name in ("EN", "CC", "Qabf"):
        # equal up to a few pixels that round the other way (float32 here, float64 in the test)
        assert results[name] == pytest.approx(np.mean([r[name] for r in rows]), rel=1e-3)


def test_relative_score():
    reference = dict.fromkeys(PAPER_METRICS, 2.0)
    assert relative_score(reference, reference, PAPER_METRICS) == pytest.approx(1.0)
    better = {**reference, "EN": 3.0}
    assert relative_score(better, reference, PAPER_METRICS) == pytest.approx(1 + 0.5 / 6)
    with pytest.raises(ValueError, match="positive"):
        relative_score(better, {**reference, "SCD": -0.1}, PAPER_METRICS)


def test_to_pixels_rounds_and_clips():
    assert to_pixels(torch.tensor([[[0.0, 0.5, 1.2]]])).tolist() == [[0.0, 128.0, 255.0]]
