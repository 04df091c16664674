"""KAIST Multispectral Pedestrian: frame lists and the image/annotation index.

KAIST (Hwang et al., CVPR 2015, https://soonminhwang.github.io/rgbt-ped-detection/) is laid out as::

    <root>/images/setXX/VYYY/{visible,lwir}/IZZZZZ.jpg      640x512, colour and thermal, pixel-aligned
    <root>/annotations-xml-new/setXX/VYYY/IZZZZZ.xml         one xml per frame (``<object><name>``, ``<bndbox>``)
    <root>/imageSets/<list>.txt                              frame ids ``setXX/VYYY/IZZZZZ``, one a line

KAIST's sets (train/test, day/night) and its frame ids are defined in :mod:`fusion.utils.kaist_sets`. The
annotation files located here (the xml tree, or a flat folder of ``setXX_VYYY_IZZZZZ.txt`` bbGt files) are read
by :mod:`fusion.datasets.kaist_annotations`.
"""
from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..utils.kaist_sets import period_of, split_frame_id

IMAGE_SIZE = (640, 512)
"""Width and height of every KAIST image."""
ANNOTATION_EXTENSIONS = (".xml", ".txt")
BANDS = ("visible", "lwir")
"""Band folders of a video: ``images/setXX/VYYY/<band>/IZZZZZ.jpg``."""

_LIST_LINE = re.compile(r"(set\d{2}/V\d{3}/I\d{5})(?:\.[A-Za-z0-9]+)?")


def read_image_list(path: str | Path) -> list[str]:
    """Frame ids ``setXX/VYYY/IZZZZZ`` of a KAIST list file, in file order (repeats kept).

    Tolerates CRLF line endings, a UTF-8 byte-order mark, blank lines, surrounding spaces and an extension
    after the id (``set06/V000/I00019.jpg``).

    Raises:
        ValueError: a line is not a frame id (the message names the file and the 1-based line number).
    """
    path = Path(path)
    frame_ids = []
    for number, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        match = _LIST_LINE.fullmatch(line)
        if match is None:
            raise ValueError(f"{path}:{number}: expected a frame id like set06/V000/I00019, got {line!r}")
        frame_ids.append(match.group(1))
    return frame_ids


def available_lists(root: str | Path) -> list[str]:
    """Names of the lists in ``<root>/imageSets`` (without ``.txt``), sorted; empty if there is no such folder."""
    folder = Path(root) / "imageSets"
    return sorted(p.stem for p in folder.glob("*.txt")) if folder.is_dir() else []


def resolve_split(root: str | Path, split: str | Path) -> tuple[str, list[str]]:
    """The name and frame ids of a split: a list name in ``<root>/imageSets`` or a path to a list file.

    Args:
        root: KAIST root folder.
        split: e.g. ``"test-all-20"`` (read from ``<root>/imageSets/test-all-20.txt``) or a path to any list
            file (its name is the file's stem).

    Returns:
        ``(name, frame_ids)``.

    Raises:
        FileNotFoundError: neither a list of ``<root>/imageSets`` nor an existing file (the message lists the
            available names).
        ValueError: the list is malformed or empty.
    """
    named = Path(root) / "imageSets" / f"{split}.txt"
    path = named if named.is_file() else Path(split)
    if not path.is_file():
        names = available_lists(root)
        raise FileNotFoundError(
            f"no list {str(split)!r}: not in {Path(root) / 'imageSets'} (available: "
            f"{', '.join(names) if names else 'none'}) and not a file")
    frame_ids = read_image_list(path)
    if not frame_ids:
        raise ValueError(f"list {path} holds no frame ids")
    return path.stem, frame_ids


def pair_paths(root: str | Path, frame_id: str) -> tuple[Path, Path]:
    """The visible and the thermal image of a frame: ``<root>/images/setXX/VYYY/{visible,lwir}/IZZZZZ.jpg``."""
    set_id, video, image = split_frame_id(frame_id)
    folder = Path(root) / "images" / set_id / video
    return folder / "visible" / f"{image}.jpg", folder / "lwir" / f"{image}.jpg"


@dataclass(frozen=True)
class KaistFrame:
    """One frame of KAIST with the paths of its two bands and of its annotation.

    Attributes:
        frame_id: ``setXX/VYYY/IZZZZZ``.
        set_id, video, image: the three parts of ``frame_id`` (``"set06"``, ``"V000"``, ``"I00019"``).
        visible_path, lwir_path: the colour and the thermal image.
        annotation_path: the annotation file, or None where it is missing.
        period: ``"day"`` or ``"night"``.
    """

    frame_id: str
    set_id: str
    video: str
    image: str
    visible_path: Path
    lwir_path: Path
    annotation_path: Path | None
    period: str

    @property
    def relative_path(self) -> str:
        """``setXX/VYYY/IZZZZZ.jpg``: the frame's file in a fused folder and its COCO ``file_name``."""
        return f"{self.frame_id}.jpg"


