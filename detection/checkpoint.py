"""The one place that makes mmengine checkpoints load under torch >= 2.6.

torch 2.6 changed ``torch.load`` to ``weights_only=True`` by default. mmengine checkpoints carry more than
tensors (the message hub's ``HistoryBuffer``, numpy arrays and scalars, the config's ``ConfigDict``), so
``load_from``, ``--resume`` and testing from a checkpoint fail with ``UnpicklingError: Weights only load
failed``. Allow-listing every class a checkpoint may hold is impractical (hooks and metrics add their own),
so local files are loaded as torch < 2.6 and mmengine always did: ``weights_only=False``. This executes
pickled code, exactly like mmengine before torch 2.6: load checkpoints you trust. Weights this project
ships are plain state dicts that load with ``weights_only=True``.

The loader replaces mmengine's handler for local paths (scheme prefix ``''``); every other scheme
(``torchvision://``, ``http://``, ...) keeps mmengine's own.
"""
from __future__ import annotations

import os.path as osp
from typing import Any

import torch
from mmengine.runner.checkpoint import CheckpointLoader


def load_local_checkpoint(filename: str, map_location: Any = None) -> Any:
    """Load an mmengine checkpoint from a local path, with ``weights_only=False``.

    Args:
        filename: path of the checkpoint (``~`` expanded).
        map_location: as in :func:`torch.load`.

    Returns:
        The checkpoint object (usually a dict with ``state_dict``, ``meta``, ``message_hub``, ...).
    """
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f"checkpoint {filename} not found")
    return torch.load(filename, map_location=map_location, weights_only=False)


def register_checkpoint_loader() -> None:
    """Make :func:`load_local_checkpoint` mmengine's loader for local paths (idempotent)."""
    CheckpointLoader.register_scheme(prefixes="", loader=load_local_checkpoint, force=True)
