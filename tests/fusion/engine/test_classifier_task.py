"""Semantic Constraint classifier phase: samples composed on the fly, accuracy reported in log and checkpoint."""
from __future__ import annotations

import torch

from fusion.apis import read_fusion_checkpoint
from fusion.datasets.classifier_samples import FUSED, INFRARED, LABELS, VISIBLE
from fusion.engine import Trainer
from fusion.engine.logger import read_log
from fusion.engine.tasks.classifier import label_balance
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


def test_balanced_labels_put_an_uninformed_classifier_at_even_odds(classifier_cfg, tmp_path):
    """Each output is positive for two kinds of three: the unweighted loss drives a classifier that sees nothing
    to p = 2/3 (every source called "fused"); the task's balanced loss (default) to p = 1/2."""
    assert torch.equal(label_balance(torch.tensor(LABELS)), torch.tensor([0.5, 0.5]))
    for balance, expected in ((False, 2 / 3), (True, 1 / 2)):
        classifier_cfg.task.balance_labels = balance
        task = Trainer(classifier_cfg, tmp_path / f"run{balance}", progress=False).task
        bias = torch.zeros(2, requires_grad=True)
        task.model = lambda images, bias=bias: bias.expand(images.shape[0], 2)  # sees nothing but its bias
        optimizer = torch.optim.SGD([bias], lr=1.0)
        batch = {"vis": torch.rand(3, 1, 36, 44), "ir": torch.rand(3, 1, 36, 44),
                 "kind": torch.tensor([VISIBLE, INFRARED, FUSED]), "draw": torch.tensor([0.1] * 3, dtype=torch.float64)}
        for _ in range(300):
            loss = task.losses(batch)["loss"]
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        assert torch.allclose(torch.sigmoid(bias), torch.full((2,), expected), atol=1e-3)
