"""A gallery PNG: one row per pair (infrared | visible | each method's fused image), labelled columns."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import cv2
import numpy as np

from ..datasets.paired import PairRecord
from ..utils.files import atomic_imwrite
from ..utils.images import read_uint8_image
from .sets import fused_file_name

ROW_HEIGHT = 192
HEADER_HEIGHT = 28
GAP = 4


def _tile(image: np.ndarray, height: int) -> np.ndarray:
    """``image`` as BGR resized to ``height`` rows, keeping its aspect ratio."""
    if image.ndim == 2:
        image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    width = max(1, round(image.shape[1] * height / image.shape[0]))
    return cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA)


def _label(text: str, width: int) -> np.ndarray:
    strip = np.full((HEADER_HEIGHT, width, 3), 255, np.uint8)
    cv2.putText(strip, text, (4, HEADER_HEIGHT - 9), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (0, 0, 0), 1, cv2.LINE_AA)
    return strip


def write_gallery(pairs: Sequence[tuple[str, PairRecord]], folders: Mapping[str, Path], path: str | Path,
                  row_height: int = ROW_HEIGHT) -> Path:
    """Write the gallery of ``pairs`` (``(row label, pair)``) fused by each method of ``folders``.

    Args:
        pairs: rows, e.g. ``[("day", record), ("night", record)]``.
        folders: ``{method: folder of fused images}`` named by :func:`fused_file_name`, in column order.
        path: PNG to write.
        row_height: height of each tile in pixels.

    Raises:
        FileNotFoundError: a source or fused image is missing.
    """
    rows = [(label, pair, {name: Path(folder) / fused_file_name(pair) for name, folder in folders.items()})
            for label, pair in pairs]
    return write_image_gallery(rows, path, row_height)


def write_image_gallery(rows: Sequence[tuple[str, PairRecord, Mapping[str, Path]]], path: str | Path,
                        row_height: int = ROW_HEIGHT) -> Path:
    """Write a gallery whose rows name their fused images: ``(row label, pair, {column: image file})``.

    Each row shows infrared | visible | its columns in order (rows may have different columns).

    Raises:
        FileNotFoundError: a source or fused image is missing.
    """
    drawn = []
    for label, pair, fused in rows:
        columns = ["infrared", "visible", *fused]
        images = [read_uint8_image(pair.ir), read_uint8_image(pair.vis)]
        images += [read_uint8_image(file) for file in fused.values()]
        tiles = [_tile(image, row_height) for image in images]
        gap = np.full((row_height + HEADER_HEIGHT, GAP, 3), 255, np.uint8)
        cells = []
        for index, (name, tile) in enumerate(zip(columns, tiles)):
            caption = f"{label}: {pair.name}" if index == 0 else name
            cells += [np.vstack([_label(caption, tile.shape[1]), tile]), gap]
        drawn.append(np.hstack(cells[:-1]))
    width = max(row.shape[1] for row in drawn)
    padded = [np.pad(row, ((0, GAP), (0, width - row.shape[1]), (0, 0)), constant_values=255) for row in drawn]
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_imwrite(path, np.vstack(padded))
    return path
