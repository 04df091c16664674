"""A seeded train/test split of paired sets with no pair, nor a near copy of one, on both sides.

MSFAM (Sec. 4.1) trains stage 2 on TNO + RoadScene, 273 pairs, 90 % train and 10 % test. The public
TNO sets overlap (tno21's pairs reappear in tno40, renamed and re-encoded), and both TNO and RoadScene
hold near copies (neighbouring frames of one sequence). So before splitting:

1. exact duplicates, pairs whose decoded pixels are equal (:func:`pair_digest`), are dropped, keeping
   the first in the order the sets were given;
2. near copies are grouped: two pairs whose 32x32 thumbnails (both bands, standardised) correlate at
   ``near_duplicate`` or more are one group, and a group goes to one side whole.

The split is stratified by set: each set (a group counts in the set of its first pair) sends
``round(n * (1 - ratio))`` of its pairs to test, whole groups drawn in a seeded random order until the
count is reached, so every set is represented on both sides.
"""
from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

import cv2
import numpy as np

from .folders import natural_key
from .paired import PairRecord, read_pair

THUMBNAIL_SIDE = 32


def pair_digest(vis: np.ndarray, ir: np.ndarray) -> str:
    """sha1 of both images' sizes and pixels (the same pair stored as PNG or BMP gives the same digest)."""
    digest = hashlib.sha1()
    for image in (vis, ir):
        digest.update(repr(image.shape).encode())
        digest.update(np.ascontiguousarray(image).tobytes())
    return digest.hexdigest()


def pair_thumbnail(vis: np.ndarray, ir: np.ndarray) -> np.ndarray:
    """Both bands reduced to 32x32 (area), concatenated and standardised: a pair's content signature."""
    parts = [cv2.resize(image, (THUMBNAIL_SIDE, THUMBNAIL_SIDE), interpolation=cv2.INTER_AREA).ravel()
             for image in (vis, ir)]
    signature = np.concatenate(parts).astype(np.float64)
    return (signature - signature.mean()) / max(signature.std(), 1e-12)


@dataclass
class Split:
    """Result of :func:`split_pairs`.

    Attributes:
        train: pair names ``<set>/<stem>`` of the training side, in natural order.
        test: pair names of the test side.
        duplicates: ``(dropped, kept)`` names of exact duplicates.
        groups: groups of near copies (more than one pair), each kept on one side.
    """

    train: list[str]
    test: list[str]
    duplicates: list[tuple[str, str]] = field(default_factory=list)
    groups: list[list[str]] = field(default_factory=list)


def _name_key(name: str) -> tuple:
    set_name, stem = name.split("/")
    return set_name, natural_key(stem)


def _group(signatures: np.ndarray, threshold: float) -> list[list[int]]:
    """Connected components of the graph ``corr(i, j) >= threshold`` (union-find), in index order."""
    parent = list(range(len(signatures)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    corr = signatures @ signatures.T / signatures.shape[1]
    for i, j in zip(*np.nonzero(np.triu(corr >= threshold, k=1))):
        parent[root(int(j))] = root(int(i))
    components: dict[int, list[int]] = {}
    for i in range(len(signatures)):
        components.setdefault(root(i), []).append(i)
    return sorted(components.values())


def split_pairs(records: Sequence[PairRecord], ratio: float = 0.9, seed: int = 0,
                near_duplicate: float = 0.9) -> Split:
    """Deduplicate, group near copies and split each set ``ratio`` / ``1 - ratio`` (see the module docstring).

    Args:
        records: the pairs, in priority order for deduplication (e.g. ``index_pairs(root, sets)``).
        ratio: fraction of each set on the training side, in (0, 1).
        seed: seed of the random group order.
        near_duplicate: thumbnail correlation from which two pairs are one group; above 1 disables grouping.

    Returns:
        The split; the same for the same records, ratio, seed and threshold.
    """
    if not 0 < ratio < 1:
        raise ValueError(f"ratio must be in (0, 1), got {ratio}")
    kept: list[PairRecord] = []
    signatures = []
    first_of: dict[str, str] = {}
    duplicates = []
    for record in records:
        vis, ir = read_pair(record)
        digest = pair_digest(vis, ir)
        if digest in first_of:
            duplicates.append((record.name, first_of[digest]))
            continue
        first_of[digest] = record.name
        kept.append(record)
        signatures.append(pair_thumbnail(vis, ir))
    groups = _group(np.stack(signatures), near_duplicate)
    rng = np.random.default_rng(seed)
    strata: dict[str, list[list[int]]] = {}
    for group in groups:
        strata.setdefault(kept[group[0]].name.split("/")[0], []).append(group)
    test: list[str] = []
    for set_groups in strata.values():
        size = sum(len(group) for group in set_groups)
        wanted = round(size * (1 - ratio))
        taken = 0
        for position in rng.permutation(len(set_groups)):
            if taken >= wanted:
                break
            test += [kept[i].name for i in set_groups[int(position)]]
            taken += len(set_groups[int(position)])
    test_set = set(test)
    train = sorted((r.name for r in kept if r.name not in test_set), key=_name_key)
    near = [[kept[i].name for i in group] for group in groups if len(group) > 1]
    return Split(train, sorted(test, key=_name_key), duplicates, near)
