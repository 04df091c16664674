"""Colour/thermal pairs to run on, from a paired folder, a KAIST sequence or list, or two synchronised videos.

A :class:`PairReader` knows its pairs' names before reading them (for numbering and progress), lists what
it skipped (a frame without its partner), and yields ``(name, visible, thermal)`` as ``uint8`` arrays in
OpenCV's conventions (BGR colour or greyscale).
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from ..utils.images import read_uint8_grey, read_uint8_image
from .folders import index_folder, natural_key
from .kaist import pair_paths, resolve_split

Pair = tuple[str, np.ndarray, np.ndarray]


@dataclass
class PairReader:
    """Pairs to read.

    Attributes:
        names: the pairs' names, in reading order (file stems, KAIST frames ``setXX/VYYY/IZZZZZ``, or video
            frame numbers).
        read: yields the pairs.
        skipped: what was left out and why.
        fps: the frame rate of video input (``None`` otherwise).
    """

    names: list[str]
    read: Callable[[], Iterator[Pair]]
    skipped: list[str] = field(default_factory=list)
    fps: float | None = None

    def __iter__(self) -> Iterator[Pair]:
        return self.read()

    def __len__(self) -> int:
        return len(self.names)


def _checked(name: str, vis: np.ndarray, ir: np.ndarray, where: str) -> Pair:
    if vis.shape[:2] != ir.shape[:2]:
        raise ValueError(f"{where}: visible {vis.shape[1]}x{vis.shape[0]} and thermal {ir.shape[1]}x{ir.shape[0]} "
                         "differ in size; register or resize them first")
    return name, vis, ir


def folder_pairs(vis_dir: str | Path, ir_dir: str | Path) -> PairReader:
    """The pairs of two folders, matched by file name stem; unmatched files are skipped.

    Raises:
        FileNotFoundError: a folder is missing.
        ValueError: no file has a partner.
    """
    vis_files, ir_files = index_folder(vis_dir), index_folder(ir_dir)
    stems = sorted(vis_files.keys() & ir_files.keys(), key=natural_key)
    if not stems:
        raise ValueError(f"no image of {vis_dir} has a partner of the same name in {ir_dir}")
    skipped = [f"{stem}: no partner in {ir_dir if stem in vis_files else vis_dir}"
               for stem in sorted(vis_files.keys() ^ ir_files.keys(), key=natural_key)]

    def read() -> Iterator[Pair]:
        for stem in stems:
            yield _checked(stem, read_uint8_image(vis_files[stem]), read_uint8_image(ir_files[stem]), stem)

    return PairReader(stems, read, skipped)


def kaist_frames(root: Path, frames: str) -> list[str]:
    """Frames ``setXX/VYYY/IZZZZZ`` of an imageSets list (a name or a .txt path) or of a sequence folder.

    Raises:
        FileNotFoundError: neither.
    """
    sequence = root / "images" / frames
    if not frames.endswith(".txt") and ((sequence / "visible").is_dir() or (sequence / "lwir").is_dir()):
        stems = {p.stem for band in ("visible", "lwir") for p in (sequence / band).glob("I*.jpg")}
        return [f"{frames}/{stem}" for stem in sorted(stems)]
    try:
        return resolve_split(root, frames)[1]
    except FileNotFoundError as error:
        raise FileNotFoundError(f"{frames!r} is neither a sequence folder {sequence} with visible/ and lwir/ "
                                f"nor a list: {error}") from None


def kaist_pairs(root: str | Path, frames: str) -> PairReader:
    """KAIST pairs (``images/setXX/VYYY/{visible,lwir}/IZZZZZ.jpg``) of a list or sequence, the thermal image
    decoded greyscale as ``tools/fuse_dataset.py`` reads it; frames without both images are skipped.

    Raises:
        FileNotFoundError: no such list or sequence.
        ValueError: no frame has both images.
    """
    root = Path(root)
    names, skipped = [], []
    for frame in kaist_frames(root, frames):
        missing = [p.parent.name for p in pair_paths(root, frame) if not p.is_file()]
        (skipped.append(f"{frame}: no {' and no '.join(missing)} image") if missing else names.append(frame))
    if not names:
        raise ValueError(f"none of the {len(skipped)} frame(s) of {frames!r} has both images under {root / 'images'}")

    def read() -> Iterator[Pair]:
        for frame in names:
            vis, ir = pair_paths(root, frame)
            yield _checked(frame, read_uint8_image(vis), read_uint8_grey(ir), frame)

    return PairReader(names, read, skipped)


def video_pairs(vis_video: str | Path, ir_video: str | Path) -> PairReader:
    """The frames of two synchronised videos, in step.

    Raises:
        FileNotFoundError: a video is missing.
        ValueError: a video cannot be opened, or the two differ in frame count or size.
    """
    infos = []
    for path in (vis_video, ir_video):
        if not Path(path).is_file():
            raise FileNotFoundError(f"video not found: {path}")
        capture = cv2.VideoCapture(str(path))
        if not capture.isOpened():
            raise ValueError(f"OpenCV cannot open the video {path}")
        infos.append((int(capture.get(cv2.CAP_PROP_FRAME_COUNT)), int(capture.get(cv2.CAP_PROP_FRAME_WIDTH)),
                      int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT)), capture.get(cv2.CAP_PROP_FPS)))
        capture.release()
    (count, width, height, fps), (ir_count, ir_width, ir_height, _) = infos
    if count != ir_count:
        raise ValueError(f"{vis_video} has {count} frames and {ir_video} {ir_count}: the videos are not in step")
    if (width, height) != (ir_width, ir_height):
        raise ValueError(f"{vis_video} is {width}x{height} and {ir_video} {ir_width}x{ir_height}: register or "
                         "resize them first")

    def read() -> Iterator[Pair]:
        captures = [cv2.VideoCapture(str(path)) for path in (vis_video, ir_video)]
        try:
            for index in range(count):
                frames = [capture.read() for capture in captures]
                if not all(ok for ok, _ in frames):
                    raise ValueError(f"frame {index} of {vis_video} / {ir_video} could not be read")
                (_, vis), (_, ir) = frames
                yield f"{index:06d}", vis, cv2.cvtColor(ir, cv2.COLOR_BGR2GRAY)
        finally:
            for capture in captures:
                capture.release()

    return PairReader([f"{index:06d}" for index in range(count)], read, fps=fps or 25.0)
