"""MSRS (multi-spectral road scenes, day and night), for the fused-dataset job.

Layouts read (the first found): MSRS's own ``<root>/<split>/vi/``, ``<root>/<split>/ir/`` (split ``train`` or
``test``), or a paired-folder copy ``<root>/vi/``, ``<root>/ir/`` (the split is then only the name of the output
files). Images are 640x480 PNG.

Boxes: the public MSRS detection labels, YOLO text (``class cx cy w h``, normalised) in
``labels/<variant>/<stem>.txt`` beside ``vi/`` and ``ir/``, with ``labels/classes.txt`` naming the classes
(0 person, 1 bicycle, 2 car). They come in three variants, annotated on different images: ``infrared`` (the
most complete: people in the dark are missing from the others, the default), ``visible`` and ``fusion``.
``annotations`` overrides the label folder. Person boxes only (:mod:`fusion.datasets.person_labels`).
"""
from __future__ import annotations

from pathlib import Path

from ....datasets.person_labels import read_yolo_persons, yolo_person_class
from .base import Annotations, DatasetAdapter, FrameListing
from .paired_folders import boxes_to_coco, first_folder_pair, list_folder_pairs

LABEL_VARIANTS = ("infrared", "visible", "fusion")


class MsrsAdapter(DatasetAdapter):
    """MSRS (see the module docstring).

    Args:
        root: MSRS root folder.
        labels: the label variant, one of :data:`LABEL_VARIANTS`.
        annotations: a folder of YOLO label files (default ``labels/<labels>`` beside the image folders).
    """

    name = "msrs"
    default_split = "test"

    def __init__(self, root: str | Path, labels: str = "infrared", annotations: str | Path | None = None) -> None:
        super().__init__(root)
        if labels not in LABEL_VARIANTS:
            raise ValueError(f"MSRS labels come as {', '.join(LABEL_VARIANTS)}, got {labels!r}")
        self.labels = labels
        self.annotation_source = None if annotations is None else Path(annotations)

    def list_frames(self, split: str | Path, limit: int | None = None) -> FrameListing:
        split = str(split)
        candidates = [(self.root / split / "vi", self.root / split / "ir"), (self.root / "vi", self.root / "ir")]
        visible, infrared = first_folder_pair(candidates, "MSRS")
        return list_folder_pairs(split, visible, infrared, limit, self.display_path)

    def label_folder(self, listing: FrameListing) -> Path:
        """The folder of the label files: ``annotations`` or ``labels/<variant>`` beside the image folders.

        Raises:
            FileNotFoundError: no such folder.
        """
        if self.annotation_source is not None:
            folder = self.annotation_source
        else:
            base = self.root / listing.name if (self.root / listing.name / "vi").is_dir() else self.root
            folder = base / "labels" / self.labels
        if not folder.is_dir():
            raise FileNotFoundError(f"no MSRS labels at {folder}: put the YOLO label files there or pass "
                                    "--annotations (a folder of <stem>.txt)")
        return folder

    def annotations(self, listing: FrameListing, image_size: tuple[int, int]) -> Annotations:
        folder = self.label_folder(listing)
        person = yolo_person_class(folder)
        files = {f: folder / f"{f.rsplit('/', 1)[-1]}.txt" for f in listing.frame_ids}
        boxes = {f: read_yolo_persons(path, image_size, person) for f, path in files.items() if path.is_file()}
        unannotated = {f: self.display_path(path) for f, path in files.items() if f not in boxes}
        info = {"description": f"MSRS, {listing.name}, {self.labels} labels", "split": listing.name,
                "annotations": f"labels/{self.labels}" if self.annotation_source is None else folder.name,
                "url": "https://github.com/Linfeng-Tang/MSRS"}
        return Annotations(boxes_to_coco(listing.frame_ids, boxes, image_size, info), unannotated)
