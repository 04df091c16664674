"""Paired folders: layout, file lists, BT.601 luminance, reproducible per-(epoch, index) augmentation."""
from __future__ import annotations

import cv2
import numpy as np
import pytest
import torch

from fusion.datasets import PairedFolderDataset, index_pairs, read_file_list
from fusion.registry import DATASETS
from fusion.utils.images import read_luminance


def test_indexes_every_set_in_natural_order(pair_root):
    names = [r.name for r in index_pairs(pair_root)]
    assert names[:3] == ["a/1", "a/2", "a/3"] and names[9] == "a/10" and names[10:] == [f"b/img_{i}" for i in range(4)]


def test_samples_have_the_layout_and_range(pair_root):
    dataset = DATASETS.build(dict(type="PairedFolderDataset", root=str(pair_root), crop_size=(24, 16)))
    sample = dataset[(0, 12)]
    assert sample["name"] == "b/img_2"
    for band in ("vis", "ir"):
        assert sample[band].shape == (1, 16, 24) and sample[band].dtype == torch.float32
        assert 0 <= sample[band].min() and sample[band].max() <= 1


def test_colour_visible_becomes_bt601_luminance(pair_root):
    dataset = PairedFolderDataset(pair_root, sets=["b"], crop_size=None, flip=False)
    sample = dataset[0]
    bgr = cv2.imread(str(pair_root / "b" / "vi" / "img_0.bmp"))
    b, g, r = (bgr[..., i].astype(np.float64) for i in range(3))
    expected = np.rint(0.299 * r + 0.587 * g + 0.114 * b) / 255
    # equal up to a few float32 rounding ties (x.5) of OpenCV's conversion
    np.testing.assert_allclose(sample["vis"][0].numpy(), expected, atol=1.01 / 255)
    assert np.mean(np.abs(sample["vis"][0].numpy() - expected) > 1e-6) < 0.01
    assert sample["vis"].shape == (1, 56, 64)  # eval mode: full size


def test_same_key_same_sample_other_epoch_other_crop(pair_root):
    dataset = PairedFolderDataset(pair_root, crop_size=(24, 16), seed=3)
    first, again, later = dataset[(0, 4)], dataset[(0, 4)], dataset[(1, 4)]
    assert torch.equal(first["vis"], again["vis"]) and torch.equal(first["ir"], again["ir"])
    assert not torch.equal(first["vis"], later["vis"])
    other_seed = PairedFolderDataset(pair_root, crop_size=(24, 16), seed=4)[(0, 4)]
    assert not torch.equal(first["vis"], other_seed["vis"])


def test_crop_is_aligned_between_the_bands(pair_root):
    full = PairedFolderDataset(pair_root, sets=["a"], crop_size=None, flip=False)[0]
    for epoch in range(6):
        crop = PairedFolderDataset(pair_root, sets=["a"], crop_size=(24, 16))[(epoch, 0)]
        matches = []
        for dims in ((), (0,), (1,), (0, 1)):
            vis, ir = full["vis"][0].flip(dims), full["ir"][0].flip(dims)
            for top in range(40 - 16 + 1):
                for left in range(48 - 24 + 1):
                    if torch.equal(vis[top:top + 16, left:left + 24], crop["vis"][0]):
                        matches.append(torch.equal(ir[top:top + 16, left:left + 24], crop["ir"][0]))
        assert matches and all(matches)


def test_file_list_restricts_and_orders(pair_root, tmp_path):
    listing = tmp_path / "list.txt"
    listing.write_text("# header\nb/img_3\n\na/2  # comment\n")
    assert read_file_list(listing) == ["b/img_3", "a/2"]
    dataset = PairedFolderDataset(pair_root, file_list=listing, crop_size=None)
    assert [dataset[i]["name"] for i in range(len(dataset))] == ["b/img_3", "a/2"]


@pytest.mark.parametrize(("text", "message"), [("a/1\na/1\n", "twice"), ("a\n", "<set>/<stem>"),
                                               ("a/1/x\n", "<set>/<stem>")])
def test_bad_file_lists_are_named(tmp_path, text, message):
    listing = tmp_path / "bad.txt"
    listing.write_text(text)
    with pytest.raises(ValueError, match=message):
        read_file_list(listing)


def test_missing_pair_and_size_mismatch_are_named(pair_root, tmp_path):
    listing = tmp_path / "list.txt"
    listing.write_text("a/99\n")
    with pytest.raises(FileNotFoundError, match="a/99"):
        PairedFolderDataset(pair_root, file_list=listing)
    cv2.imwrite(str(pair_root / "a" / "vi" / "1.png"), np.zeros((30, 30), np.uint8))
    with pytest.raises(ValueError, match="a/1"):
        PairedFolderDataset(pair_root, sets=["a"], crop_size=None)[0]


def test_read_luminance_rejects_16_bit(tmp_path):
    path = tmp_path / "deep.png"
    cv2.imwrite(str(path), np.zeros((4, 4), np.uint16))
    with pytest.raises(ValueError, match="8 bits"):
        read_luminance(path)


def test_real_sets_load(shared_data):
    dataset = PairedFolderDataset(shared_data / "fusion", sets=["tno21", "roadscene"], crop_size=(320, 256))
    assert len(dataset) == 21 + 221
    sample = dataset[(0, 30)]
    assert sample["vis"].shape == sample["ir"].shape == (1, 256, 320)
