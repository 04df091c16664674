"""Single images from any folders, for stage 1 (reconstruction) of MSFAM and NestFuse.

Stage 1 trains the auto-encoder on visible (greyscaled) and infrared images alone (MSFAM Sec. 3.3 and
4.1: FLIR, 9,676 visible + 10,501 infrared images, 2 epochs). Here every image below the given folders
serves, found recursively (e.g. ``fusion/*/{ir,vi}`` and KAIST's ``images/**/{visible,lwir}``).

The pairs of a held-out list can be excluded by content: an image whose pixels equal either image of
an excluded pair is left out wherever it lies (the TNO sets repeat each other's pairs in other file
formats), so stage 1 never sees a test image.
"""
from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..registry import DATASETS
from ..utils.images import read_luminance
from .base import SeededDataset, to_tensor
from .folders import IMAGE_EXTENSIONS, natural_key
from .paired import index_pairs, read_file_list


def find_images(root: str | Path) -> list[Path]:
    """Image files below ``root`` (recursive, extensions in ``IMAGE_EXTENSIONS``), in natural path order."""
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"image folder not found: {root}")
    files = [p for p in root.rglob("*") if p.suffix.lower() in IMAGE_EXTENSIONS and p.is_file()]
    return sorted(files, key=lambda p: natural_key(p.relative_to(root).as_posix()))


def pixel_digest(image: np.ndarray) -> str:
    """sha1 of an image's size and pixels: equal for the same picture stored in different formats."""
    digest = hashlib.sha1(repr(image.shape).encode())
    digest.update(np.ascontiguousarray(image).tobytes())
    return digest.hexdigest()


@DATASETS.register_module()
class SingleImageDataset(SeededDataset):
    """Samples ``{"image": (1, H, W), "name": str}`` of every image below some folders.

    Args:
        roots: folders searched recursively; colour images become BT.601 luminance.
        exclude_pairs: optional ``dict(root=..., file_list=...)``: the pairs of a list under a paired
            root (see :class:`fusion.datasets.paired.PairedFolderDataset`) whose images are excluded by
            content (each candidate image is decoded once at construction).
        crop_size: crop ``(width, height)``; None keeps full images.
        flip: random horizontal and vertical flips.
        seed: base seed of the per-sample generators.

    Attributes:
        files: the images kept, in order.
        excluded: the images left out because they repeat an excluded pair's image.
    """

    def __init__(self, roots: str | Path | Sequence[str | Path], exclude_pairs: dict | None = None,
                 crop_size: Sequence[int] | None = (320, 256), flip: bool = True, seed: int = 0) -> None:
        super().__init__(crop_size, flip, seed)
        roots = [roots] if isinstance(roots, (str, Path)) else list(roots)
        candidates = [(root, path) for root in map(Path, roots) for path in find_images(root)]
        self.excluded: list[Path] = []
        if exclude_pairs is not None:
            pairs = index_pairs(exclude_pairs["root"], names=read_file_list(exclude_pairs["file_list"]))
            banned = {pixel_digest(read_luminance(path)) for pair in pairs for path in (pair.vis, pair.ir)}
            kept = []
            for root, path in candidates:
                if pixel_digest(read_luminance(path)) in banned:
                    self.excluded.append(path)
                else:
                    kept.append((root, path))
            candidates = kept
        if not candidates:
            raise ValueError(f"no image found below {', '.join(map(str, roots))}")
        self.files = [path for _, path in candidates]
        self.names = [f"{root.name}/{path.relative_to(root).as_posix()}" for root, path in candidates]

    def __len__(self) -> int:
        return len(self.files)

    def load(self, index: int, rng: np.random.Generator) -> dict[str, Any]:
        (image,) = self.transform([read_luminance(self.files[index])], rng)
        return {"image": to_tensor(image), "name": self.names[index]}
