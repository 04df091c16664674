"""KAIST Multispectral Pedestrian in its original layout, for the fused-dataset job.

``<root>/images/setXX/VYYY/{visible,lwir}/IZZZZZ.jpg``, splits listed in ``<root>/imageSets/<name>.txt`` (or
any list file), annotations in ``<root>/annotations-xml-new`` (or a folder or tarball given as
``annotations``), converted by :func:`fusion.datasets.kaist_coco.convert_split`.
"""
from __future__ import annotations

from pathlib import Path

from ....datasets.kaist import index_frames, resolve_split
from ....datasets.kaist_coco import convert_split
from ..frames import BadFrame, PairFrame
from .base import Annotations, DatasetAdapter, FrameListing


class KaistAdapter(DatasetAdapter):
    """KAIST (see the module docstring).

    Args:
        root: KAIST root folder (``images/``, ``annotations-xml-new/``, ``imageSets/``).
        annotations: annotation folder or tarball (default ``<root>/annotations-xml-new``).
    """

    name = "kaist"
    default_split = "test-all-20"

    def __init__(self, root: str | Path, annotations: str | Path | None = None) -> None:
        super().__init__(root)
        self.annotation_source = self.root / "annotations-xml-new" if annotations is None else Path(annotations)

    def list_frames(self, split: str | Path, limit: int | None = None) -> FrameListing:
        name, frame_ids = resolve_split(self.root, split)
        frame_ids = list(dict.fromkeys(frame_ids))[:limit]
        frames, problems = index_frames(self.root, frame_ids, annotation_dir=None)
        pairs = [PairFrame(f.frame_id, f.visible_path, f.lwir_path) for f in frames]
        missing = [BadFrame(p.frame_id, p.kind, self.display_path(p.path), "file not found") for p in problems]
        return FrameListing(name, frame_ids, pairs, missing, requested=split)

    def annotations(self, listing: FrameListing, image_size: tuple[int, int]) -> Annotations:
        coco, stats = convert_split(self.root, listing.requested or listing.name, annotations=self.annotation_source,
                                    image_size=image_size)
        source = self.display_path(self.annotation_source)
        separator = ":" if self.annotation_source.is_file() else "/"  # a tarball member, or a file below a folder
        unannotated = {f: f"{source}{separator}{f}.xml" for f in stats.frames_without_annotation}
        return Annotations(coco, unannotated)
