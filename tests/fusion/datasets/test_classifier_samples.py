"""Classifier samples: every pair as visible, infrared and fused, with a reproducible method draw."""
from __future__ import annotations

from fusion.datasets import ClassifierSampleDataset, ConcatFusionDataset, PairedFolderDataset
from fusion.datasets.classifier_samples import FUSED, INFRARED, VISIBLE


def test_three_kinds_per_pair_and_reproducible_draws(pair_root):
    pairs = dict(type="PairedFolderDataset", root=str(pair_root), sets=["a"], crop_size=(24, 16))
    dataset = ClassifierSampleDataset(pairs, seed=1)
    assert len(dataset) == 30
    kinds = [dataset[(0, i)]["kind"] for i in range(len(dataset))]
    assert kinds == [VISIBLE] * 10 + [INFRARED] * 10 + [FUSED] * 10
    assert dataset[(0, 25)]["name"] == "a/6"
    draws = [dataset[(0, i)]["draw"] for i in range(20, 30)]
    assert all(0 <= d < 1 for d in draws) and len(set(draws)) == 10
    assert dataset[(0, 25)]["draw"] == dataset[(0, 25)]["draw"] != dataset[(1, 25)]["draw"]


def test_concat_dispatches_to_the_parts(pair_root):
    concat = ConcatFusionDataset([PairedFolderDataset(pair_root, sets=["a"], crop_size=None),
                                  dict(type="PairedFolderDataset", root=str(pair_root), sets=["b"], crop_size=None)])
    assert len(concat) == 14
    assert concat[9]["name"] == "a/10" and concat[10]["name"] == "b/img_0" and concat[13]["name"] == "b/img_3"
