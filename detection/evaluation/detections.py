"""Person detections for KAIST evaluation, and the result files they come from or go to.

In memory, detections are ``Detections = dict[image_id, ndarray (N, 5)]``: float64 rows
``[x, y, w, h, score]`` in pixels of the original 640x512 image, keyed by ground-truth image id; an image
without an entry has no detections. Three result files are read:

- ``kaist``: the KAIST kits' text, one box a line ``image_index,x,y,w,h,score`` with a 1-based index into
  the annotation file's image order (as in MLPD's ``evaluation_script.py`` ``KAIST.txt2json``);
- ``coco``: a COCO results json, a list of ``{"image_id", "bbox": [x, y, w, h], "score", "category_id"}``
  (what mmdet's ``CocoMetric`` writes as ``PREFIX.bbox.json``);
- ``mmdet``: the pickle of ``tools/test_det.py --out results.pkl`` (mmdet's ``DumpDetResults``), a list of
  dicts with ``img_id``, ``img_path`` and ``pred_instances`` ``{bboxes (x1, y1, x2, y2), scores, labels}``.
"""
from __future__ import annotations

import json
import pickle
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from .ground_truth import KaistGroundTruth

Detections = dict[int, np.ndarray]
FORMATS = ("kaist", "coco", "mmdet")
PERSON_LABEL = 0  # mmdet label of person: the KAIST datasets' only class, and COCO's first

_SUFFIX_FORMATS = {".txt": "kaist", ".json": "coco", ".pkl": "mmdet", ".pickle": "mmdet"}


def _as_array(rows: Iterable[Any]) -> np.ndarray:
    return np.asarray(list(rows), dtype=np.float64).reshape(-1, 5)


def group_rows(image_ids: Iterable[int], rows: Iterable[Any]) -> Detections:
    """Group ``[x, y, w, h, score]`` rows by image id, keeping their order within an image."""
    grouped: dict[int, list[Any]] = {}
    for image_id, row in zip(image_ids, rows):
        grouped.setdefault(int(image_id), []).append(row)
    return {image_id: _as_array(image_rows) for image_id, image_rows in grouped.items()}


def xyxy_to_xywh(boxes: np.ndarray) -> np.ndarray:
    """``(N, 4)`` ``[x1, y1, x2, y2]`` -> ``[x, y, w, h]`` (``w = x2 - x1``, as mmdet's ``CocoMetric``)."""
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    return np.concatenate([boxes[:, :2], boxes[:, 2:] - boxes[:, :2]], axis=1)


def from_pred_instances(pred: Mapping[str, Any], score_thr: float | None = None) -> np.ndarray:
    """Rows ``[x, y, w, h, score]`` of the person boxes of mmdet ``pred_instances`` (tensors or arrays).

    Args:
        pred: ``{"bboxes": (N, 4) x1y1x2y2, "scores": (N,), "labels": (N,)}``; ``labels`` optional.
        score_thr: drop boxes scoring below it (``None`` keeps all).
    """
    def numpy(value: Any) -> np.ndarray:
        value = value.detach().cpu().numpy() if hasattr(value, "detach") else value
        return np.asarray(value, dtype=np.float64)

    boxes = xyxy_to_xywh(numpy(pred["bboxes"]))
    scores = numpy(pred["scores"]).reshape(-1)
    keep = np.ones(len(scores), dtype=bool)
    if "labels" in pred:
        keep &= numpy(pred["labels"]).reshape(-1) == PERSON_LABEL
    if score_thr is not None:
        keep &= scores >= score_thr
    return np.concatenate([boxes[keep], scores[keep, None]], axis=1)


