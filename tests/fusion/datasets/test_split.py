"""The train/test split: deterministic, about 90/10 per set, disjoint, deduplicated, near copies kept together."""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from fusion.datasets.paired import index_pairs, read_file_list, read_pair
from fusion.datasets.split import pair_digest, split_pairs

from ..conftest import write_pairs

SPLITS = Path(__file__).resolve().parents[3] / "configs" / "fusion" / "splits"


@pytest.fixture
def sets(tmp_path):
    root = tmp_path / "sets"
    write_pairs(root, "big", [str(i) for i in range(40)], shape=(24, 24), seed=0)
    write_pairs(root, "small", [str(i) for i in range(10)], shape=(24, 24), seed=500)
    # "copy" holds big/3 and big/4 again as BMP, and a near copy of big/5 (a little noise)
    for band in ("ir", "vi"):
        (root / "copy" / band).mkdir(parents=True)
        for stem in ("3", "4"):
            image = cv2.imread(str(root / "big" / band / f"{stem}.png"), cv2.IMREAD_UNCHANGED)
            cv2.imwrite(str(root / "copy" / band / f"dup{stem}.bmp"), image)
        image = cv2.imread(str(root / "big" / band / "5.png"), cv2.IMREAD_UNCHANGED).astype(int)
        cv2.imwrite(str(root / "copy" / band / "near5.png"), np.clip(image + (image % 3 == 0), 0, 255).astype(np.uint8))
    write_pairs(root, "copy", ["own"], shape=(24, 24), seed=900)
    return root


def test_deterministic_disjoint_deduplicated_and_per_set_90_10(sets):
    records = index_pairs(sets, ["big", "small", "copy"])
    split = split_pairs(records, 0.9, seed=0)
    assert split_pairs(records, 0.9, seed=0) == split
    assert split_pairs(records, 0.9, seed=1).test != split.test
    assert sorted(split.duplicates) == [("copy/dup3", "big/3"), ("copy/dup4", "big/4")]
    assert not set(split.train) & set(split.test)
    assert len(split.train) + len(split.test) == 40 + 10 + 4 - 2
    assert sum(n.startswith("big/") for n in split.test) in (4, 5)  # 4 of 40, +1 if a 2-pair group tips it
    assert sum(n.startswith("small/") for n in split.test) == 1
    assert ["big/5", "copy/near5"] in split.groups
    assert ("big/5" in split.test) == ("copy/near5" in split.test)


def test_pixels_of_test_and_train_never_coincide(sets):
    records = {r.name: r for r in index_pairs(sets, ["big", "small", "copy"])}
    split = split_pairs(list(records.values()), 0.9, seed=2)
    train = {pair_digest(*read_pair(records[n])) for n in split.train}
    assert not any(pair_digest(*read_pair(records[n])) in train for n in split.test)


def test_committed_split_lists():
    train, val, test = (read_file_list(SPLITS / f"{name}.txt") for name in ("train", "val", "test"))
    assert len(train) == 217 and len(val) == 24 and len(test) == 26
    assert not set(train) & set(test) and not set(val) & set(test) and not set(train) & set(val)
    assert 0.08 < len(test) / (len(train) + len(val) + len(test)) < 0.12
    assert 0.08 < len(val) / (len(train) + len(val)) < 0.12
    assert {n.split("/")[0] for n in train + val + test} == {"tno40", "tno21", "roadscene"}


def test_committed_split_matches_the_data(shared_data):
    root = shared_data / "fusion"
    records = index_pairs(root, ["tno40", "tno21", "roadscene"])
    split = split_pairs(records, 0.9, seed=0)
    assert split.test == read_file_list(SPLITS / "test.txt")
    val = split_pairs(index_pairs(root, names=split.train), 0.9, seed=0).test
    assert val == read_file_list(SPLITS / "val.txt")
    assert sorted(split.train) == sorted(read_file_list(SPLITS / "train.txt") + val)
    assert len(split.duplicates) == 15
    digests = {pair_digest(*read_pair(r)) for r in index_pairs(root, names=split.train)}
    assert not any(pair_digest(*read_pair(r)) in digests for r in index_pairs(root, names=split.test))
