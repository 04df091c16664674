"""KAIST test ground truth, read from either COCO-style json the project meets.

Two layouts are accepted:

- the public KAIST evaluation kits' ``KAIST_annotation.json`` (MLPD, INSANet, ...): images carry
  ``im_name`` = ``setXX/VYYY/IZZZZZ``; annotations carry ``bbox``, ``height``, ``occlusion``, ``ignore``;
- this project's conversion (``tools/kaist_to_coco.py``): images carry ``file_name`` =
  ``setXX/VYYY/IZZZZZ.jpg`` and ``period``; annotations also ``iscrowd`` (= ``ignore``) and ``area``.

Only annotations of the ``person`` category are kept (the kits evaluate ``catIds=[1]``); people, person? and
cyclist boxes are already person boxes flagged ``ignore`` in both layouts. Day/night comes from ``period``
when present, else from the set (:func:`fusion.utils.kaist_sets.period_of`: day = set00-02, set06-08; night =
set03-05, set09-11, KAIST, CVPR 2015).
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from fusion.utils.kaist_sets import frame_key, period_of

SUBSETS = ("all", "day", "night")


@dataclass(frozen=True)
class GroundTruthBoxes:
    """Person boxes of one image, in the annotation file's order.

    Attributes:
        boxes: ``(M, 4)`` float64 ``[x, y, w, h]`` in pixels.
        heights: ``(M,)`` the annotated ``height`` (the kits test this field, not ``h``).
        occlusions: ``(M,)`` int, 0 none, 1 partial, 2 heavy.
        ignore: ``(M,)`` bool, ignore regions (people, person?, cyclist; ``ignore`` or ``iscrowd`` set).
    """

    boxes: np.ndarray
    heights: np.ndarray
    occlusions: np.ndarray
    ignore: np.ndarray

    @classmethod
    def from_annotations(cls, anns: list[Mapping[str, Any]]) -> GroundTruthBoxes:
        boxes = np.asarray([a["bbox"] for a in anns], dtype=np.float64).reshape(-1, 4)
        heights = np.asarray([a.get("height", a["bbox"][3]) for a in anns], dtype=np.float64)
        occlusions = np.asarray([a.get("occlusion", 0) for a in anns], dtype=np.int64)
        ignore = np.asarray([bool(a.get("ignore", 0) or a.get("iscrowd", 0)) for a in anns], dtype=bool)
        return cls(boxes, heights, occlusions, ignore)


@dataclass(frozen=True)
class KaistImage:
    """One test image: its id in the json, frame key ``setXX/VYYY/IZZZZZ`` and ``"day"``/``"night"``."""

    id: int
    key: str
    period: str


class KaistGroundTruth:
    """Test ground truth: images in file order and the person boxes of each.

    Args:
        dataset: a COCO-style dict in either layout of the module docstring.

    Raises:
        ValueError: no ``person`` category, an image without ``im_name``/``file_name`` naming a KAIST frame
            (of set00-set11 unless it carries its ``period``), or duplicate image ids.
    """

    def __init__(self, dataset: Mapping[str, Any]) -> None:
        persons = [c["id"] for c in dataset.get("categories", []) if c.get("name") == "person"]
        if len(persons) != 1:
            raise ValueError(f"expected one 'person' category, got categories {dataset.get('categories')}")
        self.person_category_id: int = persons[0]
        self.images: list[KaistImage] = [self._image(info) for info in dataset["images"]]
        self._index = {image.id: i for i, image in enumerate(self.images)}
        if len(self._index) != len(self.images):
            raise ValueError("duplicate image ids in the ground truth")
        self._id_of_key = {image.key: image.id for image in self.images}
        self.annotations: list[dict[str, Any]] = [
            a for a in dataset["annotations"] if a["category_id"] == self.person_category_id]
        per_image: dict[int, list[Mapping[str, Any]]] = {image.id: [] for image in self.images}
        for ann in self.annotations:
            per_image[ann["image_id"]].append(ann)
        self.boxes: dict[int, GroundTruthBoxes] = {
            image_id: GroundTruthBoxes.from_annotations(anns) for image_id, anns in per_image.items()}

    @staticmethod
    def _image(info: Mapping[str, Any]) -> KaistImage:
        name = info.get("im_name") or info.get("file_name") or ""
        key = frame_key(name)
        if key is None:
            raise ValueError(f"image {info.get('id')}: {name!r} names no KAIST frame setXX/VYYY/IZZZZZ")
        try:
            period = info.get("period") or period_of(key)
        except ValueError as error:  # a set beyond set00-set11
            raise ValueError(f"image {info.get('id')}: {error}") from None
        if period not in ("day", "night"):
            raise ValueError(f"image {info['id']}: period must be 'day' or 'night', got {period!r}")
        return KaistImage(int(info["id"]), key, period)

    def __len__(self) -> int:
        return len(self.images)

    def image_ids(self, subset: str = "all", among: Iterable[int] | None = None) -> list[int]:
        """Sorted ids of the images of a subset.

        Args:
            subset: ``"all"``, ``"day"`` or ``"night"``.
            among: restrict to these ids (e.g. the images a model was run on); all images when ``None``.
        """
        if subset not in SUBSETS:
            raise ValueError(f"subset must be one of {SUBSETS}, got {subset!r}")
        wanted = None if among is None else set(among)
        return sorted(image.id for image in self.images
                      if (subset == "all" or image.period == subset) and (wanted is None or image.id in wanted))

    def resolve_image_id(self, img_id: int | None = None, img_path: str | None = None) -> int:
        """The ground-truth id of a predicted image: by the frame named in ``img_path`` if any, else ``img_id``.

        The path wins so that predictions made on a dataset built from another annotation file (other ids,
        same frames) still land on the right image.

        Raises:
            KeyError: neither names an image of this ground truth.
        """
        key = frame_key(img_path) if img_path else None
        if key is not None and key in self._id_of_key:
            return self._id_of_key[key]
        if img_id is not None and int(img_id) in self._index:
            return int(img_id)
        raise KeyError(f"no ground-truth image for img_id={img_id!r}, img_path={img_path!r}")

    def image_at(self, index: int) -> KaistImage:
        """The image at a 0-based position in the file's image order."""
        return self.images[index]

    def position_of(self, image_id: int) -> int:
        """0-based position of an image id in the file's image order."""
        return self._index[image_id]

    def to_coco(self) -> dict[str, Any]:
        """A new clean COCO dataset for pycocotools: person only, ``iscrowd`` = ignore region, ``area`` = w*h
        when absent, annotation ids renumbered from 1 (pycocotools reads a match to id 0 as no match)."""
        anns = []
        for new_id, ann in enumerate(self.annotations, start=1):
            x, y, w, h = (float(v) for v in ann["bbox"])
            ignore = bool(ann.get("ignore", 0) or ann.get("iscrowd", 0))
            anns.append({"id": new_id, "image_id": ann["image_id"], "category_id": self.person_category_id,
                         "bbox": [x, y, w, h], "area": float(ann.get("area", w * h)), "iscrowd": int(ignore)})
        images = [{"id": image.id, "file_name": image.key} for image in self.images]
        return {"images": images, "annotations": anns,
                "categories": [{"id": self.person_category_id, "name": "person"}]}


def load_ground_truth(source: str | Path | Mapping[str, Any]) -> KaistGroundTruth:
    """Read a KAIST ground-truth json (either layout) from a path, or wrap an already loaded dict."""
    if isinstance(source, Mapping):
        return KaistGroundTruth(source)
    with open(source, encoding="utf-8") as f:
        return KaistGroundTruth(json.load(f))
