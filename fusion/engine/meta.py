"""Provenance of a training run: code version, library versions and device, for checkpoint metadata."""
from __future__ import annotations

import math
import numbers
import platform
from pathlib import Path
from typing import Any

import numpy as np
import torch

from .. import __version__

REPO_ROOT = Path(__file__).resolve().parents[2]


def git_commit(repo: str | Path = REPO_ROOT) -> str | None:
    """The commit checked out in ``repo``, read from ``.git`` (no ``git`` executable needed); None if unknown.

    Follows ``HEAD`` to a loose ref or to ``packed-refs``, and a ``.git`` file that points to the git
    directory (worktrees, submodules).
    """
    git_dir = Path(repo) / ".git"
    try:
        if git_dir.is_file():
            git_dir = (Path(repo) / git_dir.read_text().split("gitdir:", 1)[1].strip()).resolve()
        head = (git_dir / "HEAD").read_text().strip()
        if not head.startswith("ref:"):
            return head
        ref = head.split(":", 1)[1].strip()
        for base in (git_dir, git_dir / _common_dir(git_dir)):
            loose = base / ref
            if loose.is_file():
                return loose.read_text().strip()
            packed = base / "packed-refs"
            if packed.is_file():
                for line in packed.read_text().splitlines():
                    if line.endswith(" " + ref):
                        return line.split(" ", 1)[0]
    except (OSError, IndexError):
        return None
    return None


def _common_dir(git_dir: Path) -> str:
    """A worktree's ``commondir`` (relative to its git directory), else ``"."``."""
    common = git_dir / "commondir"
    return common.read_text().strip() if common.is_file() else "."


def run_environment(device: torch.device) -> dict[str, str | None]:
    """Versions and device of this run, as plain strings."""
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else platform.processor() or platform.machine()
    return {
        "git_commit": git_commit(),
        "fusion_version": __version__,
        "torch_version": torch.__version__,
        "python_version": platform.python_version(),
        "device": str(device),
        "device_name": name,
    }


def to_plain(value: Any) -> Any:
    """Copy of ``value`` made of built-in types only: ``dict`` (string keys), ``list``, ``str``, ``int``,
    ``float``, ``bool``, ``None``.

    NaN/inf become None, tuples lists, subclasses (``TorchVersion``, NumPy scalars, ``ConfigDict``) their
    base type, and other objects their string. Checkpoint metadata built from it loads with
    ``torch.load(weights_only=True)`` and dumps as JSON.
    """
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str):
        return str(value)
    if isinstance(value, dict):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    return None if value is None else str(value)
