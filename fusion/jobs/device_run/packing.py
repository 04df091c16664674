"""The fusion data the fusion phase reads, as a gzipped tarball sized to travel with a device call.

The tarball holds every pair named in ``configs/fusion/splits/*.txt`` (stage 1 leaves the test pairs out by
content, stage 2 and the classifier train and validate on the others), then pairs of the other sets the fusion
configs read whole (the classifier's ``sets``: MSRS, LLVIP, ...), taken in turn from each set while they fit,
then KAIST images while they fit; ``kaist/images/`` is always there (stage 1 reads it, empty is fine), and
``device_data.json`` at its top lists what was packed and what was left out. Files are packed unchanged.
"""
from __future__ import annotations

import io
import json
import tarfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fusion.datasets.folders import IMAGE_EXTENSIONS, index_folder, natural_key

from .budget import TRAVEL_LIMIT, data_budget, packed_bytes
from .phase_data import REPO, SPLITS, named_pairs, whole_sets

TAR_OVERHEAD = 4096  # the tarball's own header blocks and end marker


class DataDoesNotFit(ValueError):
    """The data the fusion phase needs does not fit the bytes a device call leaves for it."""


class _Pairs:
    """The ``vi`` and ``ir`` images of each paired set below ``fusion_root``, indexed once per set."""

    def __init__(self, fusion_root: Path) -> None:
        self.root = fusion_root
        self._indexes: dict[str, tuple[dict[str, Path], dict[str, Path]]] = {}

    def _index(self, set_name: str) -> tuple[dict[str, Path], dict[str, Path]]:
        if set_name not in self._indexes:
            self._indexes[set_name] = (index_folder(self.root / set_name / "vi"),
                                       index_folder(self.root / set_name / "ir"))
        return self._indexes[set_name]

    def stems(self, set_name: str) -> list[str]:
        """Stems with both images, in natural order."""
        visible, infrared = self._index(set_name)
        return sorted(visible.keys() & infrared.keys(), key=natural_key)

    def files(self, set_name: str, stem: str) -> list[Path]:
        """The pair's visible and infrared image."""
        visible, infrared = self._index(set_name)
        if stem not in visible or stem not in infrared:
            raise FileNotFoundError(f"pair {set_name}/{stem}: no visible and infrared image in {self.root / set_name}")
        return [visible[stem], infrared[stem]]


def choose_files(data: Path, budget: int) -> tuple[list[Path], dict[str, Any]]:
    """The files to pack (module docstring) within ``budget`` estimated bytes, and the manifest saying so.

    Raises:
        DataDoesNotFit: the pairs named in the splits alone take more than ``budget``.
    """
    pairs = _Pairs(data / "fusion")
    named = sorted(named_pairs(), key=natural_key)
    files = [f for name in named for f in pairs.files(*name.split("/"))]
    used = sum(packed_bytes(f) for f in files) + TAR_OVERHEAD
    if used > budget:
        raise DataDoesNotFit(f"the pairs named in {SPLITS} alone take about {used / 2**20:.1f} MiB, more than the "
                             f"{budget / 2**20:.1f} MiB left for data; carry less beside them")
    manifest: dict[str, Any] = {"source": str(data), "budget_bytes": budget, "named_pairs": len(named),
                                "sets": {}, "kaist_images": {"packed": 0, "left_out": 0}}
    queues = {set_name: pairs.stems(set_name) for set_name in whole_sets()}
    for set_name, stems in queues.items():
        manifest["sets"][set_name] = {"pairs": len(stems), "packed": 0}
    while any(queues.values()):  # one pair of each set in turn, while they fit
        for set_name, stems in queues.items():
            if not stems:
                continue
            pair = pairs.files(set_name, stems.pop(0))
            size = sum(packed_bytes(f) for f in pair)
            if used + size > budget:
                stems.clear()
                continue
            files += pair
            used += size
            manifest["sets"][set_name]["packed"] += 1
    kaist = data / "kaist" / "images"
    images = sorted((p for p in kaist.rglob("*") if p.suffix.lower() in IMAGE_EXTENSIONS), key=str) \
        if kaist.is_dir() else []
    for path in images:
        size = packed_bytes(path)
        if used + size <= budget:
            files.append(path)
            used += size
            manifest["kaist_images"]["packed"] += 1
        else:
            manifest["kaist_images"]["left_out"] += 1
    manifest["files"] = len(files)
    manifest["complete"] = (all(s["packed"] == s["pairs"] for s in manifest["sets"].values())
                            and manifest["kaist_images"]["left_out"] == 0)
    return files, manifest


def write_tarball(data: Path, out: Path, files: Sequence[Path], manifest: dict[str, Any]) -> None:
    """``files`` (named relative to ``data``), an empty ``kaist/images`` and ``device_data.json`` as ``out``."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(out, "w:gz") as tar:
        for path in files:
            tar.add(path, arcname=path.relative_to(data).as_posix(), recursive=False)
        folder = tarfile.TarInfo("kaist/images")
        folder.type, folder.mode, folder.mtime = tarfile.DIRTYPE, 0o755, int(time.time())
        tar.addfile(folder)
        text = json.dumps(manifest, indent=2).encode()
        info = tarfile.TarInfo("device_data.json")
        info.size, info.mtime = len(text), int(time.time())
        tar.addfile(info, io.BytesIO(text))


def pack_data(data: Path, out: Path, carry: Sequence[Path] = (), budget: int | None = None) -> dict[str, Any]:
    """Write the fusion data the fusion phase reads as a gzipped tarball that fits the device call.

    Args:
        data: the data folder (``fusion/`` and ``kaist/images/`` below it).
        out: the tarball to write.
        carry: the other paths the same call carries (their bytes count against the limit).
        budget: bytes the tarball may take; default: what :func:`~.budget.data_budget` leaves.

    Returns:
        The manifest written into the tarball as ``device_data.json``, with ``tarball_bytes`` added.

    Raises:
        FileNotFoundError: no ``data/fusion``, or a named pair is missing.
        DataDoesNotFit: the named pairs, or the tarball written, take more than the budget.
    """
    if not (data / "fusion").is_dir():
        raise FileNotFoundError(f"no fusion data in {data} (expected {data / 'fusion'}/<set>/{{ir,vi}})")
    if budget is None:
        budget = data_budget(REPO, carry)
    if budget <= 0:
        raise DataDoesNotFit(f"nothing fits: the working tree and {', '.join(map(str, carry))} already take the "
                             f"{TRAVEL_LIMIT / 2**20:.0f} MiB a device call carries")
    files, manifest = choose_files(data, budget)
    write_tarball(data, out, files, manifest)
    manifest["tarball_bytes"] = out.stat().st_size
    if manifest["tarball_bytes"] > budget:
        raise DataDoesNotFit(f"{out} came to {manifest['tarball_bytes'] / 2**20:.1f} MiB, over its budget of "
                             f"{budget / 2**20:.1f} MiB: give a smaller --budget-mb")
    return manifest
