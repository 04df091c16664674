"""Readers of the person boxes of LLVIP and MSRS in their own label formats.

* Pascal VOC xml (LLVIP's ``Annotations/<stem>.xml``): ``<object><name>person</name><bndbox>`` with
  ``xmin ymin xmax ymax`` in pixels; the box is ``(xmin, ymin, xmax - xmin, ymax - ymin)``; ``difficult`` 1
  makes an ignore region.
* COCO json (LLVIP test ground truth as published by cross-modality detection kits): images are matched by
  the stem of their ``file_name``; ``bbox`` is ``[x, y, w, h]``; the category named ``person`` is kept.
* YOLO text (MSRS detection labels): one ``class cx cy w h`` line per box, normalised to the image size;
  the person class is found by name in ``classes.txt`` beside or above the label folder (else class 0).

Boxes of other classes are dropped: these sets annotate bicycles and cars as objects, not as ignore regions.
"""
from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from pathlib import Path

PERSON = "person"


@dataclass(frozen=True)
class PersonBox:
    """A person box ``(x, y, w, h)`` in pixels; ``ignore``: an ignore region (e.g. VOC ``difficult``)."""

    x: float
    y: float
    w: float
    h: float
    ignore: bool = False


def read_voc_persons(path: str | Path) -> list[PersonBox]:
    """The person boxes of a Pascal VOC xml file.

    Raises:
        ValueError: the file is not VOC xml, or a person has no numeric ``bndbox`` (naming the file).
    """
    try:
        root = ElementTree.parse(path).getroot()
    except ElementTree.ParseError as error:
        raise ValueError(f"{path}: not valid xml ({error})") from None
    boxes = []
    for obj in root.iter("object"):
        if (obj.findtext("name") or "").strip().lower() != PERSON:
            continue
        try:
            x0, y0, x1, y1 = (float(obj.findtext(f"bndbox/{key}")) for key in ("xmin", "ymin", "xmax", "ymax"))
        except (TypeError, ValueError):
            raise ValueError(f"{path}: a person without a numeric bndbox (xmin, ymin, xmax, ymax)") from None
        difficult = (obj.findtext("difficult") or "0").strip() == "1"
        boxes.append(PersonBox(x0, y0, x1 - x0, y1 - y0, ignore=difficult))
    return boxes


def read_coco_persons(path: str | Path) -> dict[str, list[PersonBox]]:
    """Person boxes of a COCO json by image file stem (every image of the file, boxes or not).

    Raises:
        ValueError: not COCO json, no ``person`` category, or a file stem twice (naming the file).
    """
    try:
        coco = json.loads(Path(path).read_text(encoding="utf-8"))
        images, annotations, categories = coco["images"], coco["annotations"], coco["categories"]
    except (json.JSONDecodeError, KeyError, TypeError) as error:
        raise ValueError(f"{path}: not a COCO json with images, annotations and categories ({error})") from None
    person_ids = {c["id"] for c in categories if str(c.get("name", "")).lower() == PERSON}
    if not person_ids:
        raise ValueError(f"{path}: no category named {PERSON!r} (categories: {[c.get('name') for c in categories]})")
    stems: dict[int, str] = {}
    boxes: dict[str, list[PersonBox]] = {}
    for image in images:
        stem = Path(str(image["file_name"]).replace("\\", "/")).stem
        if stem in boxes:
            raise ValueError(f"{path}: two images named {stem}")
        stems[image["id"]] = stem
        boxes[stem] = []
    for ann in annotations:
        if ann["category_id"] in person_ids and ann["image_id"] in stems:
            x, y, w, h = (float(v) for v in ann["bbox"])
            ignore = bool(ann.get("ignore", 0) or ann.get("iscrowd", 0))
            boxes[stems[ann["image_id"]]].append(PersonBox(x, y, w, h, ignore=ignore))
    return boxes


def yolo_person_class(label_dir: str | Path) -> int:
    """The person class id of a YOLO label folder: its line in ``classes.txt`` (in the folder or its parent),
    ``0`` when there is no such file.

    Raises:
        ValueError: a ``classes.txt`` without ``person``.
    """
    label_dir = Path(label_dir)
    for candidate in (label_dir / "classes.txt", label_dir.parent / "classes.txt"):
        if candidate.is_file():
            for index, line in enumerate(candidate.read_text(encoding="utf-8").splitlines()):
                parts = line.split()
                if len(parts) == 1 and parts[0].lower() == PERSON:  # plain YOLO: one name a line, id = line index
                    return index
                if len(parts) == 2 and parts[1].lower() == PERSON:  # "0 person"
                    return int(parts[0])
            raise ValueError(f"{candidate} names no {PERSON!r} class")
    return 0


def read_yolo_persons(path: str | Path, image_size: tuple[int, int], person_class: int = 0) -> list[PersonBox]:
    """The person boxes of a YOLO label file, in pixels of an image of ``image_size`` ``(width, height)``.

    Raises:
        ValueError: a line that is not ``class cx cy w h`` (naming the file and line).
    """
    width, height = image_size
    boxes = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            label, cx, cy, w, h = line.split()[:5]
            label_id, cx, cy, w, h = int(label), float(cx), float(cy), float(w), float(h)
        except ValueError:
            raise ValueError(f"{path}:{number}: expected 'class cx cy w h', got {line!r}") from None
        if label_id == person_class:
            boxes.append(PersonBox((cx - w / 2) * width, (cy - h / 2) * height, w * width, h * height))
    return boxes