@dataclass(frozen=True)
class FrameProblem:
    """A file a frame needs that is not there.

    Attributes:
        frame_id: ``setXX/VYYY/IZZZZZ``.
        kind: ``"missing_visible"``, ``"missing_lwir"`` or ``"missing_annotation"``.
        path: the missing file (for an annotation: where the xml was expected).
    """

    frame_id: str
    kind: str
    path: Path


def _list_folder(folder: Path) -> frozenset[str]:
    """Names in a folder (one ``os.scandir``); empty if the folder does not exist."""
    try:
        with os.scandir(folder) as entries:
            return frozenset(entry.name for entry in entries)
    except (FileNotFoundError, NotADirectoryError):
        return frozenset()


class _AnnotationFinder:
    """Annotation files of an xml tree or a flat bbGt folder; every folder is listed once, on first use."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._videos: dict[tuple[str, str], tuple[Path, frozenset[str]]] = {}
        self._flat: frozenset[str] | None = None

    def find(self, set_id: str, video: str, image: str) -> Path | None:
        """``<dir>/setXX/VYYY/IZZZZZ.{xml,txt}``, else ``<dir>/setXX_VYYY_IZZZZZ.{xml,txt}``, else None."""
        if (set_id, video) not in self._videos:
            video_dir = self.folder / set_id / video
            self._videos[(set_id, video)] = video_dir, _list_folder(video_dir)
        video_dir, names = self._videos[(set_id, video)]
        for extension in ANNOTATION_EXTENSIONS:
            if image + extension in names:
                return video_dir / (image + extension)
        if self._flat is None:
            self._flat = _list_folder(self.folder)
        for extension in ANNOTATION_EXTENSIONS:
            name = f"{set_id}_{video}_{image}{extension}"
            if name in self._flat:
                return self.folder / name
        return None


def find_annotations(annotation_dir: str | Path, frame_ids: Iterable[str]) -> dict[str, Path]:
    """Annotation files of frames in a folder laid out as KAIST's xml tree or as a flat bbGt folder.

    A frame's file is ``<dir>/setXX/VYYY/IZZZZZ.xml`` (or ``.txt``), else ``<dir>/setXX_VYYY_IZZZZZ.txt``
    (or ``.xml``). Each folder is listed once, so 95k frames take well under a second.

    Returns:
        ``{frame_id: path}`` for the frames that have a file (frames without one are absent).
    """
    finder = _AnnotationFinder(Path(annotation_dir))
    found = {}
    for frame_id in frame_ids:
        path = finder.find(*split_frame_id(frame_id))
        if path is not None:
            found[frame_id] = path
    return found


def index_frames(root: str | Path, frame_ids: Iterable[str], annotation_dir: str | Path | None = "annotations-xml-new",
                 ) -> tuple[list[KaistFrame], list[FrameProblem]]:
    """Locate the images and annotations of frames, reporting what is missing.

    Every video folder is listed once (``os.scandir``), so indexing all 95k frames needs no per-file stat
    (95k frames: about 1.5 s here).

    Args:
        root: KAIST root folder (``images/`` below it).
        frame_ids: frame ids ``setXX/VYYY/IZZZZZ`` (e.g. from :func:`resolve_split`).
        annotation_dir: folder of the annotations, relative to ``root`` or absolute, laid out as in
            :func:`find_annotations`; None to skip annotations (``annotation_path`` None, no problem reported).

    Returns:
        ``(frames, problems)``: ``frames`` in input order (repeats kept) holds every frame whose two images
        exist, with ``annotation_path`` None where the annotation is missing; ``problems`` lists each missing
        file (``missing_visible``, ``missing_lwir``, ``missing_annotation``), in input order. A frame that
        lacks an image is not in ``frames``.

    Raises:
        ValueError: a frame id is malformed or names an unknown set.
    """
    root = Path(root)
    finder = None if annotation_dir is None else _AnnotationFinder(root / annotation_dir)
    videos: dict[tuple[str, str], tuple[tuple[str, Path, frozenset[str]], ...]] = {}
    frames, problems = [], []
    for frame_id in frame_ids:
        set_id, video, image = split_frame_id(frame_id)
        period = period_of(set_id)
        if (set_id, video) not in videos:
            video_dir = root / "images" / set_id / video
            videos[(set_id, video)] = tuple((band, video_dir / band, _list_folder(video_dir / band)) for band in BANDS)
        name = f"{image}.jpg"
        bands = videos[(set_id, video)]
        visible, lwir = (folder / name for _, folder, _ in bands)
        missing = [FrameProblem(frame_id, f"missing_{band}", path)
                   for (band, _, names), path in zip(bands, (visible, lwir)) if name not in names]
        annotation = None if finder is None else finder.find(set_id, video, image)
        if finder is not None and annotation is None:
            expected = finder.folder / set_id / video / f"{image}.xml"
            missing.append(FrameProblem(frame_id, "missing_annotation", expected))
        problems.extend(missing)
        if all(problem.kind == "missing_annotation" for problem in missing):
            frames.append(KaistFrame(frame_id, set_id, video, image, visible, lwir, annotation, period))
    return frames, problems
