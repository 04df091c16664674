"""KAIST Multispectral Pedestrian: frame lists, the image/annotation index and the annotation readers.

KAIST (Hwang et al., CVPR 2015, https://soonminhwang.github.io/rgbt-ped-detection/) is laid out as::

    <root>/images/setXX/VYYY/{visible,lwir}/IZZZZZ.jpg      640x512, colour and thermal, pixel-aligned
    <root>/annotations-xml-new/setXX/VYYY/IZZZZZ.xml         one xml per frame (``<object><name>``, ``<bndbox>``)
    <root>/imageSets/<list>.txt                              frame ids ``setXX/VYYY/IZZZZZ``, one a line

Sets 00-05 are the training sets and 06-11 the test sets; 00-02 and 06-08 are day, 03-05 and 09-11 night.
Annotations also come as per-frame bbGt version 3 text (the improved test annotations of Liu et al., BMVC
2016, ``setXX_VYYY_IZZZZZ.txt`` in one flat folder) and as the tarball of the whole xml tree, which
:func:`iter_tar_annotations` reads without unpacking it.
"""
from __future__ import annotations

import math
import os
import re
import tarfile
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

DAY_SETS = ("set00", "set01", "set02", "set06", "set07", "set08")
NIGHT_SETS = ("set03", "set04", "set05", "set09", "set10", "set11")
TRAIN_SETS = ("set00", "set01", "set02", "set03", "set04", "set05")
TEST_SETS = ("set06", "set07", "set08", "set09", "set10", "set11")
IMAGE_SIZE = (640, 512)
"""Width and height of every KAIST image."""
LABELS = ("person", "people", "cyclist", "person?")
"""The labels KAIST annotates; only ``person`` is a detection target, the others are ignore regions."""
ANNOTATION_EXTENSIONS = (".xml", ".txt")
BANDS = ("visible", "lwir")
"""Band folders of a video: ``images/setXX/VYYY/<band>/IZZZZZ.jpg``."""

_FRAME_ID = re.compile(r"(set\d{2})/(V\d{3})/(I\d{5})")
_LIST_LINE = re.compile(r"(set\d{2}/V\d{3}/I\d{5})(?:\.[A-Za-z0-9]+)?")
_ANNOTATION_MEMBER = re.compile(r"(?:^|/)(set\d{2})[/_](V\d{3})[/_](I\d{5})\.(xml|txt)$")
_BBGT_HEADER = re.compile(r"%\s*bbGt\s+version\s*=\s*3\s*")
_BBGT_FIELDS = 12  # label x y w h occ xv yv wv hv ign ang


def period_of(set_id: str) -> str:
    """``"day"`` or ``"night"`` for a KAIST set id such as ``"set06"``.

    Raises:
        ValueError: ``set_id`` is not one of set00-set11.
    """
    if set_id in DAY_SETS:
        return "day"
    if set_id in NIGHT_SETS:
        return "night"
    raise ValueError(f"unknown KAIST set {set_id!r} (expected set00 ... set11)")


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


def split_frame_id(frame_id: str) -> tuple[str, str, str]:
    """``"set06/V000/I00019"`` -> ``("set06", "V000", "I00019")``.

    Raises:
        ValueError: not a frame id.
    """
    match = _FRAME_ID.fullmatch(frame_id)
    if match is None:
        raise ValueError(f"not a KAIST frame id (setXX/VYYY/IZZZZZ): {frame_id!r}")
    return match.group(1), match.group(2), match.group(3)


def find_frame_id(path: str | Path) -> str | None:
    """The frame id ``setXX/VYYY/IZZZZZ`` named in a path (``.../set06/V000/I00019.jpg``), or None."""
    matches = _FRAME_ID.findall(Path(path).as_posix())
    return "/".join(matches[-1]) if matches else None


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


@dataclass(frozen=True)
class KaistObject:
    """One annotated object of a frame.

    Attributes:
        label: KAIST label (``person``, ``people``, ``cyclist``, ``person?``; others are kept as read).
        box: ``(x, y, w, h)`` in pixels: top-left corner and size, as KAIST writes it (not clipped).
        occlusion: 0 none, 1 partial, 2 heavy.
    """

    label: str
    box: tuple[float, float, float, float]
    occlusion: int


def _number(text: str | None, what: str, source: str) -> float:
    try:
        value = float(text)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"{source}: {what} is not a number: {text!r}") from None
    if not math.isfinite(value):
        raise ValueError(f"{source}: {what} is not finite: {text!r}")
    return value


def _occlusion(text: str | None, source: str) -> int:
    if text is None or text.strip() not in ("0", "1", "2"):
        raise ValueError(f"{source}: occlusion must be 0, 1 or 2, got {text!r}")
    return int(text)


def parse_xml_annotation(data: str | bytes, source: str = "<xml>") -> list[KaistObject]:
    """Objects of an annotation in the ``annotations-xml-new`` format (see the module docstring).

    Args:
        data: the xml text.
        source: name used in error messages (file or tar member).

    Raises:
        ValueError: not well-formed xml, no ``<annotation>`` root, or an object without a name, a box
            coordinate or a valid occlusion (an absent ``<occlusion>`` reads as 0).
    """
    try:
        root = ET.fromstring(data)
    except ET.ParseError as error:
        raise ValueError(f"{source}: malformed xml ({error})") from None
    if root.tag != "annotation":
        raise ValueError(f"{source}: root element is <{root.tag}>, expected <annotation>")
    objects = []
    for number, element in enumerate(root.iter("object"), start=1):
        where = f"{source}: object {number}"
        label = (element.findtext("name") or "").strip()
        box = element.find("bndbox")
        if not label or box is None:
            raise ValueError(f"{where} lacks <name> or <bndbox>")
        x, y, w, h = (_number(box.findtext(key), f"<{key}>", where) for key in ("x", "y", "w", "h"))
        occlusion = element.findtext("occlusion")
        objects.append(KaistObject(label, (x, y, w, h), 0 if occlusion is None else _occlusion(occlusion, where)))
    return objects


