"""The detectors fed both bands on real runs: every early / halfway leaf (KAIST, LLVIP, MSRS) trains an iteration
and tests on a tiny derived dataset written by fuse_dataset (its visible and lwir folders), and both overfit a
few synthetic KAIST frames (AP50 1, AP >= 0.6), as the single-band GFLv2 does."""
from __future__ import annotations

import pytest

from detection.runs import config as det_config
from detection.runs.config import build_runner, training_config
from fusion.datasets.synthetic_kaist import make_synthetic_kaist
from fusion.jobs.fuse_dataset import ADAPTERS, KaistAdapter, PixelOptions, RunOptions, fuse_dataset

BANDS = ["visible", "lwir"]


def small_options(config: str, test_ann: str, max_epochs: int = 1) -> dict:
    """ResNet-18 and a slim head (the leaf's own classes), in-process loading, no validation."""
    halfway = "halfway" in config
    return {
        "model.backbone.depth": 18, "model.backbone.init_cfg": None,
        "model.neck.in_channels": [128, 256, 512] if halfway else [64, 128, 256, 512],
        "model.neck.out_channels": 32, "model.bbox_head.in_channels": 32, "model.bbox_head.feat_channels": 64,
        "model.bbox_head.stacked_convs": 1, "model.test_cfg.score_thr": 0.0, "train_dataloader.batch_size": 2,
        "train_dataloader.num_workers": 0, "train_dataloader.persistent_workers": False,
        "test_dataloader.num_workers": 0, "test_dataloader.persistent_workers": False,
        "train_cfg.max_epochs": max_epochs, "val_cfg": None, "val_dataloader": None, "val_evaluator": None,
        "randomness.seed": 0, "train_dataloader.dataset.ann_file": test_ann,
        "test_dataloader.dataset.ann_file": test_ann,
    }


@pytest.fixture(scope="module")
def kaist_bands(tmp_path_factory):
    """A derived synthetic KAIST with the two band folders (test split, 2 pairs a set: 4 frames, 96x80)."""
    source, out = tmp_path_factory.mktemp("synthetic"), tmp_path_factory.mktemp("kaist_bands")
    make_synthetic_kaist(source, pairs_per_set=2, width=96, height=80)
    fuse_dataset(KaistAdapter(source), out, BANDS, split="synthetic-test", pixels=PixelOptions(),
                 options=RunOptions(workers=0, progress=False), log=lambda _: None)
    return out, "annotations/synthetic-test.json"


def bands_of(dataset: str, request, tmp_path):
    if dataset == "kaist":
        return request.getfixturevalue("kaist_bands")
    out = tmp_path / "bands"
    fuse_dataset(ADAPTERS[dataset](request.getfixturevalue(f"tiny_{dataset}")), out, BANDS, split="test",
                 options=RunOptions(workers=0, progress=False), log=lambda _: None)
    return out, "annotations/test.json"


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["early", "halfway"])
@pytest.mark.parametrize("dataset", ["kaist", "llvip", "msrs"])
def test_each_pair_leaf_trains_and_tests(dataset, kind, request, tmp_path):
    root, ann = bands_of(dataset, request, tmp_path)
    config = f"gflv2_{'' if dataset == 'kaist' else dataset + '_'}{kind}.py"
    options = small_options(config, ann)
    if dataset == "kaist":
        options["test_evaluator.ann_file"] = str(root / ann)
    runner = build_runner(training_config(config, work_dir=str(tmp_path / "work"), cfg_options=options,
                                          data_root=str(root)))
    runner.train()
    assert runner.iter >= 2 and type(runner.model.backbone).__name__.lower().startswith(kind)
    cfg = det_config.testing_config(config, str(tmp_path / "work" / "epoch_1.pth"), work_dir=str(tmp_path / "test"),
                         cfg_options=options, data_root=str(root))
    metrics = build_runner(cfg).test()
    key = "kaist/AP" if dataset == "kaist" else "coco/bbox_mAP"
    assert 0.0 <= metrics[key] <= 1.0


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["early", "halfway"])
def test_pair_detectors_overfit_a_few_frames(kind, tmp_path_factory, tmp_path):
    """4 synthetic frames (128x96), trained on and tested on, 150 epochs of one batch: every person found
    (AP50 1) and boxes tight (AP over IoU 0.5-0.95 >= 0.6 on people a few tens of pixels tall)."""
    source, root = tmp_path_factory.mktemp("overfit_src"), tmp_path_factory.mktemp("overfit")
    make_synthetic_kaist(source, pairs_per_set=2, width=128, height=96)
    fuse_dataset(KaistAdapter(source), root, BANDS, split="synthetic-test", pixels=PixelOptions(),
                 options=RunOptions(workers=0, progress=False), log=lambda _: None)
    config, ann = f"gflv2_{kind}.py", "annotations/synthetic-test.json"
    options = {**small_options(config, ann, max_epochs=150), "train_dataloader.batch_size": 4,
               "model.neck.out_channels": 256, "model.bbox_head.in_channels": 256,
               "model.bbox_head.feat_channels": 256, "model.bbox_head.stacked_convs": 4,
               "train_dataloader.dataset.pipeline.RandomFlip.prob": 0.0, "auto_scale_lr.enable": False,
               "param_scheduler": [dict(type="LinearLR", start_factor=0.1, by_epoch=False, begin=0, end=10)],
               "default_hooks.checkpoint.interval": 150, "default_hooks.logger.interval": 50,
               "test_evaluator.ann_file": str(root / ann),
               **{f"{loop}_dataloader.dataset.pipeline.Resize.scale": (128, 96) for loop in ("train", "test")}}
    build_runner(training_config(config, work_dir=str(tmp_path / "work"), cfg_options=options,
                                 data_root=str(root))).train()
    cfg = det_config.testing_config(config, str(tmp_path / "work" / "epoch_150.pth"), work_dir=str(tmp_path / "test"),
                         cfg_options=options, data_root=str(root))
    metrics = build_runner(cfg).test()
    assert metrics["kaist/AP50"] == pytest.approx(1.0) and metrics["kaist/AP"] >= 0.6, metrics
