"""Paired infrared/visible folders laid out as ``<root>/<set>/ir/<name>`` beside ``<root>/<set>/vi/<name>``.

The layout of ``../shared/data/fusion`` (tno21, tno40, roadscene, msrs, llvip, ...). Pairs are named
``<set>/<stem>``; a file list (one name a line, ``#`` comments) restricts a dataset to a split such as
``configs/fusion/splits/train.txt`` (written by ``tools/make_fusion_split.py``).
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..registry import DATASETS
from ..utils.images import read_luminance
from .base import SeededDataset, to_tensor
from .folders import index_folder, natural_key


@dataclass(frozen=True)
class PairRecord:
    """One registered pair.

    Attributes:
        name: ``<set>/<stem>``.
        vis: the visible image file.
        ir: the infrared image file.
    """

    name: str
    vis: Path
    ir: Path


def read_file_list(path: str | Path) -> list[str]:
    """Pair names ``<set>/<stem>`` of a list file, in file order; blank lines and ``#`` comments skipped.

    Raises:
        ValueError: a line is not ``<set>/<stem>`` or a name repeats (the message names the line).
    """
    path = Path(path)
    names: list[str] = []
    seen: set[str] = set()
    for number, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split("/")
        if len(parts) != 2 or not all(parts):
            raise ValueError(f"{path}:{number}: expected <set>/<stem>, got {line!r}")
        if line in seen:
            raise ValueError(f"{path}:{number}: {line!r} is listed twice")
        seen.add(line)
        names.append(line)
    return names


def paired_sets(root: str | Path) -> list[str]:
    """Sub-folders of ``root`` that hold both ``ir/`` and ``vi/``, sorted."""
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"paired data folder not found: {root}")
    return sorted(p.name for p in root.iterdir() if (p / "ir").is_dir() and (p / "vi").is_dir())


def index_pairs(root: str | Path, sets: Iterable[str] | None = None,
                names: Iterable[str] | None = None) -> list[PairRecord]:
    """Locate pairs under ``root`` by set or by name.

    Args:
        root: folder of the sets.
        sets: sets to take whole, in this order, each in natural stem order; all of :func:`paired_sets`
            when both ``sets`` and ``names`` are None. An infrared image without a visible partner (or
            the reverse) is left out.
        names: ``<set>/<stem>`` pairs to take, in this order (exclusive with ``sets``).

    Returns:
        The pairs.

    Raises:
        FileNotFoundError: a set folder, or a named pair's image, is missing.
        ValueError: both ``sets`` and ``names`` given, or nothing found.
    """
    root = Path(root)
    if sets is not None and names is not None:
        raise ValueError("give sets or names, not both")
    folders: dict[str, tuple[dict[str, Path], dict[str, Path]]] = {}

    def folder(set_name: str) -> tuple[dict[str, Path], dict[str, Path]]:
        if set_name not in folders:
            folders[set_name] = (index_folder(root / set_name / "vi"), index_folder(root / set_name / "ir"))
        return folders[set_name]

    records = []
    if names is not None:
        for name in names:
            set_name, stem = name.split("/")
            vis, ir = folder(set_name)
            missing = [band for band, files in (("vi", vis), ("ir", ir)) if stem not in files]
            if missing:
                raise FileNotFoundError(f"pair {name}: no image {stem}.* in "
                                        + ", ".join(str(root / set_name / band) for band in missing))
            records.append(PairRecord(name, vis[stem], ir[stem]))
    else:
        for set_name in paired_sets(root) if sets is None else sets:
            vis, ir = folder(set_name)
            records += [PairRecord(f"{set_name}/{stem}", vis[stem], ir[stem])
                        for stem in sorted(vis.keys() & ir.keys(), key=natural_key)]
    if not records:
        raise ValueError(f"no visible/infrared pair found under {root}")
    return records


def read_pair(record: PairRecord) -> tuple[np.ndarray, np.ndarray]:
    """``(visible luminance, infrared)`` of a pair, float32 ``(H, W)`` on [0, 1].

    Raises:
        ValueError: the two images differ in size (the message names both files).
    """
    vis, ir = read_luminance(record.vis), read_luminance(record.ir)
    if vis.shape != ir.shape:
        raise ValueError(f"pair {record.name}: visible {record.vis} is {vis.shape[1]}x{vis.shape[0]} but "
                         f"infrared {record.ir} is {ir.shape[1]}x{ir.shape[0]}")
    return vis, ir


class PairDataset(SeededDataset):
    """Samples ``{"vis": (1, H, W), "ir": (1, H, W), "name": str}`` from a list of :class:`PairRecord`.

    Both images of a pair get the same crop and flips. Visible colour images become BT.601 luminance.

    Args:
        records: the pairs.
        crop_size: crop ``(width, height)``; None keeps full images (evaluation).
        flip: random horizontal and vertical flips.
        seed: base seed of the per-sample generators.
    """

    def __init__(self, records: Sequence[PairRecord], crop_size: Sequence[int] | None = (320, 256),
                 flip: bool = True, seed: int = 0) -> None:
        super().__init__(crop_size, flip, seed)
        if not records:
            raise ValueError("a paired dataset needs at least one pair")
        self.records = list(records)

    def __len__(self) -> int:
        return len(self.records)

    def load(self, index: int, rng: np.random.Generator) -> dict[str, Any]:
        record = self.records[index]
        vis, ir = self.transform(read_pair(record), rng)
        return {"vis": to_tensor(vis), "ir": to_tensor(ir), "name": record.name}


@DATASETS.register_module()
class PairedFolderDataset(PairDataset):
    """Pairs of ``<root>/<set>/{ir,vi}/<name>`` folders, optionally restricted to a file list.

    Args:
        root: folder of the sets (e.g. ``../shared/data/fusion``).
        sets: sets to take whole (all paired sub-folders when None and no ``file_list``).
        file_list: list file of ``<set>/<stem>`` names (exclusive with ``sets``).
        crop_size: crop ``(width, height)``; None keeps full images (evaluation).
        flip: random horizontal and vertical flips.
        seed: base seed of the per-sample generators.
    """

    def __init__(self, root: str | Path, sets: Sequence[str] | None = None, file_list: str | Path | None = None,
                 crop_size: Sequence[int] | None = (320, 256), flip: bool = True, seed: int = 0) -> None:
        names = None if file_list is None else read_file_list(file_list)
        super().__init__(index_pairs(root, sets, names), crop_size, flip, seed)
