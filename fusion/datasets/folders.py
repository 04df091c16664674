"""Image folders indexed by file name stem, the pairing rule of every paired fusion set.

``<set>/ir/1.png`` pairs with ``<set>/vi/1.bmp`` and with ``<method>/1.jpg``: stems match, extensions may differ.
"""
from __future__ import annotations

import re
from pathlib import Path

IMAGE_EXTENSIONS = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff"})


def index_folder(folder: str | Path) -> dict[str, Path]:
    """Image files of a folder by name stem (extensions in :data:`IMAGE_EXTENSIONS`, any case).

    Raises:
        FileNotFoundError: the folder does not exist.
        ValueError: two files share a stem (e.g. ``1.png`` and ``1.jpg``), so pairing would be ambiguous.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"image folder not found: {folder}")
    files: dict[str, Path] = {}
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() not in IMAGE_EXTENSIONS or not path.is_file():
            continue
        if path.stem in files:
            raise ValueError(f"ambiguous pairing in {folder}: {files[path.stem].name} and {path.name} share a stem")
        files[path.stem] = path
    return files


def natural_key(stem: str) -> tuple:
    """Sort key that puts ``2`` before ``10``."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part)
                 for part in re.split(r"(\d+)", stem) if part)
