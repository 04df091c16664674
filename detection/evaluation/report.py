"""All KAIST figures of one set of detections: COCO AP and MR^-2 (reasonable) on all / day / night."""
from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
from tabulate import tabulate

from .coco_ap import AP_KEYS, coco_ap
from .detections import Detections
from .ground_truth import SUBSETS, KaistGroundTruth
from .miss_rate import REASONABLE, MissRateSetup, log_average_miss_rate, match_image, miss_rate_curve

_NO_DETECTIONS = np.zeros((0, 5))
MR_KEYS = tuple(f"MR_{subset}" for subset in SUBSETS)
METRIC_KEYS = AP_KEYS + MR_KEYS


def miss_rates(gt: KaistGroundTruth, dets: Detections, image_ids: Iterable[int] | None = None,
               setup: MissRateSetup = REASONABLE) -> dict[str, float]:
    """MR^-2 in percent for ``MR_all``, ``MR_day``, ``MR_night`` (see :mod:`.miss_rate`).

    Args:
        gt: the ground truth.
        dets: detections ``{image_id: (N, 5) [x, y, w, h, score]}``.
        image_ids: images evaluated (default: all of ``gt``); each subset is their day / night part.
        setup: ground-truth filter and matching rule (default: reasonable).

    Returns:
        Percent in ``[0, 100]``: 100 without detections, NaN for a subset without counted ground truth.
    """
    among = None if image_ids is None else set(image_ids)
    matches = {image_id: match_image(dets.get(image_id, _NO_DETECTIONS), gt.boxes[image_id], setup)
               for image_id in gt.image_ids("all", among)}
    result = {}
    for subset in SUBSETS:
        ids = gt.image_ids(subset, among)
        curve = miss_rate_curve((matches[i] for i in ids), len(ids))
        result[f"MR_{subset}"] = 100.0 * log_average_miss_rate(curve)
    return result


def evaluate_kaist(gt: KaistGroundTruth, dets: Detections,
                   image_ids: Iterable[int] | None = None) -> dict[str, float]:
    """COCO AP keys (fractions in ``[0, 1]``) and reasonable MR^-2 keys (percent), :data:`METRIC_KEYS`.

    Args:
        gt: the ground truth.
        dets: detections ``{image_id: (N, 5) [x, y, w, h, score]}``.
        image_ids: images evaluated (default: all of ``gt``).
    """
    image_ids = gt.image_ids("all", None if image_ids is None else set(image_ids))
    return {**coco_ap(gt, dets, image_ids), **miss_rates(gt, dets, image_ids)}


def to_markdown(metrics: Mapping[str, float]) -> str:
    """One-row Markdown table of :data:`METRIC_KEYS`: AP as fractions (3 decimals), MR in percent."""
    def cell(key: str) -> str:
        value = metrics[key]
        return "n/a" if math.isnan(value) else f"{value:.3f}" if key in AP_KEYS else f"{value:.2f}"

    header = [*AP_KEYS, *(f"{key} (%)" for key in MR_KEYS)]
    return tabulate([[cell(key) for key in METRIC_KEYS]], headers=header, tablefmt="pipe", disable_numparse=True,
                    colalign=["right"] * len(header))


def write_report(prefix: str | Path, metrics: Mapping[str, float], info: Mapping[str, object]) -> list[Path]:
    """Write ``PREFIX.md`` (table and protocol notes) and ``PREFIX.json`` (metrics and ``info``).

    Returns:
        The two paths written.
    """
    md, js = Path(f"{prefix}.md"), Path(f"{prefix}.json")
    md.parent.mkdir(parents=True, exist_ok=True)
    notes = ("AP: pycocotools box AP of person, ignore regions as crowd, all heights (fractions). "
             "MR: log-average miss rate over FPPI 1e-2..1e0, KAIST reasonable (height >= 55 px, occlusion "
             "none/partial, inside [5, 5, 635, 507], IoU 0.5), percent, lower is better.")
    lines = [f"# KAIST evaluation: {info.get('results', '')}", "", to_markdown(metrics), "", notes, ""]
    lines += [f"- {key}: {value}" for key, value in info.items()]
    md.write_text("\n".join(lines) + "\n", encoding="utf-8")
    clean = {key: (None if math.isnan(value) else value) for key, value in metrics.items()}
    js.write_text(json.dumps({"metrics": clean, **info}, indent=2) + "\n", encoding="utf-8")
    return [md, js]

