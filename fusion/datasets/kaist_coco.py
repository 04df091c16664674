"""KAIST annotations -> one COCO json shared by every image band (visible, thermal, each fused folder).

COCO layout written here:

- ``categories``: ``[{"id": 1, "name": "person"}]``.
- ``images``: ``id`` 0, 1, ... in list order (the order of KAIST_annotation.json and of the public result
  files, which index images by their rank in test-all-20); ``file_name`` ``setXX/VYYY/IZZZZZ.jpg``,
  ``width``, ``height``, and ``set``, ``video``, ``frame`` (``IZZZZZ``), ``period`` (``day``/``night``),
  ``frame_id`` (``setXX/VYYY/IZZZZZ``).
- ``annotations``: ``id`` from 1 (pycocotools' matcher treats id 0 as "unmatched"), ``category_id`` 1,
  ``bbox`` ``[x, y, w, h]`` clipped to the image, ``area`` = w * h of the clipped box, ``height`` (clipped
  box height), ``occlusion`` (0/1/2), ``label`` (the KAIST label). ``person`` boxes have ``ignore`` 0 and
  ``iscrowd`` 0; every other label (``people``, ``person?``, ``cyclist``, anything unexpected) has
  ``ignore`` 1 and ``iscrowd`` 1, so pycocotools and MMDetection treat it as an ignore region.
  Boxes narrower or lower than 1 px after clipping are dropped.

``file_name`` has no band in it: images are read from a folder laid out as ``<prefix>/setXX/VYYY/IZZZZZ.jpg``.
KAIST's own tree puts the band between video and image (``images/set06/V000/visible/I00019.jpg``), so the
visible and thermal bands are read through the ``visible`` and ``lwir`` passthrough methods of
``tools/fuse_dataset.py``, which write them in the same layout as the fused folders.
"""
from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..utils.files import atomic_write_bytes
from ..utils.markdown import markdown_table
from ..utils.kaist_sets import period_of, split_frame_id
from .kaist import IMAGE_SIZE, KaistFrame, resolve_split
from .kaist_annotations import LABELS, KaistObject, load_annotations

CATEGORIES = [{"id": 1, "name": "person"}]
PERSON_LABEL = "person"
MIN_BOX_SIZE = 1.0
"""Boxes narrower or lower than this (pixels, after clipping) are dropped."""


@dataclass
class ConversionStats:
    """What a conversion read, kept, clipped and dropped.

    Attributes:
        images: images written.
        images_per_period: images by ``day`` / ``night``.
        boxes_per_label: boxes read, by KAIST label (before dropping).
        annotations: boxes written.
        ignore: boxes written as ignore regions (every label but ``person``).
        clipped: boxes written after clipping to the image.
        dropped_degenerate: boxes dropped, under 1 px wide or high after clipping.
        frames_without_annotation: frame ids that had no annotation (written as images without boxes).
    """

    images: int = 0
    images_per_period: Counter = field(default_factory=Counter)
    boxes_per_label: Counter = field(default_factory=Counter)
    annotations: int = 0
    ignore: int = 0
    clipped: int = 0
    dropped_degenerate: int = 0
    frames_without_annotation: list[str] = field(default_factory=list)

    @property
    def unknown_labels(self) -> list[str]:
        """Labels read that KAIST does not define (written as ignore regions), sorted."""
        return sorted(set(self.boxes_per_label) - set(LABELS))

    def as_dict(self) -> dict:
        """JSON-ready summary (the missing frames by count)."""
        return {"images": self.images, "images_per_period": dict(self.images_per_period),
                "boxes_per_label": dict(self.boxes_per_label), "annotations": self.annotations,
                "ignore": self.ignore, "clipped": self.clipped, "dropped_degenerate": self.dropped_degenerate,
                "frames_without_annotation": len(self.frames_without_annotation)}

    def table(self) -> str:
        """A markdown table of the counts."""
        rows = [("images", self.images)]
        rows += [(f"images ({period})", n) for period, n in sorted(self.images_per_period.items())]
        rows += [(f"boxes read: {label}", n) for label, n in sorted(self.boxes_per_label.items())]
        rows += [("boxes written", self.annotations), ("  of which person (ignore 0)", self.annotations - self.ignore),
                 ("  of which ignore regions", self.ignore), ("  of which clipped to the image", self.clipped),
                 ("boxes dropped (< 1 px after clipping)", self.dropped_degenerate),
                 ("frames without annotation", len(self.frames_without_annotation))]
        return markdown_table(["count", "value"], rows)


def clip_box(box: tuple[float, float, float, float], width: int, height: int) -> tuple[float, float, float, float]:
    """``(x, y, w, h)`` clipped to the image ``[0, width] x [0, height]``; w or h may come out <= 0."""
    x, y, w, h = box
    x0, y0 = min(max(x, 0.0), width), min(max(y, 0.0), height)
    x1, y1 = min(max(x + w, 0.0), width), min(max(y + h, 0.0), height)
    return x0, y0, x1 - x0, y1 - y0