def parse_bbgt_annotation(text: str, source: str = "<bbGt>") -> list[KaistObject]:
    """Objects of a bbGt version 3 text annotation (Piotr Dollar's toolbox, used by the KAIST kits).

    Format: a first line ``% bbGt version=3``, then one object a line,
    ``label x y w h occ xv yv wv hv ign ang``; only ``label x y w h occ`` are kept.

    Raises:
        ValueError: missing header, a line without 12 fields, or a field that is not a number.
    """
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or _BBGT_HEADER.fullmatch(lines[0].strip()) is None:
        raise ValueError(f"{source}: first line must be '% bbGt version=3', got {lines[0] if lines else ''!r}")
    objects = []
    for number, line in enumerate(lines[1:], start=2):
        fields = line.split()
        if not fields:
            continue
        where = f"{source}:{number}"
        if len(fields) != _BBGT_FIELDS:
            raise ValueError(f"{where}: expected {_BBGT_FIELDS} fields "
                             f"(label x y w h occ xv yv wv hv ign ang), got {len(fields)}")
        x, y, w, h = (_number(v, name, where) for v, name in zip(fields[1:5], "xywh"))
        for value, name in zip(fields[6:], ("xv", "yv", "wv", "hv", "ign", "ang")):
            _number(value, name, where)
        objects.append(KaistObject(fields[0], (x, y, w, h), _occlusion(fields[5], where)))
    return objects


def read_annotation(path: str | Path) -> list[KaistObject]:
    """Objects of one annotation file: ``.xml`` (annotations-xml-new) or ``.txt`` (bbGt version 3).

    Raises:
        ValueError: another extension, or malformed content (the message names the file).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".xml":
        return parse_xml_annotation(path.read_bytes(), str(path))
    if suffix == ".txt":
        return parse_bbgt_annotation(path.read_text(encoding="utf-8"), str(path))
    raise ValueError(f"{path}: unknown annotation format (expected .xml or .txt)")


def iter_tar_annotations(tar_path: str | Path, frame_ids: Iterable[str] | None = None,
                         ) -> Iterator[tuple[str, list[KaistObject]]]:
    """Stream the annotations of a tarball (e.g. ``annotations-xml-new-full.tar.gz``) without unpacking it.

    Members named ``.../setXX/VYYY/IZZZZZ.{xml,txt}`` (or ``setXX_VYYY_IZZZZZ.{xml,txt}``) are parsed; other
    members (folders, the stray Windows shortcut of the official tarball) are skipped. Any compression that
    ``tarfile`` knows is accepted.

    Args:
        tar_path: the tarball.
        frame_ids: parse only these frames (the others are skipped unparsed); None for all.

    Yields:
        ``(frame_id, objects)`` in the tarball's member order.

    Raises:
        ValueError: a malformed annotation (the message names the tarball and the member).
    """
    wanted = None if frame_ids is None else set(frame_ids)
    with tarfile.open(tar_path, mode="r|*") as archive:
        for member in archive:
            match = _ANNOTATION_MEMBER.search(member.name)
            if match is None or not member.isfile():
                continue
            frame_id = "/".join(match.group(1, 2, 3))
            if wanted is not None and frame_id not in wanted:
                continue
            source = f"{tar_path}:{member.name}"
            data = archive.extractfile(member).read()
            if match.group(4) == "xml":
                yield frame_id, parse_xml_annotation(data, source)
            else:
                yield frame_id, parse_bbgt_annotation(data.decode("utf-8"), source)


def load_annotations(source: str | Path, frame_ids: Iterable[str],
                     progress: Callable[[Iterable], Iterable] | None = None) -> dict[str, list[KaistObject]]:
    """Objects of many frames from an annotation folder or tarball.

    Args:
        source: a folder laid out as in :func:`find_annotations`, or a tarball (any file that is not a folder)
            read by :func:`iter_tar_annotations`.
        frame_ids: the frames wanted.
        progress: optional wrapper of the iterable being read (e.g. ``tqdm``) to show progress.

    Returns:
        ``{frame_id: objects}`` for the frames that have an annotation (frames without one are absent).

    Raises:
        FileNotFoundError: ``source`` does not exist.
        ValueError: a malformed annotation, or a tarball holding two annotations of one frame.
    """
    source = Path(source)
    frame_ids = list(frame_ids)
    wrap = progress or (lambda items: items)
    if source.is_dir():
        paths = find_annotations(source, frame_ids)
        return {frame_id: read_annotation(path) for frame_id, path in wrap(paths.items())}
    if not source.is_file():
        raise FileNotFoundError(f"annotations not found: {source} (expected a folder or a tarball)")
    found: dict[str, list[KaistObject]] = {}
    for frame_id, objects in wrap(iter_tar_annotations(source, frame_ids)):
        if frame_id in found:
            raise ValueError(f"{source}: two annotations of frame {frame_id}")
        found[frame_id] = objects
    return found

