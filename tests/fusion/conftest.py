"""Tiny paired-folder data sets written into ``tmp_path`` for the dataset and training tests."""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest


def scene(shape: tuple[int, int], seed: int) -> np.ndarray:
    """A uint8 image: a smooth random field, a bright rectangle and a little noise."""
    rng = np.random.default_rng(seed)
    small = rng.uniform(30, 200, size=(max(2, shape[0] // 8), max(2, shape[1] // 8))).astype(np.float32)
    field = cv2.resize(small, (shape[1], shape[0]), interpolation=cv2.INTER_CUBIC)
    h, w = shape
    field[h // 4:h // 2, w // 3:2 * w // 3] += 50
    field += rng.normal(scale=3, size=shape).astype(np.float32)
    return np.clip(np.rint(field), 0, 255).astype(np.uint8)


def write_pairs(root: Path, set_name: str, stems: list[str], shape: tuple[int, int] = (40, 48),
                colour: bool = False, seed: int = 0, ext: str = ".png") -> None:
    """Write ``<root>/<set>/{ir,vi}/<stem><ext>``; visible images in colour when ``colour``."""
    for band in ("ir", "vi"):
        (root / set_name / band).mkdir(parents=True, exist_ok=True)
    for offset, stem in enumerate(stems):
        ir = scene(shape, seed + 2 * offset)
        vis = scene(shape, seed + 2 * offset + 1)
        if colour:
            vis = np.stack([vis, np.roll(vis, 3, axis=1), 255 - vis], axis=-1)
        cv2.imwrite(str(root / set_name / "ir" / f"{stem}{ext}"), ir)
        cv2.imwrite(str(root / set_name / "vi" / f"{stem}{ext}"), vis)


@pytest.fixture
def pair_root(tmp_path: Path) -> Path:
    """``tmp_path/pairs`` with set ``a`` (10 grey 40x48 pairs) and set ``b`` (4 colour 56x64 pairs, JPEG-free)."""
    root = tmp_path / "pairs"
    write_pairs(root, "a", [str(i) for i in range(1, 11)], seed=0)
    write_pairs(root, "b", [f"img_{i}" for i in range(4)], shape=(56, 64), colour=True, seed=100, ext=".bmp")
    return root
