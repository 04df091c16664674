"""The frames of a split that can be fused, and a report of those that cannot (any dataset).

A frame is usable when both bands exist, are complete images (:func:`~fusion.datasets.image_probe.probe_image`:
header read and end-of-image marker checked, no decoding) and have the same size, which must also be the
split's image size (the most common size among its pairs; KAIST is 640x512 throughout). The checks read
only file headers, so every process of a sharded run computes the same lists before fusing anything: the
annotation file and the report of bad frames come out identical whichever process writes them.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from ...datasets.image_probe import ImageHeader, ImageProbeError, probe_image

BAD_KINDS = ("missing_visible", "missing_lwir", "truncated", "unreadable", "size_mismatch", "missing_annotation")
"""Kinds of bad frames. All but ``missing_annotation`` leave the frame out; a frame without annotation is
fused but left out of the annotation file."""
PROBE_THREADS = 8


@dataclass(frozen=True)
class BadFrame:
    """A problem with one frame.

    Attributes:
        frame_id: the frame (KAIST: ``setXX/VYYY/IZZZZZ``).
        kind: one of :data:`BAD_KINDS`.
        path: the file at fault, relative to the dataset root where it lies below it (POSIX separators).
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
class PairFrame:
    """One visible/infrared pair.

    Attributes:
        frame_id: unique within the dataset (KAIST: ``setXX/VYYY/IZZZZZ``; LLVIP and MSRS: ``<split>/<stem>``).
        visible_path, infrared_path: the two bands.
    """

    frame_id: str
    visible_path: Path
    infrared_path: Path

    @property
    def relative_path(self) -> str:
        """``<frame_id>.jpg``: the frame's file in a fused folder and its COCO ``file_name``."""
        return f"{self.frame_id}.jpg"


@dataclass(frozen=True)
class SourceFrame:
    """A usable frame: its pair and its image size."""

    frame: PairFrame
    width: int
    height: int

    @property
    def frame_id(self) -> str:
        return self.frame.frame_id


def check_images(frames: list[PairFrame], display: Callable[[Path], str] = Path.as_posix,
                 threads: int = PROBE_THREADS) -> tuple[list[SourceFrame], list[BadFrame], tuple[int, int] | None]:
    """Check the two bands of every frame (see the module docstring).

    Args:
        frames: the frames whose two files exist, without repeats.
        display: how a file is named in the report (the dataset adapter's ``display_path``).
        threads: files probed in parallel (the work is file reads).

    Returns:
        ``(usable, bad, image_size)``: the usable frames in input order; the problems in input order; the
        split's ``(width, height)`` (None when no pair is readable).
    """
    paths = [path for frame in frames for path in (frame.visible_path, frame.infrared_path)]
    with ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
        headers = list(pool.map(_probe, paths))
    bad, pairs = [], []
    for frame, vis, ir in zip(frames, headers[0::2], headers[1::2]):
        errors = [(path, h) for path, h in ((frame.visible_path, vis), (frame.infrared_path, ir))
                  if isinstance(h, ImageProbeError)]
        bad += [BadFrame(frame.frame_id, error.kind, display(path), error.reason) for path, error in errors]
        if errors:
            continue
        if (vis.width, vis.height) != (ir.width, ir.height):
            bad.append(BadFrame(frame.frame_id, "size_mismatch", display(frame.infrared_path),
                                f"infrared {ir.width}x{ir.height}, visible {vis.width}x{vis.height}"))
            continue
        pairs.append((frame, vis))
    image_size = _common_size(header for _, header in pairs)
    usable = []
    for frame, header in pairs:
        if (header.width, header.height) != image_size:
            bad.append(BadFrame(frame.frame_id, "size_mismatch", display(frame.visible_path),
                                f"{header.width}x{header.height}, while the split's images are "
                                f"{image_size[0]}x{image_size[1]}"))
        else:
            usable.append(SourceFrame(frame, header.width, header.height))
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
