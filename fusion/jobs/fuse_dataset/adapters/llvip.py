"""LLVIP (visible-infrared paired pedestrians in low light), for the fused-dataset job.

Layouts read (the first found):

* LLVIP's own: ``<root>/visible/<split>/<stem>.jpg``, ``<root>/infrared/<split>/<stem>.jpg``, Pascal VOC boxes in
  ``<root>/Annotations/<stem>.xml`` (split ``train`` or ``test``);
* a paired-folder copy: ``<root>/vi/``, ``<root>/ir/``, VOC boxes in ``<root>/annotations/`` (the split is then
  only the name of the output files).

``annotations`` overrides where the boxes come from: a folder of VOC xml, or a COCO json (as LLVIP's test
ground truth is published by cross-modality detection kits), matched by file stem. Person boxes only
(:mod:`fusion.datasets.person_labels`). Images are 1280x1024.
"""
from __future__ import annotations

from pathlib import Path

from ....datasets.person_labels import read_coco_persons, read_voc_persons
from .base import Annotations, DatasetAdapter, FrameListing
from .paired_folders import boxes_to_coco, first_folder_pair, list_folder_pairs


class LlvipAdapter(DatasetAdapter):
    """LLVIP (see the module docstring).

    Args:
        root: LLVIP root folder.
        annotations: a folder of VOC xml or a COCO json (default ``<root>/Annotations`` or ``<root>/annotations``).
    """

    name = "llvip"
    default_split = "test"

    def __init__(self, root: str | Path, annotations: str | Path | None = None) -> None:
        super().__init__(root)
        if annotations is None:
            folders = [self.root / "Annotations", self.root / "annotations"]
            annotations = next((f for f in folders if f.is_dir()), None)
            if annotations is None:
                raise FileNotFoundError(f"no LLVIP annotations in {self.root} (looked for Annotations/ and "
                                        "annotations/): pass --annotations, a folder of VOC xml or a COCO json")
        self.annotation_source = Path(annotations)
        if not self.annotation_source.exists():
            raise FileNotFoundError(f"annotations not found: {self.annotation_source}")

    def list_frames(self, split: str | Path, limit: int | None = None) -> FrameListing:
        split = str(split)
        candidates = [(self.root / "visible" / split, self.root / "infrared" / split),
                      (self.root / "vi", self.root / "ir")]
        visible, infrared = first_folder_pair(candidates, "LLVIP")
        return list_folder_pairs(split, visible, infrared, limit, self.display_path)

    def annotations(self, listing: FrameListing, image_size: tuple[int, int]) -> Annotations:
        source = self.annotation_source
        stems = {frame_id: frame_id.rsplit("/", 1)[-1] for frame_id in listing.frame_ids}
        if source.is_file():
            by_stem = read_coco_persons(source)
            boxes = {f: by_stem[s] for f, s in stems.items() if s in by_stem}
            unannotated = {f: f"{self.display_path(source)}:{s}" for f, s in stems.items() if s not in by_stem}
        else:
            files = {f: source / f"{s}.xml" for f, s in stems.items()}
            boxes = {f: read_voc_persons(path) for f, path in files.items() if path.is_file()}
            unannotated = {f: self.display_path(path) for f, path in files.items() if f not in boxes}
        info = {"description": f"LLVIP, {listing.name}", "split": listing.name, "annotations": source.name,
                "url": "https://bupt-ai-cz.github.io/LLVIP/"}
        return Annotations(boxes_to_coco(listing.frame_ids, boxes, image_size, info), unannotated)
