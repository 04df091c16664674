"""Training state on disk (``last.pth``): written atomically, read with ``weights_only=True``; the state it
replaces is kept as ``last.prev.pth``, so a damaged ``last.pth`` (a full disk, a bad copy) costs one checkpoint
interval, not the run.

The state holds the trained module's weights, the optimizer and gradient-scaler states, the iteration,
the elapsed training time, the best validation result so far and the random number generator states
(Python, NumPy, torch CPU and CUDA), all as tensors and plain Python values, so that torch's safe
unpickler reads it (mmengine checkpoints, which pickle arbitrary objects, do not load that way).
"""
from __future__ import annotations

import os
import random
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ..utils.files import atomic_write, short_reason


def previous_path(path: str | Path) -> Path:
    """Where the state before ``path`` is kept: ``last.pth`` -> ``last.prev.pth``."""
    path = Path(path)
    return path.with_name(f"{path.stem}.prev{path.suffix}")


def save_state_keeping_previous(obj: Any, path: str | Path, keep_previous: bool = True) -> None:
    """``torch.save`` ``obj`` to ``path`` atomically; the file it replaces becomes :func:`previous_path`
    (with ``keep_previous``; without, e.g. for a newer state of the same iteration, it is simply replaced).

    A failed write (a full disk) leaves both files as they were and no temporary.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)

    def write(tmp: Path) -> None:
        torch.save(obj, tmp)
        if keep_previous and path.is_file():
            os.replace(path, previous_path(path))

    atomic_write(path, write)


def seed_everything(seed: int) -> None:
    """Seed Python's, NumPy's and torch's (CPU and CUDA) global random generators."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def rng_state() -> dict[str, Any]:
    """States of Python's, NumPy's and torch's global random generators (CUDA's when available)."""
    kind, keys, position, has_gauss, cached = np.random.get_state()
    state = {
        "python": random.getstate(),
        "numpy": {"kind": kind, "keys": torch.from_numpy(keys.astype(np.int64)), "position": int(position),
                  "has_gauss": int(has_gauss), "cached_gaussian": float(cached)},
        "torch": torch.get_rng_state(),
    }
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def restore_rng_state(state: dict[str, Any]) -> None:
    """Restore what :func:`rng_state` saved (CUDA's only where both then and now have CUDA)."""
    random.setstate(_as_tuples(state["python"]))
    numpy = state["numpy"]
    np.random.set_state((numpy["kind"], numpy["keys"].numpy().astype(np.uint32), numpy["position"],
                         numpy["has_gauss"], numpy["cached_gaussian"]))
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def _as_tuples(value: Any) -> Any:
    """Lists back to tuples, recursively (``random.setstate`` wants tuples)."""
    return tuple(_as_tuples(v) for v in value) if isinstance(value, (list, tuple)) else value


def load_training_state(path: str | Path) -> dict[str, Any]:
    """Read a ``last.pth`` written by the trainer (weights-only unpickling, tensors on CPU).

    Raises:
        FileNotFoundError: no file at ``path``.
        ValueError: the file is damaged (unreadable) or not a training state.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no training state to resume from: {path} does not exist")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # truncated zip, foreign pickle, ...: torch raises several types
        raise ValueError(f"{path} is damaged or not a training state ({short_reason(error)})") from error
    if not isinstance(state, dict) or not {"model", "optimizer", "iteration"} <= state.keys():
        raise ValueError(f"{path} is not a training state written by fusion.engine (expected 'model', "
                         "'optimizer' and 'iteration')")
    return state


def load_latest_training_state(path: str | Path) -> tuple[dict[str, Any], Path, list[str]]:
    """Read ``path``, or the state kept before it (:func:`previous_path`) when ``path`` is damaged or missing.

    Returns:
        ``(state, the file it came from, why newer files were passed over)``.

    Raises:
        FileNotFoundError: neither file exists.
        ValueError: no file is intact (the message names each and why).
    """
    path = Path(path)
    candidates = [p for p in (path, previous_path(path)) if p.is_file()]
    if not candidates:
        raise FileNotFoundError(f"no training state to resume from: {path} does not exist")
    problems = []
    for candidate in candidates:
        try:
            return load_training_state(candidate), candidate, problems
        except ValueError as error:
            problems.append(str(error))
    raise ValueError("; ".join(problems) + ". No intact training state is left: restore one of these files, or "
                     "start again in a new work directory")
