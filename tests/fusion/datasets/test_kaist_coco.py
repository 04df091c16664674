"""KAIST -> COCO: image/annotation fields, ignore regions, clipping, the real test-mini-9 counts."""
import json
from collections import Counter, defaultdict

import pytest
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

from fusion.datasets.kaist import index_frames, resolve_split
from fusion.datasets.kaist_annotations import KaistObject, read_annotation
from fusion.datasets.kaist_coco import clip_box, convert_split, kaist_to_coco, write_coco
from fusion.datasets.synthetic_kaist import make_synthetic_kaist

SIZE = (96, 80)


@pytest.fixture
def synthetic(tmp_path):
    root = tmp_path / "kaist"
    make_synthetic_kaist(root, pairs_per_set=2, width=SIZE[0], height=SIZE[1])
    return root


@pytest.fixture
def kaist(shared_data):
    root = shared_data / "kaist"
    if not (root / "annotations-xml-new").is_dir():
        pytest.skip(f"KAIST annotations not found at {root}")
    return root


def test_synthetic_split_fields(synthetic):
    coco, stats = convert_split(synthetic, "synthetic-test", image_size=SIZE)
    frames, problems = index_frames(synthetic, resolve_split(synthetic, "synthetic-test")[1])
    assert problems == [] and stats.images == len(coco["images"]) == len(frames) == 4
    assert coco["categories"] == [{"id": 1, "name": "person"}]
    assert coco["info"]["split"] == "synthetic-test"
    for index, (image, frame) in enumerate(zip(coco["images"], frames)):
        assert image == {"id": index, "file_name": frame.relative_path, "width": 96, "height": 80,
                         "set": frame.set_id, "video": frame.video, "frame": frame.image, "period": frame.period,
                         "frame_id": frame.frame_id}
        objects = read_annotation(frame.annotation_path)
        boxes = [a for a in coco["annotations"] if a["image_id"] == index]
        assert [(a["label"], a["occlusion"]) for a in boxes] == [(o.label, o.occlusion) for o in objects]
        assert all(a["ignore"] == a["iscrowd"] == int(a["label"] != "person") for a in boxes)
    assert [a["id"] for a in coco["annotations"]] == list(range(1, stats.annotations + 1))
    assert stats.images_per_period == {"day": 2, "night": 2}
    assert stats.ignore == sum(n for label, n in stats.boxes_per_label.items() if label != "person")


def test_ground_truth_as_detections_scores_ap_one(synthetic, tmp_path):
    """pycocotools reads the json; ignore regions (iscrowd) neither count as misses nor as false positives."""
    coco_dict, stats = convert_split(synthetic, "synthetic-all", image_size=SIZE)
    assert stats.ignore > 0  # seed 0 draws some 'people' groups
    path = write_coco(coco_dict, tmp_path / "gt.json")
    gt = COCO(str(path))
    persons = [a for a in coco_dict["annotations"] if not a["ignore"]]
    detections = [{"image_id": a["image_id"], "category_id": 1, "bbox": a["bbox"], "score": 0.9} for a in persons]
    for a in coco_dict["annotations"]:  # a top-left quarter of each ignore region, ranked first: not a false positive
        if a["ignore"]:
            x, y, w, h = a["bbox"]
            detections.append({"image_id": a["image_id"], "category_id": 1, "bbox": [x, y, w / 2, h / 2], "score": 1.0})
    evaluator = COCOeval(gt, gt.loadRes(detections), "bbox")
    evaluator.params.maxDets = [1, 10, 100]
    evaluator.evaluate()
    evaluator.accumulate()
    evaluator.summarize()
    assert evaluator.stats[0] == pytest.approx(1.0)


