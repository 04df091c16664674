"""Single images: recursive search, greyscale, exclusion of held-out pairs by content."""
from __future__ import annotations

import cv2
import numpy as np
import torch

from fusion.datasets import SingleImageDataset
from fusion.datasets.single import find_images


def test_finds_every_image_recursively(pair_root, tmp_path):
    (pair_root / "a" / "notes.txt").write_text("not an image")
    dataset = SingleImageDataset(pair_root, crop_size=(24, 16))
    assert len(dataset) == 2 * (10 + 4)
    assert dataset.names[:2] == ["pairs/a/ir/1.png", "pairs/a/ir/2.png"]
    sample = dataset[(2, 5)]
    assert sample["image"].shape == (1, 16, 24) and sample["image"].dtype == torch.float32


def test_colour_becomes_grey_at_full_size(pair_root):
    dataset = SingleImageDataset(pair_root / "b" / "vi", crop_size=None, flip=False)
    assert dataset[0]["image"].shape == (1, 56, 64)


def test_excludes_held_out_pairs_wherever_their_pixels_reappear(pair_root, tmp_path):
    # a copy of pair a/3 in another set and format (as tno21's pairs reappear in tno40 as BMP)
    copy = tmp_path / "more" / "c"
    for band in ("ir", "vi"):
        (copy / band).mkdir(parents=True)
        cv2.imwrite(str(copy / band / "x.bmp"), cv2.imread(str(pair_root / "a" / band / "3.png"), cv2.IMREAD_UNCHANGED))
    listing = tmp_path / "test.txt"
    listing.write_text("a/3\nb/img_1\n")
    dataset = SingleImageDataset([pair_root, tmp_path / "more"], crop_size=None,
                                 exclude_pairs=dict(root=str(pair_root), file_list=str(listing)))
    excluded = sorted(p.relative_to(tmp_path).as_posix() for p in dataset.excluded)
    assert excluded == ["more/c/ir/x.bmp", "more/c/vi/x.bmp", "pairs/a/ir/3.png", "pairs/a/vi/3.png",
                        "pairs/b/ir/img_1.bmp", "pairs/b/vi/img_1.bmp"]
    assert len(dataset) == 28 + 2 - 6


def test_natural_order(tmp_path):
    for name in ("10.png", "2.png", "1.png"):
        cv2.imwrite(str(tmp_path / name), np.zeros((4, 4), np.uint8))
    assert [p.name for p in find_images(tmp_path)] == ["1.png", "2.png", "10.png"]


def test_real_data_without_the_test_split(shared_data):
    split = __import__("pathlib").Path(__file__).resolve().parents[3] / "configs" / "fusion" / "splits" / "test.txt"
    dataset = SingleImageDataset([shared_data / "fusion"], crop_size=(320, 256),
                                 exclude_pairs=dict(root=str(shared_data / "fusion"), file_list=str(split)))
    assert len(dataset.excluded) >= 2 * 26
    assert dataset[(0, 0)]["image"].shape == (1, 256, 320)
