"""Export the fusion network of a trained ``FusionDetector`` as an ordinary fusion checkpoint with a model card.

The exported file is what ``tools/train_fusion.py`` writes (``{"model", "state_dict", "meta"}``), so
:func:`fusion.apis.load_fuser`, ``tools/fuse_dataset.py --checkpoint msfam=...`` and ``tools/export_onnx.py``
take it; its ``meta`` says how it was trained (``phase: detection_tuned``), and the card beside it
(``<name>.md``) says the same in words.
"""
from __future__ import annotations

import inspect
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch

from ..apis.checkpoint import file_sha256, load_state_dict_strict, read_fusion_checkpoint, save_fusion_checkpoint
from ..engine.meta import run_environment, to_plain
from ..registry import FUSION_MODELS
from .fusion_detector import FusionDetector, fusion_model_config

PHASE = "detection_tuned"
#: The FusionDetector settings a tuned checkpoint records (its config's ``model.<key>``).
RECORDED_SETTINGS = ("coupling", "fusion_parts", "fusion_loss", "fusion_loss_weight", "detection_loss_weight",
                     "detach_iters", "rounds", "detector_checkpoint", "output")


def fusion_state(state_dict: Mapping[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """The fusion network's weights in a ``FusionDetector`` state dict (its ``fusion.`` keys, prefix removed).

    Raises:
        ValueError: the state dict holds no fusion network (not a FusionDetector checkpoint).
    """
    weights = {key[len("fusion."):]: value for key, value in state_dict.items() if key.startswith("fusion.")}
    if not weights:
        raise ValueError("the checkpoint holds no 'fusion.' weights: it is not a FusionDetector checkpoint "
                         "(configs/detection/gflv2_tuned_*.py train one)")
    return weights


def export_tuned_fusion(model_cfg: Mapping[str, Any], checkpoint: Mapping[str, Any], out: str | Path,
                        training: Mapping[str, Any]) -> tuple[Path, Path]:
    """Write the tuned fusion network of a FusionDetector checkpoint and its model card.

    Args:
        model_cfg: the config's ``model`` (a ``FusionDetector``).
        checkpoint: the loaded mmengine checkpoint (``state_dict``, ``meta``).
        out: the fusion checkpoint to write (``.pth``); the card goes to the same name with ``.md``.
        training: what the card and meta should say about the run: ``config``, ``checkpoint`` (paths),
            ``train_data`` (data root and annotation file).

    Returns:
        The checkpoint and card paths.
    """
    if model_cfg.get("type") != "FusionDetector":
        raise ValueError(f"the config's model is {model_cfg.get('type')!r}, not a FusionDetector")
    defaults = inspect.signature(FusionDetector).parameters
    fusion_cfg, source = fusion_model_config(model_cfg.get("fusion", "msfam"), model_cfg.get("fusion_checkpoint"))
    network = FUSION_MODELS.build(dict(fusion_cfg))
    load_state_dict_strict(network, fusion_state(checkpoint["state_dict"]), str(training.get("checkpoint")))
    state, run_meta = checkpoint["state_dict"], checkpoint.get("meta", {}) or {}
    base_meta = read_fusion_checkpoint(source).get("meta", {}) if source is not None else {}
    meta = to_plain({
        "phase": PHASE,
        "fine_tuned_from": {"path": str(source) if source else None,
                            "sha256": file_sha256(source) if source else None,
                            "phase": base_meta.get("phase"), "iteration": base_meta.get("iteration")},
        "settings": {key: model_cfg.get(key, defaults[key].default) for key in RECORDED_SETTINGS},
        "detector": _detector_summary(model_cfg.get("detector", {})),
        "iteration": int(state["iteration"]) if "iteration" in state else run_meta.get("iter"),
        "epoch": run_meta.get("epoch"),
        "train_data": dict(training.get("train_data", {})),
        "config": str(training.get("config")),
        "source_checkpoint": str(training.get("checkpoint")),
        **run_environment(torch.device("cpu")),
    })
    out = Path(out)
    save_fusion_checkpoint(out, network, fusion_cfg, meta)
    card = out.with_suffix(".md")
    card.write_text(tuned_fusion_card(out.name, meta))
    return out, card


def _detector_summary(detector: Mapping[str, Any]) -> str:
    backbone = detector.get("backbone", {})
    return f"{detector.get('type', '?')} ({backbone.get('type', '?')}-{backbone.get('depth', '?')})"


def tuned_fusion_card(name: str, meta: Mapping[str, Any]) -> str:
    """The model card of a detection-tuned fusion checkpoint, from its ``meta``."""
    settings, base = meta.get("settings", {}), meta.get("fine_tuned_from", {})
    coupling = settings.get("coupling")
    how = {"frozen": f"against a frozen detector ({settings.get('detector_checkpoint')})",
           "joint": f"together with the detector (the detector saw detached images for the first "
                    f"{settings.get('detach_iters', 0)} iterations)",
           "alternating": f"in alternating rounds {settings.get('rounds')}"}.get(coupling, str(coupling))
    loss = settings.get("fusion_loss")
    lines = [
        f"# {name}: MSFAM fine-tuned with the detection loss in the loop",
        "",
        f"- Started from `{base.get('path')}` (sha256 {str(base.get('sha256'))[:12]}, phase {base.get('phase')}).",
        f"- Trained {how}, {meta.get('iteration')} iterations ({meta.get('epoch')} epochs) with "
        f"{meta.get('detector')} on `{meta.get('train_data')}`.",
        f"- Loss: detection loss x {settings.get('detection_loss_weight', 1.0)} + fusion loss "
        f"({loss}) x {settings.get('fusion_loss_weight', 1.0)}; learning parts: {settings.get('fusion_parts')}.",
        f"- Config `{meta.get('config')}`, checkpoint `{meta.get('source_checkpoint')}`, commit "
        f"{str(meta.get('git_commit'))[:10]}, torch {meta.get('torch_version')}.",
        "",
        "Use it as any MSFAM checkpoint: `load_fuser('msfam', checkpoint)`, "
        "`tools/fuse_dataset.py ... --checkpoint msfam=<file>`, `tools/export_onnx.py --checkpoint <file>`.",
        "Its image quality: `tools/fusion_report.py` with it beside the shipped MSFAM (see README).",
        "",
    ]
    return "\n".join(lines)