def read_kaist_txt(path: str | Path, gt: KaistGroundTruth) -> Detections:
    """Read ``image_index,x,y,w,h,score`` lines (commas or blanks; 1-based index in ``gt``'s image order)."""
    lines = [line for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
    if not lines:
        return {}
    table = np.loadtxt(lines, delimiter="," if "," in lines[0] else None, ndmin=2, dtype=np.float64)
    if table.shape[1] != 6:
        raise ValueError(f"{path}: expected 6 columns image_index,x,y,w,h,score, got {table.shape[1]}")
    index = table[:, 0].astype(np.int64)
    if index.min() < 1 or index.max() > len(gt):
        raise ValueError(f"{path}: image indices must be in 1..{len(gt)}, got {index.min()}..{index.max()}")
    return group_rows((gt.image_at(i - 1).id for i in index), table[:, 1:])


def read_coco_json(path: str | Path, gt: KaistGroundTruth) -> Detections:
    """Read a COCO results json; entries of another ``category_id`` than person are dropped."""
    with open(path, encoding="utf-8") as f:
        results = json.load(f)
    if not isinstance(results, list):
        raise ValueError(f"{path}: a COCO results json is a list of detections")
    results = [r for r in results if r.get("category_id", gt.person_category_id) == gt.person_category_id]
    unknown = {r["image_id"] for r in results} - set(gt.image_ids())
    if unknown:
        raise ValueError(f"{path}: image ids not in the ground truth: {sorted(unknown)[:5]}")
    return group_rows((r["image_id"] for r in results), ([*r["bbox"], r["score"]] for r in results))


def collect_predictions(samples: Iterable[Mapping[str, Any]], gt: KaistGroundTruth,
                        score_thr: float | None = None) -> tuple[Detections, list[int]]:
    """Detections of mmdet prediction dicts, and the ids of every image predicted (with boxes or not).

    Args:
        samples: dicts with ``pred_instances`` and ``img_id`` and/or ``img_path`` (mapped by
            :meth:`KaistGroundTruth.resolve_image_id`).
        gt: the ground truth.
        score_thr: drop boxes scoring below it.
    """
    dets: Detections = {}
    seen: list[int] = []
    for sample in samples:
        image_id = gt.resolve_image_id(sample.get("img_id"), sample.get("img_path"))
        rows = from_pred_instances(sample["pred_instances"], score_thr)
        dets[image_id] = np.concatenate([dets[image_id], rows]) if image_id in dets else rows
        seen.append(image_id)
    return dets, seen


def read_mmdet_pickle(path: str | Path, gt: KaistGroundTruth) -> Detections:
    """Read the pickle of ``DumpDetResults`` (``tools/test_det.py --out``). Holds tensors: needs torch."""
    with open(path, "rb") as f:
        samples = pickle.load(f)
    return collect_predictions(samples, gt)[0]


def detect_format(path: str | Path) -> str:
    """Result format from the file suffix: ``.txt`` kaist, ``.json`` coco, ``.pkl``/``.pickle`` mmdet."""
    suffix = Path(path).suffix.lower()
    if suffix not in _SUFFIX_FORMATS:
        raise ValueError(f"cannot tell the format of {path} from its suffix; give one of {FORMATS}")
    return _SUFFIX_FORMATS[suffix]


def load_detections(path: str | Path, gt: KaistGroundTruth, fmt: str = "auto") -> Detections:
    """Read a result file in format ``fmt`` (``"auto"``: by suffix, see :func:`detect_format`)."""
    fmt = detect_format(path) if fmt == "auto" else fmt
    readers = {"kaist": read_kaist_txt, "coco": read_coco_json, "mmdet": read_mmdet_pickle}
    if fmt not in readers:
        raise ValueError(f"format must be 'auto' or one of {FORMATS}, got {fmt!r}")
    return readers[fmt](path, gt)


def write_kaist_txt(path: str | Path, dets: Detections, gt: KaistGroundTruth) -> None:
    """Write ``image_index,x,y,w,h,score`` lines (1-based index in ``gt``'s order), images in that order."""
    lines = []
    for image_id in sorted(dets, key=gt.position_of):
        index = gt.position_of(image_id) + 1
        lines += [f"{index},{x:.4f},{y:.4f},{w:.4f},{h:.4f},{s:.8f}\n" for x, y, w, h, s in dets[image_id]]
    _write(path, "".join(lines))


def to_coco_results(dets: Detections, category_id: int) -> list[dict[str, Any]]:
    """COCO results entries ``{"image_id", "bbox", "score", "category_id"}``, images by id."""
    return [{"image_id": image_id, "bbox": [float(v) for v in row[:4]], "score": float(row[4]),
             "category_id": category_id}
            for image_id in sorted(dets) for row in dets[image_id]]


def write_coco_json(path: str | Path, dets: Detections, category_id: int) -> None:
    """Write a COCO results json (see :func:`to_coco_results`)."""
    _write(path, json.dumps(to_coco_results(dets, category_id)))


def _write(path: str | Path, text: str) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(text, encoding="utf-8")
