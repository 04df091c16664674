"""Stand-in data: tiny fusion pairs for a dry run, and the synthetic KAIST with its frames repeated."""
from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from fusion.datasets.synthetic_kaist import make_synthetic_kaist, repeat_kaist_frames
from fusion.utils.files import json_bytes

from .phase_data import named_pairs, whole_sets


def tiny_fusion_data(root: Path, size: int = 64, pairs_per_set: int = 2) -> dict[str, Any]:
    """A stand-in of the fusion data for a dry run: every pair the fusion configs name, as tiny images.

    Writes ``root/fusion/<set>/{ir,vi}/<stem>.png`` (``size`` x ``size``, random structure, a distinct picture
    each so that stage 1's exclusion by content keeps the others), ``pairs_per_set`` pairs of each set the
    configs read whole, one KAIST-layout pair under ``root/kaist/images`` and ``root/device_data.json``.
    """
    names = sorted(named_pairs()) + [f"{s}/{i:05d}" for s in whole_sets() for i in range(pairs_per_set)]
    rng = np.random.default_rng(0)
    smooth = cv2.resize(rng.uniform(0, 255, (8, 8)).astype(np.float32), (size, size))

    def picture() -> np.ndarray:
        return np.clip(smooth * rng.uniform(0.3, 1.0) + rng.normal(0, 25, (size, size)), 0, 255).astype(np.uint8)

    for name in names:
        set_name, stem = name.split("/")
        for band in ("ir", "vi"):
            folder = root / "fusion" / set_name / band
            folder.mkdir(parents=True, exist_ok=True)
            cv2.imwrite(str(folder / f"{stem}.png"), picture())
    for band in ("visible", "lwir"):
        folder = root / "kaist" / "images" / "set00" / "V000" / band
        folder.mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(folder / "I00000.jpg"), picture())
    manifest = {"source": "tiny-fusion-data (dry run)", "size": size, "pairs": len(names)}
    (root / "device_data.json").write_bytes(json_bytes(manifest))
    return manifest


def synthetic_kaist(root: Path, pairs_per_set: int, size: tuple[int, int], repeat: int) -> dict[str, Any]:
    """The project's synthetic KAIST, its frames repeated through symbolic links: list ``bench`` of ``root/kaist``.

    ``root/source`` holds ``4 x pairs_per_set`` distinct frames (:func:`make_synthetic_kaist`); ``root/kaist``
    repeats each ``repeat`` times (:func:`~fusion.datasets.synthetic_kaist.repeat_kaist_frames`), so that a long run
    does not need as many distinct images. Kept when ``root/stamp.json`` says it was made the same way.
    """
    stamp = {"pairs_per_set": pairs_per_set, "size": list(size), "repeat": repeat}
    stamp_path = root / "stamp.json"
    if stamp_path.is_file() and json.loads(stamp_path.read_text()) == stamp:
        return {**stamp, "frames": 4 * pairs_per_set * repeat, "reused": True}
    if root.exists():
        shutil.rmtree(root)
    make_synthetic_kaist(root / "source", pairs_per_set=pairs_per_set, width=size[0], height=size[1])
    frames = repeat_kaist_frames(root / "source", "synthetic-all", repeat, root / "kaist")
    stamp_path.write_bytes(json_bytes(stamp))
    return {**stamp, "frames": frames, "reused": False}
