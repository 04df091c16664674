"""KAIST visible/lwir frames as fusion pairs (visible BT.601 luminance beside the thermal image).

Frames come from a KAIST list (``imageSets/<name>.txt`` or any list file) through
:func:`fusion.datasets.kaist.resolve_split` and :func:`fusion.datasets.kaist.index_frames`; frames whose
visible or lwir image is missing (partial downloads) are skipped and counted in ``skipped``.
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..registry import DATASETS
from .kaist import index_frames, resolve_split
from .paired import PairDataset, PairRecord


@DATASETS.register_module()
class KaistPairDataset(PairDataset):
    """Samples ``{"vis", "ir", "name"}`` of KAIST frames, named by frame id ``setXX/VYYY/IZZZZZ``.

    Args:
        root: KAIST root folder (``images/`` and ``imageSets/`` below it).
        split: a list name of ``<root>/imageSets`` (e.g. ``"test-all-20"``) or a list file.
        crop_size: crop ``(width, height)``; None keeps the full 640x512 frames.
        flip: random horizontal and vertical flips.
        seed: base seed of the per-sample generators.

    Attributes:
        split_name: the list's name.
        skipped: ids of the listed frames left out for a missing image.

    Raises:
        ValueError: no listed frame has both images.
    """

    def __init__(self, root: str | Path, split: str | Path, crop_size: Sequence[int] | None = (320, 256),
                 flip: bool = True, seed: int = 0) -> None:
        self.split_name, frame_ids = resolve_split(root, split)
        frames, problems = index_frames(root, frame_ids, annotation_dir=None)
        self.skipped = sorted({problem.frame_id for problem in problems})
        if not frames:
            raise ValueError(f"no frame of KAIST list {self.split_name!r} under {root} has both its visible and "
                             f"lwir image ({len(self.skipped)} frame(s) incomplete)")
        records = [PairRecord(frame.frame_id, frame.visible_path, frame.lwir_path) for frame in frames]
        super().__init__(records, crop_size, flip, seed)
