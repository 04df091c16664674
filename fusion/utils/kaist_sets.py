"""KAIST's sets and the ids of their frames: the dataset knowledge both ``fusion`` and ``detection`` use.

KAIST Multispectral Pedestrian (Hwang et al., CVPR 2015) names a frame ``setXX/VYYY/IZZZZZ`` (set, video,
image). Sets 00-05 are the training sets and 06-11 the test sets; 00-02 and 06-08 are day, 03-05 and 09-11
night. Standard library only: the ``detection`` half imports it without pulling in the rest of ``fusion``.
"""
from __future__ import annotations

import os
import re

DAY_SETS = ("set00", "set01", "set02", "set06", "set07", "set08")
NIGHT_SETS = ("set03", "set04", "set05", "set09", "set10", "set11")
TRAIN_SETS = ("set00", "set01", "set02", "set03", "set04", "set05")
TEST_SETS = ("set06", "set07", "set08", "set09", "set10", "set11")

_FRAME_ID = re.compile(r"(set\d{2})/(V\d{3})/(I\d{5})")
# setXX/VYYY/IZZZZZ inside a path; separators '/', '\\', '_' or '-', and at most one folder between the
# video and the frame (the original layout's visible/ or lwir/).
_FRAME_IN_PATH = re.compile(r"(?<![A-Za-z0-9])(set\d{2})[\\/_-](V\d{3})[\\/_-](?:[^\\/]+[\\/])?(I\d{5})")


def period_of(name: str) -> str:
    """``"day"`` or ``"night"`` of a KAIST set id (``"set06"``) or frame id (``"set06/V000/I00019"``), by its set.

    Raises:
        ValueError: the set is not one of set00-set11.
    """
    set_id = name.split("/", 1)[0]
    if set_id in DAY_SETS:
        return "day"
    if set_id in NIGHT_SETS:
        return "night"
    raise ValueError(f"unknown KAIST set {set_id!r} (expected set00 ... set11)")


def split_frame_id(frame_id: str) -> tuple[str, str, str]:
    """``"set06/V000/I00019"`` -> ``("set06", "V000", "I00019")``.

    Raises:
        ValueError: not a frame id.
    """
    match = _FRAME_ID.fullmatch(frame_id)
    if match is None:
        raise ValueError(f"not a KAIST frame id (setXX/VYYY/IZZZZZ): {frame_id!r}")
    return match.group(1), match.group(2), match.group(3)


def frame_key(path: str | os.PathLike[str]) -> str | None:
    """The frame id ``setXX/VYYY/IZZZZZ`` of a KAIST frame named anywhere in ``path``, or ``None``.

    Accepts ``set06/V000/I00019``, ``set06/V000/I00019.jpg``, ``.../set06/V000/lwir/I00019.jpg`` and
    ``set06_V000_I00019.png``; the last match in the path wins.
    """
    matches = _FRAME_IN_PATH.findall(os.fspath(path))
    return "/".join(matches[-1]) if matches else None
