"""``KaistMetric``: the mmengine evaluator for KAIST (COCO AP and reasonable MR^-2, all / day / night).

Config::

    val_evaluator = dict(type='KaistMetric', ann_file='data/kaist_coco/test.json')

Keys (mmengine logs them as ``kaist/<key>``): ``AP``, ``AP50``, ``AP75``, ``APS``, ``APM``, ``APL``
(pycocotools box AP of person, fractions in [0, 1], higher is better) and ``MR_all``, ``MR_day``,
``MR_night`` (log-average miss rate, KAIST reasonable setting, percent, lower is better). A model that
predicts nothing scores AP 0 and MR 100; a subset without counted ground truth gives NaN.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mmdet.registry import METRICS
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger

from .detections import collect_predictions, write_coco_json, write_kaist_txt
from .ground_truth import load_ground_truth
from .report import evaluate_kaist, to_markdown


@METRICS.register_module()
class KaistMetric(BaseMetric):
    """Scores mmdet predictions against a KAIST ground-truth json (see :mod:`.report`).

    Only the images the evaluator saw are scored (all their ground truth counts; FPPI is per seen image).
    Predicted images map onto the ground truth by the frame ``setXX/VYYY/IZZZZZ`` in ``img_path``, else by
    ``img_id`` (the dataset's json id), so ``ann_file`` may differ from the dataset's annotation file.
    Only label 0 (person) is kept.

    Args:
        ann_file: ground-truth json, the conversion's or the kits' ``KAIST_annotation.json``.
        outfile_prefix: if given, also write ``PREFIX.bbox.json`` (COCO results) and ``PREFIX.txt``
            (KAIST kits' ``image_index,x,y,w,h,score``) for offline re-evaluation with
            ``tools/eval_kaist.py``.
        score_thr: drop boxes scoring below it (``None``: keep all; MR^-2 needs the low-score tail).
        collect_device: ``'cpu'`` or ``'gpu'``, where results are gathered in distributed runs.
        prefix: key prefix (default ``'kaist'``).
    """

    default_prefix = "kaist"

    def __init__(self, ann_file: str, outfile_prefix: str | None = None, score_thr: float | None = None,
                 collect_device: str = "cpu", prefix: str | None = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.gt = load_ground_truth(ann_file)
        self.outfile_prefix = outfile_prefix
        self.score_thr = score_thr

    def process(self, data_batch: Any, data_samples: Sequence[dict]) -> None:
        """Keep each sample's image id / path and its predicted boxes, on the CPU."""
        for sample in data_samples:
            pred = sample["pred_instances"]
            self.results.append({
                "img_id": sample.get("img_id"),
                "img_path": sample.get("img_path"),
                "pred_instances": {key: pred[key].detach().cpu() for key in ("bboxes", "scores", "labels")}})

    def compute_metrics(self, results: list) -> dict[str, float]:
        """Evaluate the gathered results; see the module docstring for the keys."""
        dets, seen = collect_predictions(results, self.gt, self.score_thr)
        if self.outfile_prefix:
            write_coco_json(f"{self.outfile_prefix}.bbox.json", dets, self.gt.person_category_id)
            write_kaist_txt(f"{self.outfile_prefix}.txt", dets, self.gt)
        metrics = evaluate_kaist(self.gt, dets, seen or None)
        MMLogger.get_current_instance().info(f"KAIST evaluation of {len(set(seen))} image(s):\n"
                                             + to_markdown(metrics))
        return metrics
