"""The frames of a split that a run fuses: selected, checked and annotated the same way in every process."""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..datasets.kaist import resolve_split
from .annotations import split_annotations
from .inputs import BAD_KINDS, BadFrame, BadFrameError, SourceFrame, check_images


@dataclass
class SplitSelection:
    """The selected frames of a split, the usable ones, the problems and the COCO dict of the usable ones.

    Attributes:
        name: the split's name.
        frame_ids: the selected frames, in list order.
        usable: the frames that can be fused (see :mod:`.inputs`), in list order.
        bad: the problems, in list order.
        coco: the annotation file's content (see :mod:`.annotations`).
    """

    name: str
    frame_ids: list[str]
    usable: list[SourceFrame]
    bad: list[BadFrame]
    coco: dict

    def entry(self, limit: int | None) -> dict:
        """The split's entry in a method folder's ``meta.json``."""
        excluded = len({b.frame_id for b in self.bad if b.excludes_frame})
        return {"name": self.name, "selected_frames": len(self.frame_ids), "usable_frames": len(self.usable),
                "excluded_frames": excluded, "limit": limit, "annotations": f"annotations/{self.name}.json",
                "bad_frames": f"annotations/{self.name}.bad_frames.json"}


def select_split(root: str | Path, split: str | Path, limit: int | None = None, strict: bool = False,
                 annotations: str | Path | None = None, log: Callable[[str], None] = print) -> SplitSelection:
    """Select, check and annotate the frames of a split (identical in every process of a sharded run).

    Args:
        root: KAIST root folder.
        split: a list name of ``<root>/imageSets`` or a list file.
        limit: keep only the first ``limit`` frames of the list (repeats dropped first).
        strict: raise on the first problem instead of reporting it.
        annotations: annotation folder or tarball (default ``<root>/annotations-xml-new``).
        log: where the summary of the problems goes.

    Raises:
        BadFrameError: the first problem in list order, under ``strict``.
        ValueError: no frame of the selection is usable.
    """
    name, frame_ids = resolve_split(root, split)
    frame_ids = list(dict.fromkeys(frame_ids))[:limit]
    usable, bad, image_size = check_images(root, frame_ids)
    if image_size is None:
        counts = Counter(problem.kind for problem in bad)
        raise ValueError(f"none of the {len(frame_ids)} frames of {name} in {root} has two readable images "
                         f"({', '.join(f'{kind} {n}' for kind, n in counts.items())}); first: {bad[0]}")
    coco, missing = split_annotations(root, split, frame_ids, usable, image_size, annotations)
    order = {frame_id: index for index, frame_id in enumerate(frame_ids)}
    bad = sorted(bad + missing, key=lambda b: (order[b.frame_id], BAD_KINDS.index(b.kind)))
    if bad and strict:
        raise BadFrameError(bad[0])
    if bad:
        counts = Counter(problem.kind for problem in bad)
        log(f"{name}: {len(usable)} of {len(frame_ids)} frames usable; problems: "
            + ", ".join(f"{kind} {n}" for kind, n in counts.items()) + f" (first: {bad[0]})")
    return SplitSelection(name, frame_ids, usable, bad, coco)
