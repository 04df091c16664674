"""Ground truth in both layouts: frame keys, day/night, ignore flags, image-id resolution."""
from __future__ import annotations

import numpy as np
import pytest

from detection.evaluation import frame_key, load_ground_truth, period_of


@pytest.mark.parametrize("path, key", [
    ("set06/V000/I00019", "set06/V000/I00019"),
    ("set06/V000/I00019.jpg", "set06/V000/I00019"),
    ("data/kaist/images/set06/V000/lwir/I00019.jpg", "set06/V000/I00019"),
    ("outputs/fused/msfam/set11/V001/I01279.png", "set11/V001/I01279"),
    ("set06_V000_I00019.png", "set06/V000/I00019"),
    ("dataset06/V000/I00019.jpg", None),
    ("I00019.jpg", None),
])
def test_frame_key(path, key):
    assert frame_key(path) == key


def test_period_by_set():
    assert [period_of(f"set{i:02d}/V000/I00000") for i in range(12)] == ["day"] * 3 + ["night"] * 3 + [
        "day"] * 3 + ["night"] * 3


@pytest.mark.parametrize("layout", ["converted", "kits"])
def test_both_layouts_read_alike(layouts, layout):
    gt = load_ground_truth(layouts[layout]())
    assert [image.key for image in gt.images] == list(layouts["frames"])
    assert gt.image_ids("day") == [0, 1] and gt.image_ids("night") == [2, 3]
    assert gt.boxes[0].ignore.tolist() == [False, True, False]
    np.testing.assert_array_equal(gt.boxes[1].occlusions, [1, 2])
    assert len(gt.boxes[3].boxes) == 0


def test_kits_layout_ignores_other_categories_and_renumbers_for_pycocotools(layouts):
    data = layouts["kits"]()
    data["annotations"].append({"id": 99, "image_id": 3, "category_id": 0, "bbox": [1, 1, 9, 9], "height": 9,
                                "occlusion": 0, "ignore": 0})
    gt = load_ground_truth(data)
    assert len(gt.boxes[3].boxes) == 0
    coco = gt.to_coco()
    assert [a["id"] for a in coco["annotations"]] == list(range(1, 8))  # kits' ids start at 0
    assert [a["iscrowd"] for a in coco["annotations"]] == [0, 1, 0, 0, 0, 0, 0]
    assert coco["annotations"][0]["area"] == 4000.0


def test_resolve_image_id_prefers_the_frame_in_the_path(layouts):
    gt = load_ground_truth(layouts["kits"](id_offset=10))
    assert gt.resolve_image_id(0, "kaist_coco/visible/set09/V000/I00019.jpg") == 12
    assert gt.resolve_image_id(13, "somewhere/else.jpg") == 13
    with pytest.raises(KeyError):
        gt.resolve_image_id(0, None)


def test_bad_ground_truth_is_reported(layouts):
    data = layouts["converted"]()
    data["images"][0]["file_name"] = "0001.jpg"
    with pytest.raises(ValueError, match="names no KAIST frame"):
        load_ground_truth(data)
    data = layouts["converted"]()
    data["categories"] = [{"id": 1, "name": "pedestrian"}]
    with pytest.raises(ValueError, match="person"):
        load_ground_truth(data)
