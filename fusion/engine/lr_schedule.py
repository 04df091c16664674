"""Learning-rate schedules of the fusion trainer, as a factor of each parameter group's base rate.

``train_cfg.lr_schedule`` selects one:

- ``None`` (default): constant, the paper's Adam 1e-4;
- ``dict(type="cosine", min_ratio=0.01)``: cosine decay from the base rate (first iteration) to
  ``min_ratio`` times it (last iteration), for shortened schedules that must settle in few steps.

The factor depends on the iteration alone, so a resumed run sets the same rates as an uninterrupted one.
"""
from __future__ import annotations

import math
from typing import Any, Callable

LRFactor = Callable[[int], float]


def build_lr_factor(cfg: dict[str, Any] | None, max_iters: int) -> LRFactor:
    """The factor ``f(iteration)`` (0-based index of the step about to run) of a ``lr_schedule`` config.

    Raises:
        ValueError: an unknown schedule type or a ``min_ratio`` outside [0, 1].
    """
    if cfg is None:
        return lambda iteration: 1.0
    cfg = dict(cfg)
    kind = cfg.pop("type", None)
    if kind != "cosine":
        raise ValueError(f"train_cfg.lr_schedule: unknown type {kind!r} (known: 'cosine', or None for constant)")
    min_ratio = float(cfg.pop("min_ratio", 0.01))
    if cfg:
        raise ValueError(f"train_cfg.lr_schedule: unknown keys {sorted(cfg)} for 'cosine' (known: min_ratio)")
    if not 0.0 <= min_ratio <= 1.0:
        raise ValueError(f"train_cfg.lr_schedule.min_ratio must be in [0, 1], got {min_ratio}")
    span = max(max_iters - 1, 1)

    def cosine(iteration: int) -> float:
        progress = min(iteration, span) / span
        return min_ratio + (1.0 - min_ratio) * 0.5 * (1.0 + math.cos(math.pi * progress))

    return cosine
