"""Shards: several processes share one split, each taking every n-th item of one sorted list.

Shard ``i/n`` (``0 <= i < n``) takes items ``i, i + n, i + 2n, ...``: the shards are disjoint, together cover
every item, and each gets items from all over the list (frames of every set and video, so their speed and
day/night mix are alike). The fused-dataset engine shards its batches of consecutive sorted frames (see
:func:`fusion.jobs.fuse_dataset.pipeline.plan_batches`). Under ``torchrun`` (environment ``RANK`` and
``WORLD_SIZE``) the shard defaults to ``RANK/WORLD_SIZE``.
"""
from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Shard:
    """Shard ``index`` of ``count`` (``0 <= index < count``)."""

    index: int = 0
    count: int = 1

    def __post_init__(self) -> None:
        if self.count < 1 or not 0 <= self.index < self.count:
            raise ValueError(f"a shard is i/n with 0 <= i < n, got {self.index}/{self.count}")

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"

    def select(self, items: Sequence[T]) -> list[T]:
        """Every ``count``-th item from ``index`` (pass the items in one order, so that every process agrees)."""
        return list(items[self.index::self.count])


def parse_shard(text: str) -> Shard:
    """``"1/4"`` -> ``Shard(1, 4)``.

    Raises:
        ValueError: not ``i/n`` with ``0 <= i < n``.
    """
    index, sep, count = text.partition("/")
    try:
        if not sep:
            raise ValueError
        return Shard(int(index), int(count))
    except ValueError:
        raise ValueError(f"expected a shard i/n with 0 <= i < n (e.g. 0/4), got {text!r}") from None


def shard_from_env(environ: Mapping[str, str] | None = None) -> Shard | None:
    """The shard of a ``torchrun`` process (``RANK``/``WORLD_SIZE``), or None outside ``torchrun``."""
    environ = os.environ if environ is None else environ
    if "RANK" not in environ or "WORLD_SIZE" not in environ:
        return None
    return Shard(int(environ["RANK"]), int(environ["WORLD_SIZE"]))
