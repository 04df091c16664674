"""The synthetic KAIST: deterministic, and with ``disagreeing_bands`` the bands disagree as in the real world (people
faint in thermal by day and dark in visible by night, unannotated hot objects and one-band people-like shapes),
while the default scene stays the one every other test and the demo were written against."""
from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET
from pathlib import Path

import cv2
import numpy as np
import pytest

from fusion.datasets.synthetic_kaist import SETS, make_synthetic_kaist
from fusion.utils.kaist_sets import period_of


def digest(root: Path) -> str:
    files = sorted(p for p in root.rglob("*") if p.is_file())
    return hashlib.sha256(b"".join(p.relative_to(root).as_posix().encode() + p.read_bytes() for p in files)).hexdigest()


def read_band(root: Path, xml: Path, band: str) -> np.ndarray:
    """The greyscale image of ``band`` of the frame annotated in ``xml``."""
    frame = xml.relative_to(root / "annotations-xml-new").with_suffix("")
    return cv2.imread(str(root / "images" / frame.parent / band / f"{frame.name}.jpg"), cv2.IMREAD_GRAYSCALE)


def person_contrast(root: Path, set_name: str) -> tuple[float, float]:
    """Median over annotated, unoccluded persons of |inside - ring around| in the visible (grey) and thermal band."""
    visible_diffs, thermal_diffs = [], []
    for xml in sorted((root / "annotations-xml-new" / set_name).rglob("*.xml")):
        visible, thermal = (read_band(root, xml, band) for band in ("visible", "lwir"))
        for obj in ET.parse(xml).getroot().iter("object"):
            if obj.findtext("name") != "person" or obj.findtext("occlusion") != "0":
                continue
            x, y, w, h = (int(obj.find("bndbox").findtext(k)) for k in "xywh")
            centre = (slice(y + h // 3, y + 2 * h // 3), slice(x + w // 3, x + 2 * w // 3))
            left = (slice(y + h // 3, y + 2 * h // 3), slice(max(0, x - w // 2), max(1, x - 2)))
            for band, diffs in ((visible, visible_diffs), (thermal, thermal_diffs)):
                if band[left].size:
                    diffs.append(abs(float(band[centre].mean()) - float(band[left].mean())))
    return float(np.median(visible_diffs)), float(np.median(thermal_diffs))


@pytest.fixture(scope="module")
def scenes(tmp_path_factory) -> dict[str, Path]:
    roots = {}
    for name, disagreeing in (("default", False), ("disagreeing", True)):
        roots[name] = tmp_path_factory.mktemp(name)
        make_synthetic_kaist(roots[name], pairs_per_set=8, width=160, height=128, disagreeing_bands=disagreeing)
    return roots


def test_generation_is_deterministic(scenes, tmp_path):
    make_synthetic_kaist(tmp_path, pairs_per_set=8, width=160, height=128, disagreeing_bands=True)
    assert digest(tmp_path) == digest(scenes["disagreeing"])


def test_disagreeing_bands_make_people_faint_in_one_band(scenes):
    day_default, day = person_contrast(scenes["default"], "set00"), person_contrast(scenes["disagreeing"], "set00")
    night_default, night = person_contrast(scenes["default"], "set03"), person_contrast(scenes["disagreeing"], "set03")
    assert day[1] < 0.35 * day_default[1] and day[0] > 0.5 * day_default[0]  # by day: faint in thermal only
    assert night[0] < 0.5 * night_default[0] and night[1] > 0.7 * night_default[1]  # by night: dark in visible only


def hot_pixels_outside_boxes(root: Path) -> int:
    """Thermal pixels above 160 that no annotated box (person or people) covers, over the whole dataset."""
    count = 0
    for xml in (root / "annotations-xml-new").rglob("*.xml"):
        hot = read_band(root, xml, "lwir") > 160
        for obj in ET.parse(xml).getroot().iter("object"):
            x, y, w, h = (int(obj.find("bndbox").findtext(k)) for k in "xywh")
            hot[max(0, y - 3):y + h + 3, max(0, x - 3):x + w + 3] = False
        count += int(hot.sum())
    return count


def test_hot_distractors_are_drawn_but_not_annotated(scenes):
    """In the default scene every warm pixel belongs to an annotated figure; with disagreeing bands hot objects and
    warm people-like reflections lie outside every box."""
    assert hot_pixels_outside_boxes(scenes["default"]) < 50
    assert hot_pixels_outside_boxes(scenes["disagreeing"]) > 2000


def test_synthetic_kaist_uses_sets_of_its_period():
    for periods in SETS.values():
        for period, set_id in periods.items():
            assert period_of(set_id) == period
