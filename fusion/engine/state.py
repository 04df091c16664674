"""Training state on disk (``last.pth``): written atomically, read with ``weights_only=True``.

The state holds the trained module's weights, the optimizer and gradient-scaler states, the iteration,
the elapsed training time, the best validation result so far and the random number generator states
(Python, NumPy, torch CPU and CUDA), all as tensors and plain Python values, so that torch's safe
unpickler reads it (mmengine checkpoints, which pickle arbitrary objects, do not load that way).
"""
from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import numpy as np
import torch


def save_atomic(obj: Any, path: str | Path) -> None:
    """``torch.save`` to a temporary file beside ``path``, then rename it: never a half-written file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    torch.save(obj, tmp)
    tmp.replace(path)


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
        ValueError: the file is not a training state.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no training state to resume from: {path} does not exist")
    state = torch.load(path, map_location="cpu", weights_only=True)
    if not isinstance(state, dict) or not {"model", "optimizer", "iteration"} <= state.keys():
        raise ValueError(f"{path} is not a training state written by fusion.engine (expected 'model', "
                         "'optimizer' and 'iteration')")
    return state
