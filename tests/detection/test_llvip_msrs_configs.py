"""The LLVIP and MSRS detection configs: each leaf reads its image folder of the derived dataset, and the fused
leaf trains an iteration and tests with COCO AP on a tiny dataset written by fuse_dataset (ResNet-18)."""
from __future__ import annotations

import pytest

from detection.runs import config as det_config
from detection.runs.config import CONFIG_DIR, build_runner, load_config, training_config
from fusion.jobs.fuse_dataset import ADAPTERS, RunOptions, fuse_dataset

LEAVES = {"visible": "visible", "infrared": "lwir", "fused_baseline": "nestfuse", "fused": "msfam"}
TINY = {
    "model.backbone.depth": 18, "model.backbone.init_cfg": None, "model.neck.in_channels": [64, 128, 256, 512],
    "model.neck.out_channels": 32, "model.bbox_head.in_channels": 32, "model.bbox_head.feat_channels": 64,
    "model.bbox_head.stacked_convs": 1, "model.test_cfg.score_thr": 0.0, "train_dataloader.batch_size": 2,
    "train_dataloader.num_workers": 0, "train_dataloader.persistent_workers": False,
    "test_dataloader.num_workers": 0, "test_dataloader.persistent_workers": False, "train_cfg.max_epochs": 1,
    "val_cfg": None, "val_dataloader": None, "val_evaluator": None, "randomness.seed": 0,
    "train_dataloader.dataset.ann_file": "annotations/test.json",  # the tiny sets have a test split only
}


@pytest.mark.parametrize("dataset", ["llvip", "msrs"])
@pytest.mark.parametrize("leaf", LEAVES)
def test_each_leaf_reads_its_folder_of_the_derived_dataset(dataset, leaf):
    cfg = load_config(str(CONFIG_DIR / f"gflv2_{dataset}_{leaf}.py"))
    for split, ann_file in (("train", "annotations/train.json"), ("test", "annotations/test.json")):
        loader = cfg[f"{split}_dataloader"].dataset
        assert loader.data_root == f"data/{dataset}_fused/" and loader.ann_file == ann_file
        assert loader.data_prefix.img == LEAVES[leaf] + "/"
    assert cfg.test_evaluator.type == "CocoMetric" and cfg.test_evaluator.ann_file == \
        f"data/{dataset}_fused/annotations/test.json"
    assert cfg.model.bbox_head.type == "GFLV2Head"


@pytest.mark.slow
@pytest.mark.parametrize("dataset", ["llvip", "msrs"])
def test_the_fused_leaf_trains_and_tests_on_a_fused_dataset(dataset, request, tmp_path):
    root = request.getfixturevalue(f"tiny_{dataset}")
    out = tmp_path / "fused"
    fuse_dataset(ADAPTERS[dataset](root), out, ["msfam"], split="test",
                 options=RunOptions(workers=0, batch_size=2, progress=False), log=lambda _: None)
    config = f"gflv2_{dataset}_fused.py"
    cfg = training_config(config, work_dir=str(tmp_path / "work"), cfg_options=TINY, data_root=str(out))
    runner = build_runner(cfg)
    runner.train()
    assert runner.iter == 3  # 6 pairs, batch 2
    cfg = det_config.testing_config(config, str(tmp_path / "work" / "epoch_1.pth"), work_dir=str(tmp_path / "test"),
                         cfg_options=TINY, data_root=str(out))
    metrics = build_runner(cfg).test()
    assert 0.0 <= metrics["coco/bbox_mAP"] <= 1.0 and "coco/bbox_mAP_s" in metrics
