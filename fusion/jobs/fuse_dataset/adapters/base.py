"""What the fused-dataset job needs from a dataset: its frames, where their two bands lie, and their boxes.

An adapter knows one dataset's native layout and label format; the job (:mod:`..job`) does the rest the same
way for every dataset: header checks and the bad-frame report, batching, sharding, resuming, ``meta.json``.

The COCO file an adapter returns follows :mod:`fusion.datasets.kaist_coco`: ``categories``
``[{"id": 1, "name": "person"}]``; ``images`` with ``id`` = rank in the split's list, ``file_name`` =
:attr:`PairFrame.relative_path`, ``width``, ``height`` and ``frame_id``; ``annotations`` with ``id`` from 1,
``category_id`` 1, ``bbox`` ``[x, y, w, h]`` clipped to the image, ``area``, ``height``, ``iscrowd`` and
``ignore`` (1 for ignore regions). Only frames with an annotation are in ``images``.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from ..frames import BadFrame, PairFrame


@dataclass
class FrameListing:
    """The frames an adapter found for a split.

    Attributes:
        name: the split's name (the annotation files are ``annotations/<name>.json``).
        frame_ids: the selected frames, in list order, without repeats.
        frames: those whose two image files exist, in list order.
        missing: a ``missing_visible`` / ``missing_lwir`` problem per absent image file, in list order.
        requested: the split as the caller gave it (a KAIST list may be a file path).
    """

    name: str
    frame_ids: list[str]
    frames: list[PairFrame]
    missing: list[BadFrame] = field(default_factory=list)
    requested: str | Path | None = None


@dataclass
class Annotations:
    """A split's COCO dict and the frames that have no annotation file.

    Attributes:
        coco: the COCO dict of the selected frames that have an annotation (see the module docstring).
        unannotated: ``{frame_id: the annotation file expected}`` (as shown in the bad-frame report).
    """

    coco: dict
    unannotated: dict[str, str] = field(default_factory=dict)


class DatasetAdapter(ABC):
    """A dataset as the fused-dataset job sees it.

    Args:
        root: the dataset's root folder.

    Subclasses set :attr:`name` (the subcommand of ``tools/fuse_dataset.py``) and :attr:`default_split`.
    """

    name: ClassVar[str]
    default_split: ClassVar[str]

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        if not self.root.is_dir():
            raise FileNotFoundError(f"{self.root} is not a folder: pass the {self.name} root with --root")

    @abstractmethod
    def list_frames(self, split: str | Path, limit: int | None = None) -> FrameListing:
        """The split's frames (``limit``: only the first ``limit``), with the image files that are missing.

        Raises:
            FileNotFoundError, ValueError: the split cannot be found or read (the message says what to pass).
        """

    @abstractmethod
    def annotations(self, listing: FrameListing, image_size: tuple[int, int]) -> Annotations:
        """The COCO dict of the listed frames, boxes clipped to ``image_size`` ``(width, height)``."""

    def display_path(self, path: Path) -> str:
        """``path`` relative to the root where it lies below it, else as given; POSIX separators."""
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()
