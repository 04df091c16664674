"""Result files: the KAIST text, COCO json and mmdet pickle of the same boxes read back identically."""
from __future__ import annotations

import json
import pickle

import numpy as np
import pytest
import torch

from detection.evaluation import detect_format, from_pred_instances, load_detections, write_coco_json, write_kaist_txt

# image id -> rows [x, y, w, h, score]; values exact in 4 decimals so the text round-trips
DETS = {0: np.array([[100.5, 100.0, 40.25, 100.0, 0.875], [300.0, 100.0, 50.0, 60.0, 0.5]]),
        2: np.array([[50.0, 200.0, 60.0, 150.0, 0.25]])}


def write_all_formats(tmp_path, gt) -> dict:
    txt = tmp_path / "dets.txt"
    txt.write_text("".join(f"{gt.position_of(i) + 1},{x},{y},{w},{h},{s}\n"
                           for i, rows in DETS.items() for x, y, w, h, s in rows))
    coco = tmp_path / "dets.json"
    coco.write_text(json.dumps([{"image_id": i, "bbox": list(r[:4]), "score": r[4], "category_id": 1}
                                for i, rows in DETS.items() for r in rows]
                               + [{"image_id": 0, "bbox": [1, 1, 5, 5], "score": 0.9, "category_id": 2}]))
    samples = []
    for image in gt.images:  # DumpDetResults: one dict per image, boxes x1y1x2y2, image 3 with no box
        rows = DETS.get(image.id, np.zeros((0, 5)))
        xyxy = np.concatenate([rows[:, :2], rows[:, :2] + rows[:, 2:4]], axis=1)
        bboxes = torch.tensor(np.concatenate([xyxy, [[1, 1, 6, 6]]]), dtype=torch.float32)
        samples.append({"img_id": image.id, "img_path": f"kaist_coco/visible/{image.key}.jpg",
                        "pred_instances": {"bboxes": bboxes,
                                           "scores": torch.tensor([*rows[:, 4], 0.99], dtype=torch.float32),
                                           "labels": torch.tensor([0] * len(rows) + [1])}})  # label 1: not person
    pkl = tmp_path / "dets.pkl"
    pkl.write_bytes(pickle.dumps(samples))
    return {"kaist": txt, "coco": coco, "mmdet": pkl}


def assert_same(dets, expected=DETS):
    assert sorted(dets) == sorted(expected)
    for image_id, rows in expected.items():
        np.testing.assert_allclose(dets[image_id], rows, rtol=0, atol=1e-6)


@pytest.mark.parametrize("fmt", ["kaist", "coco", "mmdet"])
def test_three_formats_read_the_same_detections(tmp_path, tiny_gt, fmt):
    path = write_all_formats(tmp_path, tiny_gt)[fmt]
    assert detect_format(path) == fmt
    # the pickle lists every image predicted, also those without a person box
    expected = {**DETS, 1: np.zeros((0, 5)), 3: np.zeros((0, 5))} if fmt == "mmdet" else DETS
    assert_same(load_detections(path, tiny_gt), expected)
    assert_same(load_detections(path, tiny_gt, fmt), load_detections(path, tiny_gt))


def test_writers_round_trip(tmp_path, tiny_gt):
    write_kaist_txt(tmp_path / "out" / "d.txt", DETS, tiny_gt)
    write_coco_json(tmp_path / "out" / "d.bbox.json", DETS, tiny_gt.person_category_id)
    assert_same(load_detections(tmp_path / "out" / "d.txt", tiny_gt))
    assert_same(load_detections(tmp_path / "out" / "d.bbox.json", tiny_gt))


def test_kaist_text_with_blanks_and_empty(tmp_path, tiny_gt):
    blank = tmp_path / "blank.txt"
    blank.write_text("3 50 200 60 150 0.25\n")
    assert_same(load_detections(blank, tiny_gt), {2: DETS[2]})
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    assert load_detections(empty, tiny_gt) == {}


def test_bad_result_files(tmp_path, tiny_gt):
    out_of_range = tmp_path / "bad.txt"
    out_of_range.write_text("5,1,1,5,5,0.5\n")  # 4 images: index 5 does not exist
    with pytest.raises(ValueError, match="1..4"):
        load_detections(out_of_range, tiny_gt)
    unknown = tmp_path / "bad.json"
    unknown.write_text(json.dumps([{"image_id": 42, "bbox": [1, 1, 5, 5], "score": 0.5, "category_id": 1}]))
    with pytest.raises(ValueError, match="42"):
        load_detections(unknown, tiny_gt)
    with pytest.raises(ValueError, match="suffix"):
        detect_format(tmp_path / "dets.csv")


def test_from_pred_instances_converts_and_filters():
    pred = {"bboxes": torch.tensor([[10.0, 20.0, 30.0, 60.0], [0.0, 0.0, 5.0, 5.0], [1.0, 1.0, 2.0, 2.0]]),
            "scores": torch.tensor([0.5, 0.05, 0.9]), "labels": torch.tensor([0, 0, 3])}
    np.testing.assert_allclose(from_pred_instances(pred), [[10, 20, 20, 40, 0.5], [0, 0, 5, 5, 0.05]])
    np.testing.assert_allclose(from_pred_instances(pred, score_thr=0.1), [[10, 20, 20, 40, 0.5]])


def test_reads_what_mmdet_dump_det_results_writes(tmp_path, tiny_gt):
    from mmdet.evaluation.metrics import DumpDetResults
    from mmdet.structures import DetDataSample
    from mmengine.structures import InstanceData

    out = tmp_path / "results.pkl"
    dump = DumpDetResults(out_file_path=str(out))
    rows = DETS[2]
    sample = DetDataSample(metainfo={"img_id": 2, "img_path": "lwir/set09/V000/I00019.jpg"})
    sample.pred_instances = InstanceData(
        bboxes=torch.tensor(np.concatenate([rows[:, :2], rows[:, :2] + rows[:, 2:4]], axis=1)),
        scores=torch.tensor(rows[:, 4]), labels=torch.zeros(len(rows), dtype=torch.int64))
    dump.process({}, [sample.to_dict()])
    dump.evaluate(1)
    assert_same(load_detections(out, tiny_gt), {2: rows})
