"""KaistMetric through mmengine's process / evaluate on a tiny fake dataset."""
from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from mmdet.registry import METRICS

from detection.evaluation import METRIC_KEYS, KaistMetric, evaluate_kaist, load_detections


def data_samples(gt, dets: dict, id_offset: int = 0) -> list[dict]:
    """What mmengine's Evaluator hands a metric: one dict per image, boxes x1y1x2y2 as tensors."""
    samples = []
    for image in gt.images:
        rows = dets.get(image.id, np.zeros((0, 5)))
        xyxy = np.concatenate([rows[:, :2], rows[:, :2] + rows[:, 2:4]], axis=1)
        samples.append({"img_id": image.id + id_offset, "img_path": f"data/kaist_coco/lwir/{image.key}.jpg",
                        "ori_shape": (512, 640),
                        "pred_instances": {"bboxes": torch.tensor(xyxy, dtype=torch.float32),
                                           "scores": torch.tensor(rows[:, 4], dtype=torch.float32),
                                           "labels": torch.zeros(len(rows), dtype=torch.int64)}})
    return samples


def run(metric: KaistMetric, samples: list[dict], batch_size: int = 3) -> dict:
    for start in range(0, len(samples), batch_size):
        metric.process({}, samples[start:start + batch_size])
    return metric.evaluate(size=len(samples))


def test_built_from_the_registry_and_scores_perfect_detections(tiny_ann_file, tiny_gt, perfect_dets):
    metric = METRICS.build(dict(type="KaistMetric", ann_file=str(tiny_ann_file)))
    assert isinstance(metric, KaistMetric)
    result = run(metric, data_samples(tiny_gt, perfect_dets))
    assert set(result) == {f"kaist/{key}" for key in METRIC_KEYS}
    assert result["kaist/AP"] == pytest.approx(1.0) and result["kaist/AP50"] == pytest.approx(1.0)
    assert result["kaist/MR_all"] < 1e-6 and result["kaist/MR_night"] < 1e-6


def test_empty_predictions_score_ap_0_and_mr_100(tiny_ann_file, tiny_gt):
    result = run(KaistMetric(str(tiny_ann_file)), data_samples(tiny_gt, {}))
    assert [result[f"kaist/{key}"] for key in METRIC_KEYS] == [0.0] * 6 + [100.0] * 3
    assert KaistMetric(str(tiny_ann_file)).compute_metrics([])["MR_all"] == 100.0  # no image at all


def test_outfiles_re_evaluate_to_the_same_figures(tmp_path, tiny_ann_file, tiny_gt, perfect_dets):
    dets = {i: np.concatenate([rows, [[600, 10, 20, 50, 0.95]]]) for i, rows in perfect_dets.items()}
    prefix = tmp_path / "out" / "kaist"
    metric = KaistMetric(str(tiny_ann_file), outfile_prefix=str(prefix), prefix="val")
    result = run(metric, data_samples(tiny_gt, dets))
    for path in (f"{prefix}.bbox.json", f"{prefix}.txt"):
        offline = evaluate_kaist(tiny_gt, load_detections(path, tiny_gt))
        assert offline == pytest.approx({key[len("val/"):]: value for key, value in result.items()},
                                        nan_ok=True)
    assert 0 < result["val/MR_all"] < 100 and result["val/AP"] < 1


def test_score_thr_and_images_mapped_by_path(tmp_path, layouts, tiny_gt, perfect_dets):
    ann = tmp_path / "kits.json"
    ann.write_text(json.dumps(layouts["kits"](id_offset=100)))  # other ids, same frames
    low = {i: np.concatenate([rows, [[600, 10, 20, 50, 0.05]]]) for i, rows in perfect_dets.items()}
    result = run(KaistMetric(str(ann), score_thr=0.1), data_samples(tiny_gt, low))
    assert result["kaist/AP"] == pytest.approx(1.0) and result["kaist/MR_all"] < 1e-6


def test_only_the_images_seen_are_scored(tiny_ann_file, tiny_gt, perfect_dets):
    night = [s for s in data_samples(tiny_gt, perfect_dets) if s["img_id"] in tiny_gt.image_ids("night")]
    result = run(KaistMetric(str(tiny_ann_file)), night)
    assert result["kaist/MR_night"] < 1e-6 and np.isnan(result["kaist/MR_day"])  # no day image seen
    assert result["kaist/AP"] == pytest.approx(1.0)


def test_through_mmengine_evaluator_with_det_data_samples(tiny_ann_file, tiny_gt, perfect_dets):
    from mmdet.structures import DetDataSample
    from mmengine.evaluator import Evaluator
    from mmengine.registry import DefaultScope
    from mmengine.structures import InstanceData

    samples = []
    for sample in data_samples(tiny_gt, perfect_dets):
        det = DetDataSample(metainfo={"img_id": sample["img_id"], "img_path": sample["img_path"]})
        det.pred_instances = InstanceData(**sample["pred_instances"])
        samples.append(det)
    with DefaultScope.overwrite_default_scope("mmdet"):  # as under a Runner with default_scope='mmdet'
        evaluator = Evaluator(dict(type="KaistMetric", ann_file=str(tiny_ann_file)))
        evaluator.process(samples[:2])
        evaluator.process(samples[2:])
        result = evaluator.evaluate(len(samples))
    assert result["kaist/AP"] == pytest.approx(1.0) and result["kaist/MR_all"] < 1e-6
