"""Load the outputs of earlier phases: a stage-1 auto-encoder into a stage-2 network, a trained classifier.

Both read checkpoints in the ``fusion.apis`` format (``{"model": cfg, "state_dict", "meta"}``), as
every phase exports them. A phase may name an earlier phase's run by its work directory instead of a file:
:func:`run_checkpoint` then reads the network that run chose (``best.pth``, else ``final.pth``).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from mmengine.registry import Registry
from torch import nn

from ..apis.checkpoint import load_state_dict_strict, read_fusion_checkpoint
from ..models.nest import NestFusionNetwork
from ..registry import NETWORKS

AUTOENCODER_PARTS = ("encoder", "decoder")
#: The networks a run's work directory holds (fusion/engine/trainer.py), in the order a later phase prefers them.
RUN_NETWORKS = ("best.pth", "final.pth")


def run_checkpoint(path: str | Path) -> Path:
    """``path``, or, when it is a training run's work directory, the network that run chose: ``best.pth`` (the best
    on validation) when it holds one, else ``final.pth`` (a run that never validated).

    So a config can name an earlier phase's run (``work_root + '/classifier'``) without knowing whether that run
    validated. A directory holding neither file gives its ``final.pth``, which the loader then reports missing.
    """
    path = Path(path)
    if not path.is_dir():
        return path
    return next((path / name for name in RUN_NETWORKS if (path / name).is_file()), path / RUN_NETWORKS[-1])


def load_autoencoder(model: NestFusionNetwork, path: str | Path) -> dict[str, Any]:
    """Copy the encoder and decoder weights of a stage-1 checkpoint into ``model`` (fusion modules untouched).

    The checkpoint may hold another fusion strategy (``msfam_handcrafted`` into ``msfam``): only the
    ``encoder.*`` and ``decoder.*`` weights are read, and they must match ``model``'s exactly.

    Args:
        model: the stage-2 network.
        path: stage-1 fusion checkpoint.

    Returns:
        The checkpoint's ``{"model": cfg, "meta": meta}``, for provenance.

    Raises:
        ValueError: the encoder or decoder architectures differ (widths, block type).
    """
    checkpoint = read_fusion_checkpoint(path)
    for part in AUTOENCODER_PARTS:
        prefix = f"{part}."
        weights = {k[len(prefix):]: v for k, v in checkpoint["state_dict"].items() if k.startswith(prefix)}
        load_state_dict_strict(getattr(model, part), weights, f"the {part} of {path} ({checkpoint['model']})")
    return {"model": checkpoint["model"], "meta": checkpoint.get("meta", {})}


def load_network(path: str | Path, registry: Registry = NETWORKS) -> tuple[nn.Module, dict[str, Any]]:
    """Build the network a checkpoint describes from ``registry`` and load its weights.

    Returns:
        ``(network in eval mode on CPU, checkpoint meta)``.
    """
    checkpoint = read_fusion_checkpoint(path)
    network = registry.build(dict(checkpoint["model"]))
    load_state_dict_strict(network, checkpoint["state_dict"], str(path))
    return network.eval(), checkpoint.get("meta", {})
