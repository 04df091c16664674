"""The frames of a split that a run fuses: selected, checked and annotated the same way in every process."""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .adapters.base import DatasetAdapter
from .annotations import usable_annotations
from .frames import BAD_KINDS, BadFrame, BadFrameError, SourceFrame, check_images


@dataclass
class SplitSelection:
    """The selected frames of a split, the usable ones, the problems and the COCO dict of the usable ones.

    Attributes:
        name: the split's name.
        frame_ids: the selected frames, in list order.
        usable: the frames that can be fused (see :mod:`.frames`), in list order.
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


def select_split(adapter: DatasetAdapter, split: str | Path, limit: int | None = None, strict: bool = False,
                 log: Callable[[str], None] = print) -> SplitSelection:
    """Select, check and annotate the frames of a split (identical in every process of a sharded run).

    Args:
        adapter: the dataset.
        split: the split, as the adapter names it (KAIST: a list name or file; LLVIP, MSRS: train or test).
        limit: keep only the first ``limit`` frames of the list.
        strict: raise on the first problem instead of reporting it.
        log: where the summary of the problems goes.

    Raises:
        BadFrameError: the first problem in list order, under ``strict``.
        ValueError: no frame of the selection is usable.
    """
    listing = adapter.list_frames(split, limit)
    usable, bad, image_size = check_images(listing.frames, adapter.display_path)
    bad += listing.missing
    if image_size is None:
        counts = Counter(problem.kind for problem in bad)
        first = min(bad, key=_order(listing.frame_ids), default=None)
        raise ValueError(f"none of the {len(listing.frame_ids)} frames of {listing.name} in {adapter.root} has two "
                         f"readable images ({', '.join(f'{kind} {n}' for kind, n in counts.items())}); "
                         f"first: {first}")
    coco, missing = usable_annotations(adapter.annotations(listing, image_size), listing, usable)
    bad = sorted(bad + missing, key=_order(listing.frame_ids))
    if bad and strict:
        raise BadFrameError(bad[0])
    if bad:
        counts = Counter(problem.kind for problem in bad)
        log(f"{listing.name}: {len(usable)} of {len(listing.frame_ids)} frames usable; problems: "
            + ", ".join(f"{kind} {n}" for kind, n in counts.items()) + f" (first: {bad[0]})")
    return SplitSelection(listing.name, listing.frame_ids, usable, bad, coco)


def _order(frame_ids: list[str]) -> Callable[[BadFrame], tuple[int, int]]:
    """Sort key of problems: list order, then the order of :data:`~.frames.BAD_KINDS`."""
    rank = {frame_id: index for index, frame_id in enumerate(frame_ids)}
    return lambda problem: (rank[problem.frame_id], BAD_KINDS.index(problem.kind))
