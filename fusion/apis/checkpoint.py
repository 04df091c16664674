"""Fusion checkpoints: plain dicts of tensors and JSON-like metadata that load with ``weights_only=True``.

Layout::

    {"model": {"type": "msfam", ...},   # the FUSION_MODELS config that builds the network
     "state_dict": {...},               # its weights
     "meta": {...}}                     # free-form: training config, data, epoch, metrics, versions
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from torch import nn

from ..registry import FUSION_MODELS
from ..utils.files import atomic_write, file_sha256, short_reason  # noqa: F401  (file_sha256: re-exported)


def save_fusion_checkpoint(path: str | Path, model: nn.Module, model_cfg: dict, meta: dict | None = None) -> None:
    """Write ``model``'s weights with the config that builds it; the file is replaced atomically.

    Args:
        path: output file.
        model: the network (its ``state_dict`` is saved, moved to CPU).
        model_cfg: ``FUSION_MODELS`` config with ``type``.
        meta: extra metadata (plain Python types only).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().cpu() for k, v in model.state_dict().items()}
    atomic_write(path, lambda tmp: torch.save({"model": dict(model_cfg), "state_dict": state, "meta": meta or {}}, tmp))


def read_fusion_checkpoint(path: str | Path) -> dict[str, Any]:
    """Read a fusion checkpoint (weights-only unpickling) and check its layout.

    Raises:
        FileNotFoundError: the file does not exist.
        ValueError: the file is not a fusion checkpoint of this project.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"fusion checkpoint {path} not found")
    try:
        checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # torch raises several types for a corrupt or foreign file
        raise ValueError(f"{path} is not a readable fusion checkpoint ({short_reason(error)})") from error
    if not isinstance(checkpoint, dict) or not {"model", "state_dict"} <= checkpoint.keys():
        raise ValueError(f"{path} is not a fusion checkpoint: expected the keys 'model' and 'state_dict' "
                         "(written by fusion.apis.save_fusion_checkpoint or tools/train_fusion.py)")
    return checkpoint


def load_state_dict_strict(model: nn.Module, state_dict: dict[str, torch.Tensor], source: str) -> None:
    """Load weights, turning any architecture mismatch into one readable error.

    Raises:
        ValueError: naming missing keys, unexpected keys and shape mismatches (first few of each).
    """
    own = model.state_dict()
    missing = sorted(own.keys() - state_dict.keys())
    unexpected = sorted(state_dict.keys() - own.keys())
    shapes = [f"{k}: checkpoint {tuple(state_dict[k].shape)} vs model {tuple(own[k].shape)}"
              for k in sorted(own.keys() & state_dict.keys()) if own[k].shape != state_dict[k].shape]
    if missing or unexpected or shapes:
        parts = [f"{label} ({len(items)}): {', '.join(items[:5])}{' ...' if len(items) > 5 else ''}"
                 for label, items in (("missing", missing), ("unexpected", unexpected), ("shape", shapes)) if items]
        raise ValueError(f"{source} does not match the {type(model).__name__} architecture; " + "; ".join(parts))
    model.load_state_dict(state_dict)


def build_from_checkpoint(path: str | Path, expected_type: str | None = None) -> tuple[nn.Module, dict]:
    """Build the network a checkpoint describes and load its weights.

    Args:
        path: fusion checkpoint.
        expected_type: if given, the registered name the checkpoint must hold (e.g. ``"msfam"``).

    Returns:
        ``(model in eval mode on CPU, checkpoint meta)``.
    """
    checkpoint = read_fusion_checkpoint(path)
    cfg = dict(checkpoint["model"])
    if expected_type is not None and cfg.get("type") != expected_type:
        raise ValueError(f"{path} holds a {cfg.get('type')!r} model, not {expected_type!r}")
    model = FUSION_MODELS.build(cfg)
    load_state_dict_strict(model, checkpoint["state_dict"], str(path))
    return model.eval(), checkpoint.get("meta", {})
