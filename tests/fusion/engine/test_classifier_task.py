"""Semantic Constraint classifier phase: samples composed on the fly, accuracy reported in log and checkpoint."""
from __future__ import annotations

import torch

from fusion.apis import read_fusion_checkpoint
from fusion.datasets.classifier_samples import FUSED, INFRARED, VISIBLE
from fusion.engine import Trainer
from fusion.engine.logger import read_log
from fusion.engine.weights import load_network


def test_compose_uses_the_right_source_and_label(classifier_cfg, tmp_path):
    trainer = Trainer(classifier_cfg, tmp_path / "run", progress=False)
    task = trainer.task
    assert list(task.fusers) == ["average", "tif", "laplacian", "stage1"]
    vis, ir = torch.rand(4, 1, 36, 44), torch.rand(4, 1, 36, 44)
    batch = {"vis": vis, "ir": ir, "kind": torch.tensor([VISIBLE, INFRARED, FUSED, FUSED]),
             "draw": torch.tensor([0.9, 0.9, 0.1, 0.3], dtype=torch.float64)}
    images, labels = task.compose(batch)
    assert torch.equal(images[0], vis[0]) and torch.equal(images[1], ir[1])
    torch.testing.assert_close(images[2], (vis[2] + ir[2]) / 2)  # draw 0.1 -> average
    torch.testing.assert_close(images[3:], task.fusers["tif"](vis[3:], ir[3:]))  # draw 0.3 -> tif
    assert labels.tolist() == [[1, 0], [0, 1], [1, 1], [1, 1]]


def test_classifier_run_reports_accuracy(classifier_cfg, tmp_path):
    classifier_cfg.train_cfg.val_interval = 4
    work = tmp_path / "run"
    Trainer(classifier_cfg, work, progress=False).run()
    (val,) = read_log(work, "val")
    for key in ("accuracy", "balanced_accuracy", "accuracy_visible", "accuracy_infrared", "accuracy_fused",
                "accuracy_fused/stage1"):
        assert 0 <= val[key] <= 1, key
    assert read_fusion_checkpoint(work / "best.pth")["meta"]["metrics"]["accuracy"] == val["accuracy"]
    network, meta = load_network(work / "final.pth")
    assert network(torch.rand(2, 1, 32, 32)).shape == (2, 2) and meta["phase"] == "classifier"
