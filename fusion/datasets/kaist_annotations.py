"""KAIST annotation readers: the ``annotations-xml-new`` xml, bbGt version 3 text and the tarball of the xml tree.

Every frame has one annotation: ``<root>/annotations-xml-new/setXX/VYYY/IZZZZZ.xml``
(``<object><name>``, ``<bndbox>``, ``<occlusion>``). Annotations also come as per-frame bbGt version 3 text
(the improved test annotations of Liu et al., BMVC 2016, ``setXX_VYYY_IZZZZZ.txt`` in one flat folder) and as
the tarball of the whole xml tree, which :func:`iter_tar_annotations` reads without unpacking it. Annotation
files are found by :func:`fusion.datasets.kaist.find_annotations`.
"""
from __future__ import annotations

import math
import re
import tarfile
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .kaist import find_annotations

LABELS = ("person", "people", "cyclist", "person?")
"""The labels KAIST annotates; only ``person`` is a detection target, the others are ignore regions."""

_ANNOTATION_MEMBER = re.compile(r"(?:^|/)(set\d{2})[/_](V\d{3})[/_](I\d{5})\.(xml|txt)$")
_BBGT_HEADER = re.compile(r"%\s*bbGt\s+version\s*=\s*3\s*")
_BBGT_FIELDS = 12  # label x y w h occ xv yv wv hv ign ang


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

