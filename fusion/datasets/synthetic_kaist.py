"""A small synthetic dataset in the KAIST layout: the built-in default of the demo and of tests.

Colour/thermal pairs with people-like warm figures, day and night, written exactly as KAIST is laid out::

    <root>/images/setXX/VYYY/{visible,lwir}/IZZZZZ.jpg
    <root>/annotations-xml-new/setXX/VYYY/IZZZZZ.xml
    <root>/imageSets/{synthetic-train,synthetic-test,synthetic-all}.txt

Sets follow KAIST's day/night convention: set00 (train, day), set03 (train, night), set06 (test, day),
set09 (test, night). Each frame holds 1-4 ``person`` figures (some partly occluded) and, in about one frame
in four, a ``people`` group that the evaluation treats as an ignore region. Generation is deterministic for
a given seed.

``disagreeing_bands=True`` makes the bands disagree as they do in the real world, so that a detector needs
both: people show little thermal contrast by day and are dark in the visible band by night; hot objects
that are not people appear in the thermal band; people-like shapes appear in one band only (posters in the
visible band, warm reflections in the thermal band), none of them annotated.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from .kaist import index_frames, resolve_split

SETS = {"train": {"day": "set00", "night": "set03"}, "test": {"day": "set06", "night": "set09"}}


@dataclass(frozen=True)
class Figure:
    """One annotated object: KAIST label, box ``(x, y, w, h)`` in pixels and occlusion level (0/1/2)."""

    label: str
    box: tuple[int, int, int, int]
    occlusion: int


def _background(rng: np.random.Generator, height: int, width: int, night: bool) -> tuple[np.ndarray, np.ndarray]:
    """A street-like scene: visible BGR (uint8) and thermal grey (float 0..255) backgrounds."""
    rows = np.linspace(0, 1, height, dtype=np.float32)[:, None]
    horizon = int(height * rng.uniform(0.35, 0.5))
    sky = np.array([200, 170, 120] if not night else [40, 25, 20], np.float32)
    ground = np.array([110, 115, 120] if not night else [25, 25, 30], np.float32)
    visible = np.where(rows[..., None] < horizon / height, sky, ground) * (0.85 + 0.3 * rows[..., None])
    visible = np.broadcast_to(visible, (height, width, 3)).copy()
    thermal = np.full((height, width), 70.0 if not night else 50.0, np.float32) + 30 * rows
    for _ in range(rng.integers(3, 7)):  # buildings and parked cars: structure in both bands
        x0, w = int(rng.integers(0, width)), int(rng.integers(width // 12, width // 4))
        top = int(rng.integers(height // 8, horizon + 1))
        colour = rng.uniform(40, 200, 3) * (0.3 if night else 1.0)
        cv2.rectangle(visible, (x0, top), (x0 + w, horizon + height // 10), colour.tolist(), -1)
        cv2.rectangle(thermal, (x0, top), (x0 + w, horizon + height // 10), float(rng.uniform(60, 120)), -1)
    if night:
        for _ in range(rng.integers(2, 5)):  # street lamps: bright in visible, cool in thermal
            centre = (int(rng.integers(0, width)), int(rng.integers(0, horizon)))
            cv2.circle(visible, centre, int(rng.integers(3, 8)), (200, 230, 255), -1)
    visible += rng.normal(0, 6 if not night else 3, visible.shape)
    thermal += rng.normal(0, 2, thermal.shape)
    return visible, thermal


@dataclass(frozen=True)
class Contrast:
    """How strongly a drawn figure stands out in each band: 1 as in the default scene, 0 not at all."""

    visible: float = 1.0
    thermal: float = 1.0


FULL = Contrast()


def _draw_person(visible: np.ndarray, thermal: np.ndarray, box: tuple[int, int, int, int],
                 rng: np.random.Generator, night: bool, contrast: Contrast = FULL) -> None:
    """A head-and-body silhouette: dark clothes in visible, warm (bright) in thermal, each band's difference
    from the background scaled by ``contrast``."""
    if contrast != FULL:
        before_visible, before_thermal = visible.copy(), thermal.copy()
        _draw_person(visible, thermal, box, rng, night)
        visible[:] = before_visible + contrast.visible * (visible - before_visible)
        thermal[:] = before_thermal + contrast.thermal * (thermal - before_thermal)
        return
    x, y, w, h = box
    head_r = max(2, w // 4)
    cx = x + w // 2
    clothes = (rng.uniform(20, 120, 3) * (0.4 if night else 1.0)).tolist()
    skin = [90, 120, 170] if not night else [30, 40, 55]
    cv2.ellipse(visible, (cx, y + h // 2 + head_r), (max(1, w // 2), max(1, (h - 2 * head_r) // 2)), 0, 0, 360,
                clothes, -1)
    cv2.circle(visible, (cx, y + head_r), head_r, skin, -1)
    warmth = float(rng.uniform(170, 230))
    cv2.ellipse(thermal, (cx, y + h // 2 + head_r), (max(1, w // 2), max(1, (h - 2 * head_r) // 2)), 0, 0, 360,
                warmth, -1)
    cv2.circle(thermal, (cx, y + head_r), head_r, warmth + 15, -1)


def _person_contrast(rng: np.random.Generator, night: bool) -> Contrast:
    """Disagreeing bands: little thermal contrast by day, dark (low visible contrast) by night."""
    if night:
        return Contrast(visible=float(rng.uniform(0.1, 0.3)))
    return Contrast(thermal=float(rng.uniform(0.08, 0.2)))


def _draw_distractors(visible: np.ndarray, thermal: np.ndarray, rng: np.random.Generator, night: bool) -> None:
    """Unannotated objects: hot objects that are not people (engines, vents) in the thermal band, and
    people-like shapes in one band only (a poster in the visible band, a warm reflection in the thermal band)."""
    height, width = thermal.shape
    for _ in range(rng.integers(1, 3)):
        w, h = int(rng.uniform(0.08, 0.2) * width), int(rng.uniform(0.03, 0.08) * height)
        x, y = int(rng.integers(0, width - w)), int(rng.uniform(0.45, 0.9) * (height - h))
        cv2.rectangle(thermal, (x, y), (x + w, y + h), float(rng.uniform(170, 230)), -1)
    for band_contrast in (Contrast(thermal=0.0), Contrast(visible=0.0)):
        if rng.random() < 0.6:
            h = int(rng.uniform(0.12, 0.4) * height)
            w = max(4, int(h * rng.uniform(0.35, 0.45)))
            box = (int(rng.integers(0, max(1, width - w))), int(rng.uniform(0.3, 0.5) * height), w, h)
            _draw_person(visible, thermal, box, rng, night, band_contrast)


def _figures(rng: np.random.Generator, height: int, width: int) -> list[Figure]:
    """1-4 persons on the ground plane (height grows towards the camera), sometimes a people group."""
    figures = []
    for _ in range(rng.integers(1, 5)):
        h = int(rng.uniform(0.12, 0.45) * height)
        w = max(4, int(h * rng.uniform(0.35, 0.45)))
        x = int(rng.integers(0, max(1, width - w)))
        y = int(min(height - h - 1, height * 0.45 + h * rng.uniform(-0.2, 0.4)))
        figures.append(Figure("person", (x, max(0, y), w, h), int(rng.choice([0, 0, 0, 1, 2]))))
    if rng.random() < 0.25:
        h = int(rng.uniform(0.1, 0.2) * height)
        w = int(h * rng.uniform(1.2, 2.0))
        x = int(rng.integers(0, max(1, width - w)))
        figures.append(Figure("people", (x, int(height * 0.45), w, h), 0))
    return figures


def _xml(frame: str, width: int, height: int, figures: list[Figure]) -> str:
    """The annotation in KAIST's ``annotations-xml-new`` format."""
    objects = "".join(
        f"  <object>\n    <name>{f.label}</name>\n    <bndbox>\n      <x>{f.box[0]}</x>\n      <y>{f.box[1]}</y>\n"
        f"      <w>{f.box[2]}</w>\n      <h>{f.box[3]}</h>\n    </bndbox>\n    <pose>unknown</pose>\n"
        f"    <truncated>0</truncated>\n    <difficult>0</difficult>\n    <occlusion>{f.occlusion}</occlusion>\n"
        "  </object>\n"
        for f in figures
    )
    return (
        "<annotation>\n  <folder>KAIST Multispectral Ped Benchmark</folder>\n"
        f"  <filename>{frame}</filename>\n  <size>\n    <width>{width}</width>\n    <height>{height}</height>\n"
        f"    <depth>4</depth>\n  </size>\n  <segmented>0</segmented>\n{objects}</annotation>\n"
    )