def kaist_to_coco(frames_with_objects: Iterable[tuple[KaistFrame | str, list[KaistObject] | None]],
                  image_size: tuple[int, int] = IMAGE_SIZE, info: dict | None = None) -> tuple[dict, ConversionStats]:
    """Build the COCO dict of frames and their objects (layout in the module docstring).

    Args:
        frames_with_objects: ``(frame, objects)`` pairs in image order; ``frame`` is a :class:`KaistFrame` or a
            frame id ``setXX/VYYY/IZZZZZ``; ``objects`` None means the frame had no annotation file (the image
            is written without boxes and counted in ``frames_without_annotation``).
        image_size: ``(width, height)`` of every image (KAIST: 640x512).
        info: the COCO ``info`` entry (e.g. split and annotation source).

    Returns:
        ``(coco, stats)``.

    Raises:
        ValueError: a frame appears twice, or a frame id is malformed or of an unknown set.
    """
    width, height = image_size
    stats = ConversionStats()
    images, annotations, seen = [], [], set()
    for image_id, (frame, objects) in enumerate(frames_with_objects):
        frame_id = frame.frame_id if isinstance(frame, KaistFrame) else frame
        if frame_id in seen:
            raise ValueError(f"frame {frame_id} appears twice; COCO images must be unique")
        seen.add(frame_id)
        set_id, video, image = split_frame_id(frame_id)
        period = period_of(set_id)
        images.append({"id": image_id, "file_name": f"{frame_id}.jpg", "width": width, "height": height,
                       "set": set_id, "video": video, "frame": image, "period": period, "frame_id": frame_id})
        stats.images += 1
        stats.images_per_period[period] += 1
        if objects is None:
            stats.frames_without_annotation.append(frame_id)
            continue
        for obj in objects:
            stats.boxes_per_label[obj.label] += 1
            x, y, w, h = clip_box(obj.box, width, height)
            if w < MIN_BOX_SIZE or h < MIN_BOX_SIZE:
                stats.dropped_degenerate += 1
                continue
            stats.clipped += (x, y, w, h) != tuple(obj.box)
            ignore = int(obj.label != PERSON_LABEL)
            stats.ignore += ignore
            annotations.append({"id": len(annotations) + 1, "image_id": image_id, "category_id": 1,
                                "bbox": [x, y, w, h], "area": w * h, "height": h, "iscrowd": ignore,
                                "ignore": ignore, "occlusion": obj.occlusion, "label": obj.label})
    stats.annotations = len(annotations)
    coco = {"info": dict(info or {}), "images": images, "annotations": annotations,
            "categories": [dict(c) for c in CATEGORIES]}
    return coco, stats


def convert_split(root: str | Path, split: str | Path, annotations: str | Path | None = None,
                  image_size: tuple[int, int] = IMAGE_SIZE,
                  progress: Callable[[Iterable], Iterable] | None = None) -> tuple[dict, ConversionStats]:
    """COCO dict of a KAIST split, annotations read from a folder or straight from a tarball.

    Args:
        root: KAIST root folder (its ``imageSets/`` names the splits; images are not needed).
        split: a list name of ``<root>/imageSets`` or a path to a list file (see :func:`resolve_split`).
        annotations: a folder (xml tree or flat bbGt txt) or a tarball such as
            ``annotations-xml-new-full.tar.gz``; relative paths are taken from the working directory.
            Default: ``<root>/annotations-xml-new``.
        image_size: ``(width, height)`` of every image.
        progress: optional wrapper of the annotations being read (e.g. ``tqdm``).

    Returns:
        ``(coco, stats)``; ``coco["info"]`` records the split and the annotation source.
    """
    name, frame_ids = resolve_split(root, split)
    source = Path(root) / "annotations-xml-new" if annotations is None else Path(annotations)
    objects = load_annotations(source, frame_ids, progress)
    info = {"description": f"KAIST Multispectral Pedestrian, {name}", "split": name, "annotations": source.name,
            "url": "https://soonminhwang.github.io/rgbt-ped-detection/"}
    return kaist_to_coco(((f, objects.get(f)) for f in frame_ids), image_size, info)


def coco_bytes(coco: dict) -> bytes:
    """The bytes a COCO dict is written as: compact JSON."""
    return json.dumps(coco, separators=(",", ":")).encode("utf-8")


def write_coco(coco: dict, path: str | Path) -> Path:
    """Write a COCO dict as compact JSON, atomically (:func:`fusion.utils.files.atomic_write_bytes`).

    Returns:
        The path written.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(path, coco_bytes(coco))
    return path
