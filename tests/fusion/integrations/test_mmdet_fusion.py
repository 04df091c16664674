"""Fusion inside MMDetection: the on-the-fly transform gives fuse_dataset's images, the batched preprocessor
fuses like it on the model's device, and both on-the-fly configs train and test on raw (synthetic) KAIST."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from detection.runs import config as det_config
from fusion.datasets.synthetic_kaist import make_synthetic_kaist
from fusion.integrations.mmdet_fusion import FusionDetDataPreprocessor, LoadFusedKaistPair, LoadKaistPair
from fusion.jobs.fuse_dataset.pixels import encode_jpeg
from tools import fuse_dataset

WIDTH, HEIGHT = 96, 80
TINY = {"model.backbone.depth": 18, "model.backbone.init_cfg": None, "model.neck.in_channels": [64, 128, 256, 512],
        "model.neck.out_channels": 32, "model.bbox_head.in_channels": 32, "model.bbox_head.feat_channels": 64,
        "model.bbox_head.stacked_convs": 1, "model.test_cfg.score_thr": 0.0, "train_dataloader.batch_size": 2,
        "train_dataloader.num_workers": 0, "train_dataloader.persistent_workers": False,
        "test_dataloader.num_workers": 0, "test_dataloader.persistent_workers": False, "train_cfg.max_epochs": 1,
        "val_cfg": None, "val_dataloader": None, "val_evaluator": None, "randomness.seed": 0}


@pytest.fixture(scope="module")
def kaist(tmp_path_factory) -> tuple[Path, Path]:
    """Raw synthetic KAIST and its fuse_dataset folder (nestfuse, msfam, average; batch 1, PyTorch)."""
    raw, fused = tmp_path_factory.mktemp("raw"), tmp_path_factory.mktemp("fused")
    make_synthetic_kaist(raw, pairs_per_set=1, width=WIDTH, height=HEIGHT)
    for split in ("synthetic-train", "synthetic-test"):
        fuse_dataset.main(["kaist", "--root", str(raw), "--out", str(fused), "--split", split, "--no-progress",
                           "--methods", "nestfuse,msfam,average", "--batch-size", "1", "--workers", "0",
                           "--backend", "torch"])
    return raw, fused


def frames(fused: Path) -> list[str]:
    test_json = json.loads((fused / "annotations" / "synthetic-test.json").read_text())
    return [image["file_name"] for image in test_json["images"]]


@pytest.mark.parametrize("method", ["nestfuse", "msfam", "average"])
def test_the_on_the_fly_image_is_fuse_datasets(kaist, method):
    raw, fused = kaist
    load = LoadFusedKaistPair(str(raw), fusion=method, backend="torch")
    for name in frames(fused):
        results = load.transform({"img_path": str(fused / name)})
        assert results["img"].shape == (HEIGHT, WIDTH, 3) and results["ori_shape"] == (HEIGHT, WIDTH)
        assert encode_jpeg(results["img"], 95) == (fused / method / name).read_bytes()  # the same JPEG, byte for byte


def test_the_batched_preprocessor_fuses_as_the_transform(kaist):
    raw, fused = kaist
    names = frames(fused)
    pairs = [LoadKaistPair(str(raw)).transform({"img_path": name})["img"] for name in names]
    assert pairs[0].shape == (HEIGHT, WIDTH, 4) and pairs[0].dtype == np.uint8
    preprocessor = FusionDetDataPreprocessor(fusion="nestfuse", mean=[0, 0, 0], std=[1, 1, 1])
    batch = torch.stack([torch.from_numpy(p).permute(2, 0, 1) for p in pairs])
    images = preprocessor.fuse(batch).permute(0, 2, 3, 1).numpy()
    load = LoadFusedKaistPair(str(raw), fusion="nestfuse", backend="torch")
    for name, image in zip(names, images):
        expected = load.transform({"img_path": name})["img"].astype(float)
        assert np.abs(image - expected).max() <= 1  # float colour conversion on tensors, rounded once
    assert list(preprocessor.parameters()) == [] and preprocessor.state_dict() == {}


@pytest.mark.slow
@pytest.mark.parametrize("config", ["gflv2_fused_onthefly.py", "gflv2_fused_onthefly_batched.py"])
def test_on_the_fly_configs_train_and_test(kaist, config, tmp_path):
    raw, fused = kaist
    step = "LoadKaistPair" if "batched" in config else "LoadFusedKaistPair"
    options = {**TINY, "train_dataloader.dataset.ann_file": "annotations/synthetic-train.json",
               "test_dataloader.dataset.ann_file": "annotations/synthetic-test.json",
               "test_evaluator.ann_file": str(fused / "annotations" / "synthetic-test.json"),
               **{f"{loop}_dataloader.dataset.pipeline.{step}.kaist_root": str(raw) for loop in ("train", "test")},
               **{f"{loop}_dataloader.dataset.pipeline.Resize.scale": (WIDTH, HEIGHT) for loop in ("train", "test")}}
    if "batched" not in config:
        options["train_dataloader.dataset.pipeline.LoadFusedKaistPair.fusion"] = "nestfuse"  # quicker than msfam
        options["test_dataloader.dataset.pipeline.LoadFusedKaistPair.fusion"] = "nestfuse"
    common = dict(work_dir=str(tmp_path), cfg_options=options, data_root=str(fused))
    runner = det_config.build_runner(det_config.training_config(config, **common))
    runner.train()
    checkpoint = tmp_path / "epoch_1.pth"
    state = torch.load(checkpoint, map_location="cpu", weights_only=False)["state_dict"]
    assert all(key.split(".")[0] in ("backbone", "neck", "bbox_head") for key in state)  # no fusion weights
    metrics = det_config.build_runner(det_config.testing_config(config, str(checkpoint), **common)).test()
    assert {"kaist/AP", "kaist/MR_all"} <= set(metrics)


def test_real_kaist_pairs_load_as_fuse_dataset_reads_them(shared_data, tmp_path):
    """KAIST's thermal JPEGs are colour files whose planes differ by up to 4 grey levels: every reader of a raw
    pair decodes the thermal greyscale, as fuse_dataset does, so the images match byte for byte."""
    from detection.datasets import LoadImagePair

    raw = shared_data / "kaist"
    fuse_dataset.main(["kaist", "--root", str(raw), "--out", str(tmp_path), "--split", "test-mini-9", "--no-progress",
                       "--methods", "average,lwir", "--workers", "0"])
    names = [image["file_name"] for image in
             json.loads((tmp_path / "annotations" / "test-mini-9.json").read_text())["images"]]
    fused, stacked = LoadFusedKaistPair(str(raw), fusion="average"), LoadKaistPair(str(raw))
    assert len(names) == 9
    for name in names:
        assert encode_jpeg(fused.transform({"img_path": name})["img"], 95) == (tmp_path / "average" / name).read_bytes()
        set_id, video, image = name.split("/")
        bands = LoadImagePair().transform({"img_path": str(raw / "images" / set_id / video / "visible" / image),
                                           "thermal_path": str(tmp_path / "lwir" / name)})["img"]
        np.testing.assert_array_equal(stacked.transform({"img_path": name})["img"], bands)