def test_clipping_and_degenerate_boxes(tmp_path):
    objects = [("person", (10, 20, 30, 40), 0),      # inside: unchanged
               ("person", (-5, 470, 20, 60), 1),     # left and bottom out: clipped to (0, 470, 15, 42)
               ("people", (600, -8, 60, 30), 0),     # right and top out: clipped to (600, 0, 40, 22)
               ("person", (650, 100, 20, 40), 0),    # wholly outside: dropped
               ("person", (100, 100, 0, 40), 0),     # zero width: dropped
               ("cyclist", (639.5, 10, 10, 40), 2),  # 0.5 px wide after clipping: dropped
               ("dog", (5, 5, 10, 10), 0)]           # unknown label: an ignore region
    xml = tmp_path / "set06" / "V000" / "I00019.xml"
    xml.parent.mkdir(parents=True)
    xml.write_text("<annotation>" + "".join(
        f"<object><name>{label}</name><bndbox><x>{x}</x><y>{y}</y><w>{w}</w><h>{h}</h></bndbox>"
        f"<occlusion>{occ}</occlusion></object>" for label, (x, y, w, h), occ in objects) + "</annotation>")
    coco, stats = kaist_to_coco([("set06/V000/I00019", read_annotation(xml))])
    boxes = coco["annotations"]
    fields = ("label", "bbox", "height", "area", "ignore", "iscrowd", "occlusion")
    assert [tuple(a[k] for k in fields) for a in boxes] == [
        ("person", [10.0, 20.0, 30.0, 40.0], 40.0, 1200.0, 0, 0, 0),
        ("person", [0.0, 470.0, 15.0, 42.0], 42.0, 630.0, 0, 0, 1),
        ("people", [600.0, 0.0, 40.0, 22.0], 22.0, 880.0, 1, 1, 0),
        ("dog", [5.0, 5.0, 10.0, 10.0], 10.0, 100.0, 1, 1, 0)]
    assert stats.boxes_per_label == {"person": 4, "people": 1, "cyclist": 1, "dog": 1}
    assert (stats.annotations, stats.ignore, stats.clipped, stats.dropped_degenerate) == (4, 2, 2, 3)
    assert stats.unknown_labels == ["dog"]
    assert clip_box((-5.0, -5.0, 2.0, 2.0), 640, 512) == (0.0, 0.0, 0.0, 0.0)


def test_missing_annotation_and_duplicates():
    frames = [("set06/V000/I00019", [KaistObject("person", (1, 1, 5, 10), 0)]), ("set09/V000/I00019", None)]
    coco, stats = kaist_to_coco(frames)
    assert [i["period"] for i in coco["images"]] == ["day", "night"]
    assert stats.frames_without_annotation == ["set09/V000/I00019"] and stats.annotations == 1
    assert stats.as_dict()["frames_without_annotation"] == 1
    with pytest.raises(ValueError, match="set06/V000/I00019 appears twice"):
        kaist_to_coco(frames + frames[:1])


def test_write_coco_is_atomic_and_compact(tmp_path):
    coco, _ = kaist_to_coco([("set06/V000/I00019", [KaistObject("person", (1, 1, 5, 10), 0)])])
    path = write_coco(coco, tmp_path / "sub" / "gt.json")
    text = path.read_text()
    assert json.loads(text) == coco and ", " not in text and "\n" not in text
    assert sorted(p.name for p in path.parent.iterdir()) == ["gt.json"]
    with pytest.raises(TypeError):
        write_coco({"bad": object()}, path)
    assert path.read_text() == text and sorted(p.name for p in path.parent.iterdir()) == ["gt.json"]


def test_acceptance_real_test_mini_9(kaist):
    """test-mini-9 from the real xml: 9 images, 53 persons, 6 ignore regions (all 'people')."""
    coco, stats = convert_split(kaist, "test-mini-9")
    boxes = coco["annotations"]
    assert stats.images == len(coco["images"]) == 9
    assert sum(a["ignore"] == 0 and a["label"] == "person" for a in boxes) == 53
    assert Counter(a["label"] for a in boxes if a["ignore"]) == {"people": 6}
    assert stats.boxes_per_label == {"person": 53, "people": 6}
    assert (stats.dropped_degenerate, stats.clipped, stats.frames_without_annotation) == (0, 0, [])
    frames, _ = index_frames(kaist, resolve_split(kaist, "test-mini-9")[1])
    for image, frame in zip(coco["images"], frames):
        objects = read_annotation(frame.annotation_path)
        assert [(a["label"], tuple(a["bbox"]), a["occlusion"]) for a in boxes if a["image_id"] == image["id"]] == [
            (o.label, o.box, o.occlusion) for o in objects]


def test_matches_public_kaist_annotation_json(kaist):
    """The public KAIST_annotation.json agrees on the test-mini-9 frames: boxes, ignore flags, occlusion, height."""
    public = json.loads((kaist / "KAIST_annotation.json").read_text())
    by_name = {image["im_name"]: image["id"] for image in public["images"]}
    public_boxes = defaultdict(list)
    for a in public["annotations"]:
        public_boxes[a["image_id"]].append((tuple(map(float, a["bbox"])), a["ignore"], a["occlusion"], a["height"]))
    coco, _ = convert_split(kaist, "test-mini-9")
    ours = defaultdict(list)
    for a in coco["annotations"]:
        ours[a["image_id"]].append((tuple(a["bbox"]), a["ignore"], a["occlusion"], a["height"]))
    for image in coco["images"]:
        assert sorted(ours[image["id"]]) == sorted(public_boxes[by_name[image["frame_id"]]]), image["frame_id"]
    assert sum(len(boxes) for boxes in ours.values()) == 59
