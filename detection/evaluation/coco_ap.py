"""COCO box AP of person detections on KAIST, with pycocotools.

Every person box of the ground truth counts (no height / occlusion filter: this is the COCO protocol the
MSFAM paper's Table 7 reports, AP / APS / APM / APL); ignore regions (people, person?, cyclist) enter as
``iscrowd`` boxes, which pycocotools matches by ``intersection / detection area`` and never counts as
positives or false positives, like KAIST's ignore rule. Area ranges are pycocotools': small < 32^2,
medium 32^2..96^2, large > 96^2 (on the ground truth's ``area``, w*h when absent).
"""
from __future__ import annotations

import contextlib
import io
import math
from collections.abc import Sequence

from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

from .detections import Detections, to_coco_results
from .ground_truth import KaistGroundTruth

# names of COCOeval.stats[0:6], in that order
AP_KEYS = ("AP", "AP50", "AP75", "APS", "APM", "APL")


def evaluated_images(gt: KaistGroundTruth, dets: Detections, image_ids: Sequence[int]) -> COCOeval | None:
    """pycocotools' per-image matching of the person detections (``COCOeval.evaluate``; ``evalImgs`` filled).

    Returns:
        The evaluator, ready for ``accumulate``; ``None`` when there is no detection on ``image_ids``.
    """
    results = to_coco_results({i: dets[i] for i in image_ids if i in dets}, gt.person_category_id)
    if not results:
        return None
    with contextlib.redirect_stdout(io.StringIO()):  # pycocotools prints progress
        coco_gt = COCO()
        coco_gt.dataset = gt.to_coco()
        coco_gt.createIndex()
        coco_eval = COCOeval(coco_gt, coco_gt.loadRes(results), iouType="bbox")
        coco_eval.params.imgIds = list(image_ids)
        coco_eval.params.catIds = [gt.person_category_id]
        coco_eval.evaluate()
    return coco_eval


def coco_ap(gt: KaistGroundTruth, dets: Detections, image_ids: Sequence[int] | None = None) -> dict[str, float]:
    """COCO AP@[.5:.95], AP50, AP75, APS, APM, APL of the person class (pycocotools, 100 dets per image).

    Args:
        gt: the ground truth.
        dets: detections ``{image_id: (N, 5) [x, y, w, h, score]}``.
        image_ids: images to evaluate (default: all of ``gt``).

    Returns:
        ``{key: value}`` for :data:`AP_KEYS`, fractions in ``[0, 1]``; 0 for every key when there is no
        detection; NaN where the images hold no ground truth of that size (pycocotools' -1).
    """
    image_ids = gt.image_ids() if image_ids is None else list(image_ids)
    coco_eval = evaluated_images(gt, dets, image_ids)
    if coco_eval is None:
        return {key: 0.0 for key in AP_KEYS}
    with contextlib.redirect_stdout(io.StringIO()):  # pycocotools prints the summary
        coco_eval.accumulate()
        coco_eval.summarize()
    return {key: (float(value) if value >= 0 else math.nan) for key, value in zip(AP_KEYS, coco_eval.stats)}
