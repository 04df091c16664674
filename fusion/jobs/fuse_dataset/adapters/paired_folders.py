"""Datasets stored as two image folders paired by file stem, with person boxes per image (LLVIP, MSRS).

:func:`list_folder_pairs` lists such a split; :func:`boxes_to_coco` writes the boxes an adapter read in the
job's COCO layout (:mod:`.base`): image ids are ranks in the split's list, boxes are clipped to the image and
dropped under :data:`~fusion.datasets.kaist_coco.MIN_BOX_SIZE`, ``ignore`` boxes become ignore regions.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from ....datasets.folders import index_folder, natural_key
from ....datasets.kaist_coco import CATEGORIES, MIN_BOX_SIZE, clip_box
from ....datasets.person_labels import PersonBox
from ..frames import BadFrame, PairFrame
from .base import FrameListing


def first_folder_pair(candidates: Sequence[tuple[Path, Path]], what: str) -> tuple[Path, Path]:
    """The first ``(visible, infrared)`` folder pair of ``candidates`` that both exist.

    Raises:
        FileNotFoundError: none exists (the message lists the layouts looked for).
    """
    for visible, infrared in candidates:
        if visible.is_dir() and infrared.is_dir():
            return visible, infrared
    tried = "; ".join(f"{v} + {i}" for v, i in candidates)
    raise FileNotFoundError(f"no {what} image folders found (looked for {tried}): pass the dataset root with --root")


def list_folder_pairs(split: str, visible_dir: Path, infrared_dir: Path, limit: int | None,
                      display: Callable[[Path], str]) -> FrameListing:
    """The pairs of two folders by file stem, in natural order (``limit``: the first ``limit``).

    Frame ids are ``<split>/<stem>``; a stem with one band only is listed with a ``missing_visible`` or
    ``missing_lwir`` problem naming the file expected (same stem, the other band's extension).
    """
    visible, infrared = index_folder(visible_dir), index_folder(infrared_dir)
    stems = sorted(visible.keys() | infrared.keys(), key=natural_key)[:limit]
    if not stems:
        raise ValueError(f"no images in {visible_dir} or {infrared_dir}")
    frames, missing = [], []
    for stem in stems:
        frame_id = f"{split}/{stem}"
        if stem in visible and stem in infrared:
            frames.append(PairFrame(frame_id, visible[stem], infrared[stem]))
        elif stem in infrared:
            missing.append(BadFrame(frame_id, "missing_visible", display(visible_dir / infrared[stem].name),
                                    "file not found"))
        else:
            missing.append(BadFrame(frame_id, "missing_lwir", display(infrared_dir / visible[stem].name),
                                    "file not found"))
    return FrameListing(split, [f"{split}/{stem}" for stem in stems], frames, missing)


def boxes_to_coco(frame_ids: Sequence[str], boxes: Mapping[str, Sequence[PersonBox]], image_size: tuple[int, int],
                  info: dict) -> dict:
    """The COCO dict of the frames that have boxes (``boxes[frame_id]``, possibly empty); see the module docstring."""
    width, height = image_size
    images, annotations = [], []
    for image_id, frame_id in enumerate(frame_ids):
        if frame_id not in boxes:
            continue
        images.append({"id": image_id, "file_name": f"{frame_id}.jpg", "width": width, "height": height,
                       "frame_id": frame_id})
        for box in boxes[frame_id]:
            x, y, w, h = clip_box((box.x, box.y, box.w, box.h), width, height)
            if w < MIN_BOX_SIZE or h < MIN_BOX_SIZE:
                continue
            annotations.append({"id": len(annotations) + 1, "image_id": image_id, "category_id": 1,
                                "bbox": [x, y, w, h], "area": w * h, "height": h, "iscrowd": int(box.ignore),
                                "ignore": int(box.ignore)})
    return {"info": info, "images": images, "annotations": annotations, "categories": [dict(c) for c in CATEGORIES]}
