"""KAIST frames as fusion pairs: the list resolves, incomplete frames are skipped, visible made grey."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from fusion.datasets import KaistPairDataset


def _kaist(root, frames, missing_lwir=()):
    rng = np.random.default_rng(0)
    for frame in frames:
        set_id, video, image = frame.split("/")
        for band in ("visible", "lwir"):
            if band == "lwir" and frame in missing_lwir:
                continue
            folder = root / "images" / set_id / video / band
            folder.mkdir(parents=True, exist_ok=True)
            cv2.imwrite(str(folder / f"{image}.jpg"), rng.integers(0, 256, (32, 40, 3), dtype=np.uint8))
    (root / "imageSets").mkdir(parents=True, exist_ok=True)
    (root / "imageSets" / "mini.txt").write_text("\r\n".join(frames) + "\r\n")


def test_pairs_of_a_list_and_skipped_frames(tmp_path):
    frames = ["set06/V000/I00001", "set06/V000/I00002", "set09/V001/I00005"]
    _kaist(tmp_path, frames, missing_lwir={"set06/V000/I00002"})
    dataset = KaistPairDataset(tmp_path, "mini", crop_size=None, flip=False)
    assert dataset.split_name == "mini" and dataset.skipped == ["set06/V000/I00002"]
    assert [dataset[i]["name"] for i in range(len(dataset))] == ["set06/V000/I00001", "set09/V001/I00005"]
    sample = dataset[1]
    assert sample["vis"].shape == sample["ir"].shape == (1, 32, 40)


def test_no_complete_frame_is_an_error(tmp_path):
    _kaist(tmp_path, ["set06/V000/I00001"], missing_lwir={"set06/V000/I00001"})
    with pytest.raises(ValueError, match="lwir"):
        KaistPairDataset(tmp_path, "mini")


def test_real_test_mini(shared_data):
    dataset = KaistPairDataset(shared_data / "kaist", "test-mini-9", crop_size=(320, 256))
    assert len(dataset) == 9
    sample = dataset[(0, 0)]
    assert sample["vis"].shape == sample["ir"].shape == (1, 256, 320)