def make_synthetic_kaist(root: str | Path, pairs_per_set: int = 6, width: int = 640, height: int = 512,
                         seed: int = 0, disagreeing_bands: bool = False) -> list[str]:
    """Write a synthetic KAIST-layout dataset (4 sets: train/test x day/night) and return its frame ids.

    Args:
        root: output folder (created; existing files are overwritten).
        pairs_per_set: frames in each of the four sets.
        width, height: image size (KAIST is 640x512).
        seed: random seed; the same seed gives the same files.
        disagreeing_bands: people, distractors and one-band shapes as in the real world (module docstring).

    Returns:
        Frame ids ``setXX/VYYY/IZZZZZ`` in the order of ``imageSets/synthetic-all.txt``.
    """
    if width < 64 or height < 64:
        raise ValueError(f"synthetic images need at least 64x64 pixels, got {width}x{height}")
    root = Path(root)
    rng = np.random.default_rng(seed)
    lists: dict[str, list[str]] = {"train": [], "test": []}
    for split, sets in SETS.items():
        for period, set_name in sets.items():
            for index in range(pairs_per_set):
                frame = f"{set_name}/V000/I{index * 20:05d}"
                night = period == "night"
                visible, thermal = _background(rng, height, width, night)
                figures = _figures(rng, height, width)
                if disagreeing_bands:
                    _draw_distractors(visible, thermal, rng, night)
                for figure in sorted(figures, key=lambda f: f.box[1] + f.box[3]):  # far ones first
                    if figure.label == "person":
                        contrast = _person_contrast(rng, night) if disagreeing_bands else FULL
                        _draw_person(visible, thermal, figure.box, rng, night, contrast)
                    else:
                        x, y, w, h = figure.box
                        for k in range(3):
                            _draw_person(visible, thermal, (x + k * w // 3, y, w // 3, h), rng, night)
                thermal = cv2.GaussianBlur(thermal, (5, 5), 1.5)
                image_dir = root / "images" / set_name / "V000"
                for band, image in (("visible", visible), ("lwir", cv2.cvtColor(thermal, cv2.COLOR_GRAY2BGR))):
                    (image_dir / band).mkdir(parents=True, exist_ok=True)
                    cv2.imwrite(str(image_dir / band / f"{frame[-6:]}.jpg"), np.clip(image, 0, 255).astype(np.uint8),
                                [cv2.IMWRITE_JPEG_QUALITY, 95])
                xml_path = root / "annotations-xml-new" / f"{frame}.xml"
                xml_path.parent.mkdir(parents=True, exist_ok=True)
                xml_path.write_text(_xml(frame, width, height, figures))
                lists[split].append(frame)
    (root / "imageSets").mkdir(parents=True, exist_ok=True)
    for name, frames in (("synthetic-train", lists["train"]), ("synthetic-test", lists["test"]),
                         ("synthetic-all", lists["train"] + lists["test"])):
        (root / "imageSets" / f"{name}.txt").write_text("".join(f"{f}\n" for f in frames))
    return lists["train"] + lists["test"]


def repeat_kaist_frames(root: str | Path, split: str, repeat: int, target: str | Path) -> int:
    """A KAIST tree of symbolic links: each frame of ``split`` with both bands, ``repeat`` times, as list ``bench``.

    Copy ``k`` of frame ``setXX/VYYY/IZZZZZ`` is ``setXX/V<100 + k>/IZZZZZ`` under ``target`` (its annotation
    linked too when there is one), so that a long benchmark needs no more distinct images.

    Returns:
        The number of frames of the new list.
    """
    root, target = Path(root), Path(target)
    frames, _ = index_frames(root, resolve_split(root, split)[1])
    frame_ids = []
    for frame in frames:
        for copy in range(repeat):
            video = f"V{100 + copy:03d}"
            for band, path in (("visible", frame.visible_path), ("lwir", frame.lwir_path)):
                _link(target / "images" / frame.set_id / video / band / path.name, path)
            if frame.annotation_path is not None:
                _link(target / "annotations-xml-new" / frame.set_id / video / frame.annotation_path.name,
                      frame.annotation_path)
            frame_ids.append(f"{frame.set_id}/{video}/{frame.image}")
    (target / "imageSets").mkdir(parents=True, exist_ok=True)
    (target / "imageSets" / "bench.txt").write_text("".join(f"{f}\n" for f in sorted(frame_ids)))
    return len(frame_ids)


def _link(link: Path, source: Path) -> None:
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(source.resolve())
