"""A tiny hand-made KAIST test set (4 images, day and night) in both ground-truth layouts."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from detection.evaluation import KaistGroundTruth, load_detections, load_ground_truth

FRAMES = ("set06/V000/I00019", "set06/V000/I00039", "set09/V000/I00019", "set10/V001/I00059")
# (frame index, bbox [x, y, w, h], occlusion, ignore); height = h
BOXES = (
    (0, [100, 100, 40, 100], 0, 0),  # A: reasonable
    (0, [300, 100, 100, 120], 0, 1),  # B: people -> ignore region
    (0, [500, 100, 20, 40], 0, 0),  # C: 40 px high -> ignored by the reasonable setting
    (1, [200, 150, 50, 120], 1, 0),  # D: partial occlusion, reasonable
    (1, [400, 150, 50, 120], 2, 0),  # E: heavy occlusion -> ignored
    (2, [50, 200, 60, 150], 0, 0),  # F: reasonable (night)
    (2, [2, 200, 40, 100], 0, 0),  # G: crosses x = 5 -> ignored
)
REASONABLE_BOXES = ("A", "D", "F")


def converted_layout() -> dict:
    """Ground truth as tools/kaist_to_coco.py writes it (ids from 0, annotation ids from 1)."""
    images = [{"id": i, "file_name": f"{frame}.jpg", "width": 640, "height": 512,
               "period": "night" if frame[:5] in ("set09", "set10") else "day", "frame_id": frame}
              for i, frame in enumerate(FRAMES)]
    anns = [{"id": k + 1, "image_id": i, "category_id": 1, "bbox": box, "area": box[2] * box[3], "height": box[3],
             "occlusion": occ, "ignore": ign, "iscrowd": ign} for k, (i, box, occ, ign) in enumerate(BOXES)]
    return {"images": images, "annotations": anns, "categories": [{"id": 1, "name": "person"}]}


def kits_layout(id_offset: int = 0) -> dict:
    """Ground truth as KAIST_annotation.json has it (``im_name``, no ``period``/``iscrowd``/``area``)."""
    images = [{"id": i + id_offset, "im_name": frame, "width": 640, "height": 512} for i, frame in enumerate(FRAMES)]
    anns = [{"id": k, "image_id": i + id_offset, "category_id": 1, "bbox": box, "height": box[3], "occlusion": occ,
             "ignore": ign} for k, (i, box, occ, ign) in enumerate(BOXES)]
    categories = [{"id": 0, "name": "__ignore__"}, {"id": 1, "name": "person"}]
    return {"images": images, "annotations": anns, "categories": categories}


@pytest.fixture
def tiny_gt() -> KaistGroundTruth:
    return load_ground_truth(converted_layout())


@pytest.fixture
def tiny_ann_file(tmp_path: Path) -> Path:
    path = tmp_path / "tiny_test.json"
    path.write_text(json.dumps(converted_layout()))
    return path


@pytest.fixture
def perfect_dets() -> dict[int, np.ndarray]:
    """A box exactly on every non-ignore ground truth (also the unreasonable C, E, G), score 0.9."""
    dets: dict[int, list] = {}
    for i, box, _, ignore in BOXES:
        if not ignore:
            dets.setdefault(i, []).append([*box, 0.9])
    return {i: np.asarray(rows, dtype=np.float64) for i, rows in dets.items()}


@pytest.fixture(scope="session")
def mlpd(shared_data):
    """The real KAIST test ground truth and MLPD's published detections on it (skipped when absent)."""
    ann = shared_data / "kaist" / "KAIST_annotation.json"
    results = shared_data / "kaist" / "results" / "MLPD_result.txt"
    if not (ann.is_file() and results.is_file()):
        pytest.skip(f"KAIST_annotation.json or results/MLPD_result.txt not found under {shared_data / 'kaist'}")
    gt = load_ground_truth(ann)
    return gt, load_detections(results, gt)


@pytest.fixture
def layouts() -> dict:
    """Builders of the tiny ground truth: ``{"converted": f(), "kits": f(id_offset=0)}`` and its frames."""
    return {"converted": converted_layout, "kits": kits_layout, "frames": FRAMES}


def random_test_set(n_images: int, seed: int = 0) -> tuple[dict, dict[int, np.ndarray]]:
    """A random KAIST-like test set: day and night frames, people of every COCO size (some occluded, some
    ignore regions), and a detector's boxes: jittered hits with scores plus false positives.

    Returns:
        The ground truth (converted layout) and the detections ``{image_id: (N, 5)}``.
    """
    rng = np.random.default_rng(seed)
    images, anns, dets = [], [], {}
    for i in range(n_images):
        frame = f"set{'06' if i % 3 else '09'}/V000/I{i:05d}"
        images.append({"id": i, "file_name": f"{frame}.jpg", "width": 640, "height": 512,
                       "period": "day" if i % 3 else "night"})
        rows = []
        for _ in range(rng.integers(0, 5)):
            h = float(rng.choice([30, 60, 150]) * rng.uniform(0.8, 1.2))
            box = [float(rng.uniform(10, 500)), float(rng.uniform(10, 500 - h)) if h < 490 else 5.0, h * 0.45, h]
            ignore = int(rng.random() < 0.1)
            anns.append({"id": len(anns) + 1, "image_id": i, "category_id": 1, "bbox": box, "area": box[2] * box[3],
                         "height": h, "occlusion": int(rng.integers(0, 3)), "ignore": ignore, "iscrowd": ignore})
            if rng.random() < 0.8:
                jitter = rng.normal(0, 0.06 * h, 4)
                rows.append([box[0] + jitter[0], box[1] + jitter[1], box[2] + jitter[2] / 2, h + jitter[3],
                             rng.uniform(0.3, 1.0)])
        for _ in range(rng.integers(0, 4)):
            h = float(rng.uniform(30, 150))
            rows.append([rng.uniform(0, 600), rng.uniform(0, 500 - h), 0.45 * h, h, rng.uniform(0.0, 0.8)])
        if rows:
            dets[i] = np.asarray(rows, dtype=np.float64)
    return {"images": images, "annotations": anns, "categories": [{"id": 1, "name": "person"}]}, dets
