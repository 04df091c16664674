"""The one place that loads local mmengine checkpoints: weights-only, with an allow-list, unless trusted.

torch 2.6 made ``torch.load`` weights-only by default because unpickling a ``.pth`` can run any code it
holds. mmengine checkpoints carry more than tensors, so torch's default refuses them. Instead of loading
them with the full unpickler (what mmengine does), this module allows exactly what checkpoints written by
this project's configs hold (training and resume state alike, measured on real runs, see
``tests/detection/test_checkpoint_safety.py``):

- the message hub's ``HistoryBuffer`` and the four statistics it stores by name (``min``, ``max``,
  ``current``, ``mean``, pickled as ``getattr(HistoryBuffer, name)``: that ``getattr`` is replaced by one
  that fetches nothing else);
- numpy arrays, scalars and dtypes (numeric, boolean, string and date types; not object arrays).

A checkpoint that asks for anything else is refused with :class:`UntrustedCheckpointError`, naming the
file and the classes, unless the user trusts it: ``--trust-checkpoint`` on the tools, or the environment
variable ``MSFAM_TRUST_CHECKPOINTS=1`` (for configs run any other way). A trusted file that needs more is
loaded with the full unpickler and a warning naming it.

:func:`register_checkpoint_loader` makes :func:`load_local_checkpoint` mmengine's loader for local paths
(scheme prefix ``''``); every other scheme (``torchvision://``, ``http://``, ...) keeps mmengine's own.
"""
from __future__ import annotations

import argparse
import os
import os.path as osp
import pickle
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from mmengine.logging import HistoryBuffer
from mmengine.runner.checkpoint import CheckpointLoader

TRUST_ENV = "MSFAM_TRUST_CHECKPOINTS"
HISTORY_BUFFER_STATISTICS = ("min", "max", "current", "mean")
# numpy dtype codes whose dtype classes may be rebuilt: all but object ('O') and void ('V').
_DTYPE_CODES = "?bhilqpBHILQPefdgFDGSUMm"


def _history_buffer_statistic(owner: Any, name: str) -> Callable:
    """Stand-in for ``getattr`` in checkpoints: only ``HistoryBuffer``'s registered statistics."""
    if owner is HistoryBuffer and name in HISTORY_BUFFER_STATISTICS:
        return getattr(owner, name)
    raise pickle.UnpicklingError(f"refused getattr({owner!r}, {name!r}): only HistoryBuffer's statistics "
                                 f"{HISTORY_BUFFER_STATISTICS} may be fetched from a checkpoint")


def _numpy_globals() -> list:
    """numpy's array and scalar rebuilders under both module names (numpy < 2 and >= 2), and its dtypes."""
    reconstruct = np.ndarray(0).__reduce__()[0]
    scalar = np.float64(0).__reduce__()[0]
    names = [(reconstruct, f"{module}.multiarray._reconstruct") for module in ("numpy.core", "numpy._core")]
    names += [(scalar, f"{module}.multiarray.scalar") for module in ("numpy.core", "numpy._core")]
    return names + [np.ndarray, np.dtype] + [type(np.dtype(code)) for code in _DTYPE_CODES]


def safe_checkpoint_globals() -> list:
    """Everything a checkpoint of this project's configs may ask for beyond torch's own allow-list."""
    getattr_names = [(_history_buffer_statistic, f"{module}.getattr") for module in ("builtins", "__builtin__")]
    return [HistoryBuffer, *getattr_names, *_numpy_globals()]


def _allowed_names() -> set[str]:
    return {item[1] if isinstance(item, tuple) else f"{item.__module__}.{item.__qualname__}"
            for item in safe_checkpoint_globals()}


class UntrustedCheckpointError(pickle.UnpicklingError):
    """A checkpoint needs classes outside the allow-list and the user has not said to trust it."""


def checkpoints_trusted() -> bool:
    """Whether the user said to trust checkpoints (``--trust-checkpoint`` or ``MSFAM_TRUST_CHECKPOINTS=1``)."""
    return os.environ.get(TRUST_ENV, "").strip().lower() in {"1", "true", "yes"}


def trust_checkpoints() -> None:
    """Trust every checkpoint this process (and its children) loads: what ``--trust-checkpoint`` does."""
    os.environ[TRUST_ENV] = "1"


def add_trust_argument(parser: argparse.ArgumentParser) -> None:
    """Add ``--trust-checkpoint`` to a tool; call :func:`apply_trust_argument` after parsing."""
    parser.add_argument("--trust-checkpoint", action="store_true",
                        help="load checkpoints that need classes beyond the weights-only allow-list with the "
                             "full unpickler (runs any code the file holds: only for files you trust; "
                             f"same as {TRUST_ENV}=1)")


def apply_trust_argument(args: argparse.Namespace) -> None:
    """Act on ``--trust-checkpoint`` (see :func:`add_trust_argument`)."""
    if args.trust_checkpoint:
        trust_checkpoints()


def _refusal(filename: str, error: pickle.UnpicklingError) -> UntrustedCheckpointError:
    try:
        asked = sorted(set(torch.serialization.get_unsafe_globals_in_checkpoint(filename)) - _allowed_names())
    except Exception:  # not a zip checkpoint: torch's own message names what it refused
        asked = []
    detail = f"it asks for {', '.join(asked)}" if asked else f"torch says: {str(error).splitlines()[-1]}"
    return UntrustedCheckpointError(
        f"checkpoint {filename} needs more than the weights-only allow-list of detection/checkpoint.py "
        f"({detail}). Loading it with the full unpickler runs any code it holds: if you trust the file, "
        f"pass --trust-checkpoint to the tool or set {TRUST_ENV}=1.")


def load_local_checkpoint(filename: str, map_location: Any = None) -> Any:
    """Load an mmengine checkpoint from a local path, weights-only with this project's allow-list.

    Args:
        filename: path of the checkpoint (``~`` expanded).
        map_location: as in :func:`torch.load`.

    Returns:
        The checkpoint object (usually a dict with ``state_dict``, ``meta``, ``message_hub``, ...).

    Raises:
        FileNotFoundError: no such file.
        UntrustedCheckpointError: the file needs other classes and checkpoints are not trusted.
    """
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f"checkpoint {filename} not found")
    try:
        with torch.serialization.safe_globals(safe_checkpoint_globals()):
            return torch.load(filename, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as error:
        if not checkpoints_trusted():
            raise _refusal(filename, error) from None
    warnings.warn(f"loading {filename} with the full unpickler ({TRUST_ENV}/--trust-checkpoint): it may run "
                  "code it holds", stacklevel=2)
    return torch.load(filename, map_location=map_location, weights_only=False)


def register_checkpoint_loader() -> None:
    """Make :func:`load_local_checkpoint` mmengine's loader for local paths (idempotent)."""
    CheckpointLoader.register_scheme(prefixes="", loader=load_local_checkpoint, force=True)
