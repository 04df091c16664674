"""Train MSFAM's Semantic Constraint classifier (Sec. 3.5 and 4.1): visible, infrared or fused?

Multi-label BCE on two outputs ``(is visible, is infrared)``: visible images -> (1, 0), infrared ->
(0, 1), images fused by existing methods -> (1, 1). The paper fuses with "some existing algorithms";
here the fused samples come, on the fly on the training device, from the training-free baselines
(``average``, ``tif``, ``laplacian`` by default) and, when a stage-1 checkpoint is given, from that
auto-encoder with NestFuse's hand-designed fusion (e.g. ``msfam_handcrafted``). Each fused sample's
method is picked from its ``draw`` (:mod:`fusion.datasets.classifier_samples`). The classifier sees the
methods' raw outputs, not clipped, as it sees the fusion network's output in stage 2.

Validation runs on held-out pairs at full size: each pair's visible image, infrared image and its
fusion by every method; a sample is correct when both outputs, thresholded at 0.5, equal its label.
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from ...apis.checkpoint import build_from_checkpoint, load_state_dict_strict, read_fusion_checkpoint
from ...datasets.classifier_samples import FUSED, INFRARED, KINDS, LABELS, VISIBLE
from ...registry import FUSION_MODELS, NETWORKS, TASKS
from .base import Task, freeze

#: The label spelt by the two thresholded outputs ``(is visible, is infrared)``.
PREDICTIONS = {(True, False): "visible", (False, True): "infrared", (True, True): "fused", (False, False): "neither"}

DEFAULT_FUSERS = (dict(type="average"), dict(type="tif"), dict(type="laplacian"))


def label_balance(labels: torch.Tensor) -> torch.Tensor:
    """``pos_weight`` of each output column: its negatives over its positives among equally frequent kinds."""
    positives = labels.sum(dim=0)
    return (labels.shape[0] - positives) / positives


@TASKS.register_module()
class ClassifierTask(Task):
    """Semantic Constraint classifier training on ``{"vis", "ir", "kind", "draw"}`` batches.

    Args:
        classifier: ``NETWORKS`` config of the classifier (``(B, 1, H, W) -> (B, 2)`` logits).
        fusers: ``FUSION_MODELS`` configs of the methods that make the fused samples (distinct types).
        stage1_checkpoint: optional fusion checkpoint of a stage-1 network, used as one more method
            (named ``"stage1"`` in the results).
        best_key: the validation result that selects ``best.pth``.
        balance_labels: weigh each output's positives by its negatives-to-positives ratio over the three kinds
            (``pos_weight`` 1/2: each output is positive for two kinds of three), so that thresholding at 0.5
            decides as if both answers were equally frequent; unweighted, the 2:1 prior pushes sources towards
            "fused".
        device: where the networks run.
        autocast: factory of autocast contexts (the classifier and the network methods; the classical methods
            fuse in float32).
    """

    def __init__(self, classifier: dict, fusers: Sequence[dict] = DEFAULT_FUSERS,
                 stage1_checkpoint: str | Path | None = None, best_key: str = "balanced_accuracy",
                 balance_labels: bool = True, **kwargs) -> None:
        super().__init__(**kwargs)
        self.export_cfg = dict(classifier)
        self.model = NETWORKS.build(classifier).to(self.device)
        self.fusers: dict[str, nn.Module] = {}
        for cfg in fusers:
            if cfg["type"] in self.fusers:
                raise ValueError(f"fusion method {cfg['type']!r} is listed twice")
            self.fusers[cfg["type"]] = freeze(FUSION_MODELS.build(dict(cfg))).to(self.device)
        if stage1_checkpoint is not None:
            network, _ = build_from_checkpoint(stage1_checkpoint)
            self.fusers["stage1"] = freeze(network).to(self.device)
        if not self.fusers:
            raise ValueError("the classifier needs at least one fusion method for its (1, 1) samples")
        self.labels = torch.tensor(LABELS, device=self.device)
        self.pos_weight = label_balance(self.labels) if balance_labels else None
        self.best_key = best_key

    @torch.no_grad()
    def compose(self, batch: Mapping[str, Any]) -> tuple[torch.Tensor, torch.Tensor]:
        """Images of a batch (visible, infrared or fused by the drawn method) and their ``(B, 2)`` labels."""
        vis = batch["vis"].to(self.device, non_blocking=True)
        ir = batch["ir"].to(self.device, non_blocking=True)
        kind = batch["kind"].to(self.device)
        images = torch.where((kind == INFRARED).view(-1, 1, 1, 1), ir, vis)
        fused_rows = torch.nonzero(kind == FUSED).flatten()
        if fused_rows.numel():
            draw = batch["draw"].to(self.device)[fused_rows]
            method = (draw * len(self.fusers)).long().clamp(max=len(self.fusers) - 1)
            for index, fuser in enumerate(self.fusers.values()):
                rows = fused_rows[method == index]
                if rows.numel():
                    images[rows] = self.fuse(fuser, vis[rows], ir[rows])
        return images, self.labels[kind]

    def fuse(self, fuser: nn.Module, vis: torch.Tensor, ir: torch.Tensor) -> torch.Tensor:
        """A method's raw fused images in float32; a network runs under the task's autocast, as stage 2 runs MSFAM."""
        is_network = any(True for _ in fuser.parameters())
        with self.autocast() if is_network else contextlib.nullcontext():
            return fuser(vis, ir).float()

    def losses(self, batch: Mapping[str, Any]) -> dict[str, torch.Tensor]:
        images, labels = self.compose(batch)
        with self.autocast():
            logits = self.model(images)
        return {"loss": F.binary_cross_entropy_with_logits(logits.float(), labels, pos_weight=self.pos_weight)}

    @torch.no_grad()
    def validate(self, loader: Iterable[Mapping[str, Any]]) -> dict[str, float]:
        """Accuracies (both outputs thresholded at 0.5) per kind, per fusion method, pooled and balanced.

        Also the confusion counts ``"confusion/<true kind>/<predicted>"``, the prediction being the label the
        two thresholded outputs spell: ``visible`` (1, 0), ``infrared`` (0, 1), ``fused`` (1, 1) or ``neither``.
        """
        self.model.eval()
        names = [f"fused/{name}" for name in self.fusers]
        correct = dict.fromkeys(["visible", "infrared", *names], 0)
        confusion = {f"confusion/{true}/{predicted}": 0 for true in KINDS for predicted in PREDICTIONS.values()}
        total = 0
        for batch in loader:
            vis, ir = batch["vis"].to(self.device), batch["ir"].to(self.device)
            if vis.shape[0] != 1:
                raise ValueError("classifier validation takes one full-size pair at a time: use batch_size=1")
            images = torch.cat([vis, ir, *(self.fuse(fuser, vis, ir) for fuser in self.fusers.values())])
            kinds = [VISIBLE, INFRARED] + [FUSED] * len(self.fusers)
            predicted = self.model(images).float() > 0  # float32, as the stage-2 loss runs it
            hits = (predicted == self.labels[kinds].bool()).all(dim=1).tolist()
            for key, hit in zip(correct, hits):
                correct[key] += int(hit)
            for kind, (is_visible, is_infrared) in zip(kinds, predicted.tolist()):
                confusion[f"confusion/{KINDS[kind]}/{PREDICTIONS[(is_visible, is_infrared)]}"] += 1
            total += 1
        if not total:
            raise ValueError("the validation loader is empty")
        results = {f"accuracy_{key}": value / total for key, value in correct.items()}
        fused = sum(correct[name] for name in names) / (total * len(names))
        results["accuracy_fused"] = fused
        results["accuracy"] = sum(correct.values()) / (total * len(correct))
        results["balanced_accuracy"] = (results["accuracy_visible"] + results["accuracy_infrared"] + fused) / len(KINDS)
        results.update({key: float(count) for key, count in confusion.items()})
        return results


def evaluate_classifier(checkpoint: str | Path, loader: Iterable[Mapping[str, Any]],
                        device: torch.device | str = "cpu") -> dict[str, float]:
    """:meth:`ClassifierTask.validate` of a trained classifier on other pairs (e.g. the held-out test split).

    The fused samples come from the methods the classifier was trained with, as its checkpoint records them
    (``meta["config"]["task"]``: ``fusers`` and ``stage1_checkpoint``, which must still exist).
    """
    content = read_fusion_checkpoint(checkpoint)
    task_cfg = (content.get("meta", {}).get("config") or {}).get("task") or {}
    task = ClassifierTask(classifier=content["model"], fusers=task_cfg.get("fusers", DEFAULT_FUSERS),
                          stage1_checkpoint=task_cfg.get("stage1_checkpoint"), device=device)
    load_state_dict_strict(task.model, content["state_dict"], str(checkpoint))
    return task.validate(loader)
