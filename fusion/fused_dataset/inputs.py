"""The frames of a KAIST split that can be fused, and a report of those that cannot.

A frame is usable when both bands exist, are complete images (:func:`~fusion.datasets.image_probe.probe_image`:
header read and end-of-image marker checked, no decoding) and have the same size, which must also be the
split's image size (the most common size among its pairs; KAIST is 640x512 throughout). The checks read
only file headers, so every process of a sharded run computes the same lists before fusing anything: the
annotation file and the report of bad frames come out identical whichever process writes them.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from ..datasets.image_probe import ImageHeader, ImageProbeError, probe_image
from ..datasets.kaist import KaistFrame, index_frames

BAD_KINDS = ("missing_visible", "missing_lwir", "truncated", "unreadable", "size_mismatch", "missing_annotation")
"""Kinds of bad frames. All but ``missing_annotation`` leave the frame out; a frame without annotation is
fused but left out of the annotation file."""
PROBE_THREADS = 8


@dataclass(frozen=True)
class BadFrame:
    """A problem with one frame.

    Attributes:
        frame_id: ``setXX/VYYY/IZZZZZ``.
        kind: one of :data:`BAD_KINDS`.
        path: the file at fault, relative to the KAIST root where it lies below it (POSIX separators).
        detail: a readable explanation.
    """

    frame_id: str
    kind: str
    path: str
    detail: str

    @property
    def excludes_frame(self) -> bool:
        """Whether the frame is left out of the fused dataset (every kind but ``missing_annotation``)."""
        return self.kind != "missing_annotation"

    def __str__(self) -> str:
        return f"frame {self.frame_id}: {self.kind}: {self.path} ({self.detail})"

    def as_dict(self) -> dict[str, str]:
        return {"frame": self.frame_id, "kind": self.kind, "path": self.path, "detail": self.detail}


class BadFrameError(RuntimeError):
    """A bad frame under ``strict``; ``problem`` is the :class:`BadFrame`."""

    def __init__(self, problem: BadFrame) -> None:
        super().__init__(str(problem))
        self.problem = problem


@dataclass(frozen=True)
class SourceFrame:
    """A usable frame: its KAIST image paths and its image size.

    ``frame.annotation_path`` is not looked up here (None): annotations come from the COCO conversion
    (:mod:`.annotations`).
    """

    frame: KaistFrame
    width: int
    height: int

    @property
    def frame_id(self) -> str:
        return self.frame.frame_id


def display_path(path: Path, root: Path) -> str:
    """``path`` relative to ``root`` where it lies below it, else as given; POSIX separators."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def check_images(root: str | Path, frame_ids: Iterable[str],
                 threads: int = PROBE_THREADS) -> tuple[list[SourceFrame], list[BadFrame], tuple[int, int] | None]:
    """Check the two bands of every frame (see the module docstring).

    Args:
        root: KAIST root folder.
        frame_ids: the frames, without repeats.
        threads: files probed in parallel (the work is file reads).

    Returns:
        ``(usable, bad, image_size)``: the usable frames in input order; the problems in input order; the
        split's ``(width, height)`` (None when no pair is readable).
    """
    root = Path(root)
    frame_ids = list(frame_ids)
    frames, problems = index_frames(root, frame_ids, annotation_dir=None)
    bad = [BadFrame(p.frame_id, p.kind, display_path(p.path, root), "file not found") for p in problems]
    paths = [path for frame in frames for path in (frame.visible_path, frame.lwir_path)]
    with ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
        headers = list(pool.map(_probe, paths))
    pairs = []
    for frame, vis, ir in zip(frames, headers[0::2], headers[1::2]):
        errors = [(path, h) for path, h in ((frame.visible_path, vis), (frame.lwir_path, ir))
                  if isinstance(h, ImageProbeError)]
        bad += [BadFrame(frame.frame_id, error.kind, display_path(path, root), error.reason) for path, error in errors]
        if errors:
            continue
        if (vis.width, vis.height) != (ir.width, ir.height):
            bad.append(BadFrame(frame.frame_id, "size_mismatch", display_path(frame.lwir_path, root),
                                f"thermal {ir.width}x{ir.height}, visible {vis.width}x{vis.height}"))
            continue
        pairs.append((frame, vis))
    image_size = _common_size(header for _, header in pairs)
    usable = []
    for frame, header in pairs:
        if (header.width, header.height) != image_size:
            bad.append(BadFrame(frame.frame_id, "size_mismatch", display_path(frame.visible_path, root),
                                f"{header.width}x{header.height}, while the split's images are "
                                f"{image_size[0]}x{image_size[1]}"))
        else:
            usable.append(SourceFrame(frame, header.width, header.height))
    order = {frame_id: index for index, frame_id in enumerate(frame_ids)}
    bad.sort(key=lambda b: (order[b.frame_id], BAD_KINDS.index(b.kind)))
    return usable, bad, image_size


def _probe(path: Path) -> ImageHeader | ImageProbeError:
    try:
        return probe_image(path)
    except ImageProbeError as error:
        return error
    except OSError as error:  # vanished or unreadable since the folder was listed
        return ImageProbeError(path, "unreadable", f"cannot read the file ({error.strerror or error})")


def _common_size(headers: Iterable[ImageHeader]) -> tuple[int, int] | None:
    """The most common ``(width, height)``; ties go to the larger image (deterministic)."""
    counts = Counter((h.width, h.height) for h in headers)
    if not counts:
        return None
    return max(counts, key=lambda size: (counts[size], size[0] * size[1], size))
