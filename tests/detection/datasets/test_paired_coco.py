"""PairedCocoDataset + LoadImagePair: both bands of a frame as one 4-band image, moved together by the geometric
transforms (pixel checks on a constructed pair), and clear errors for missing or mismatched images."""
from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from mmengine.registry import init_default_scope

import detection  # noqa: F401  (registers the dataset and the transform)
from detection.datasets import LoadImagePair, PairedCocoDataset

WIDTH, HEIGHT = 64, 48


def write_derived_dataset(root: Path, thermal_size: tuple[int, int] = (WIDTH, HEIGHT)) -> Path:
    """``visible/a/f0.png``, ``lwir/a/f0.png`` and ``annotations/test.json``: a colour ramp and a thermal image
    whose every pixel differs (PNG, so no compression noise)."""
    rows, cols = np.mgrid[0:HEIGHT, 0:WIDTH]
    visible = np.dstack([cols * 4 % 256, rows * 5 % 256, (rows * 3 + cols) % 256]).astype(np.uint8)
    tw, th = thermal_size
    thermal = ((np.mgrid[0:th, 0:tw][0] * 7 + np.mgrid[0:th, 0:tw][1] * 11) % 256).astype(np.uint8)
    for folder, image in (("visible", visible), ("lwir", thermal)):
        (root / folder / "a").mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(root / folder / "a" / "f0.png"), image)
    (root / "annotations").mkdir(parents=True, exist_ok=True)
    coco = {"images": [{"id": 0, "file_name": "a/f0.png", "width": WIDTH, "height": HEIGHT}],
            "annotations": [{"id": 1, "image_id": 0, "category_id": 1, "bbox": [5, 6, 20, 30], "area": 600,
                             "iscrowd": 0}],
            "categories": [{"id": 1, "name": "person"}]}
    (root / "annotations" / "test.json").write_text(json.dumps(coco))
    return root


def dataset(root: Path, pipeline: list[dict], prefix: dict | None = None) -> PairedCocoDataset:
    init_default_scope("mmdet")
    return PairedCocoDataset(data_root=str(root), ann_file="annotations/test.json",
                             data_prefix=prefix or dict(img="visible/", thermal="lwir/"),
                             metainfo=dict(classes=("person",)), pipeline=pipeline, test_mode=True)


GEOMETRY = [dict(type="Resize", scale=(100, 80), keep_ratio=False), dict(type="RandomFlip", prob=1.0)]


def test_the_pair_is_read_as_four_bands_and_moved_together(tmp_path):
    root = write_derived_dataset(tmp_path)
    pair = dataset(root, [dict(type="LoadImagePair"), *GEOMETRY])[0]
    assert pair["img"].shape == (80, 100, 4) and pair["img"].dtype == np.uint8
    assert pair["thermal_path"].endswith("lwir/a/f0.png") and pair["ori_shape"] == (HEIGHT, WIDTH)
    # each band alone through mmdet's own loader and the same transforms
    alone = {folder: dataset(root, [dict(type="LoadImageFromFile"), *GEOMETRY], dict(img=f"{folder}/",
                                                                                    thermal="lwir/"))[0]["img"]
             for folder in ("visible", "lwir")}
    np.testing.assert_array_equal(pair["img"][..., :3], alone["visible"])
    np.testing.assert_array_equal(pair["img"][..., 3], alone["lwir"][..., 0])
    # and the flip really happened: the first column of the result is the resized last column
    resized = cv2.resize(cv2.imread(str(root / "lwir" / "a" / "f0.png"), cv2.IMREAD_GRAYSCALE), (100, 80))
    np.testing.assert_array_equal(pair["img"][..., 3], resized[:, ::-1])
    assert not np.array_equal(resized, resized[:, ::-1])


def test_mismatched_sizes_and_missing_images_name_the_files(tmp_path):
    root = write_derived_dataset(tmp_path, thermal_size=(WIDTH // 2, HEIGHT))
    with pytest.raises(ValueError, match=r"visible/a/f0.png is 64x48, .*lwir/a/f0.png 32x48"):
        dataset(root, [dict(type="LoadImagePair")])[0]
    (root / "lwir" / "a" / "f0.png").unlink()
    with pytest.raises(FileNotFoundError, match=r"lwir/a/f0.png: missing; .*--methods visible,lwir"):
        LoadImagePair()(dict(img_path=str(root / "visible" / "a" / "f0.png"),
                             thermal_path=str(root / "lwir" / "a" / "f0.png")))


def test_the_dataset_needs_a_thermal_folder(tmp_path):
    root = write_derived_dataset(tmp_path)
    with pytest.raises(KeyError, match="thermal"):
        dataset(root, [], dict(img="visible/"))
