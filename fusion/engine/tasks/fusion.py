"""Stage 2: train the fusion blocks between a pre-trained encoder and decoder (MSFAM Sec. 3.3 and 4.1).

``L1(I, V, F) + alpha2 L_constraint + beta L_pushpull`` (``FusionTotalLoss``) on visible/infrared pairs.
Per-part learning-rate multipliers (``lr_mult``) give the paper's schedule: the encoder frozen
(multiplier 0: ``requires_grad`` False and eval mode, left out of the optimizer, i.e. learning rate 0),
the decoder at half the learning rate, the fusion blocks at the full rate. The Semantic Constraint
classifier, loaded from its checkpoint, is frozen by ``SemanticConstraintLoss``.

Validation fuses the held-out pairs at full size and scores them (:mod:`fusion.engine.evaluation`);
``best.pth`` keeps the network with the highest ``best_key`` (default ``"score"``). The results also
hold the reference method's metrics (``"average/EN"``, ...), computed once. With a ``floor`` (e.g. the
infrared target contrast of the NestFuse baseline on the same pairs), ``"floored_score"`` is the score where
the network's metric reaches the floor and the score minus 1 where it does not, so that selecting by it takes
the best score among the networks that meet the floor (and the best score when none does).

Stage 2 should start where the stage-1 network with NestFuse's hand-designed fusion ("Rec") is, not from
the scrambled features of freshly initialised fusion blocks. Two ways: a residual network
(``model=dict(type="msfam", residual=True)``, :class:`fusion.models.attention_fusion.ResidualFusion`) is
exactly Rec at initialisation; the paper's blocks can instead be fitted to the hand-designed fusion of the
frozen encoder's features before the first iteration (``warm_start``, :mod:`fusion.engine.tasks.warm_start`).

Validation runs in float32 whatever the training precision, so that model selection and every report
score networks the same way.

The ablations are configurations of this task: no stage-1 checkpoint and every multiplier 1 (fusion
training from scratch, Table 1), ``msfam_conv5`` (Table 2), ``alpha2=0`` and/or Push-Pull with fixed
equal weights (Table 3).
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import torch

from ...apis.inference import build_fusion_model
from ...metrics import PAPER_METRICS
from ...models.attention_fusion import ResidualFusion
from ...models.nest import NestFusionNetwork
from ...registry import FUSION_MODELS, LOSSES, TASKS
from ..evaluation import VALIDATION_METRICS, fusion_metrics, relative_score
from ..weights import load_autoencoder, load_network, run_checkpoint
from .base import Task, freeze, trainable
from .warm_start import fit_fusion_blocks

PARTS = ("encoder", "fusions", "decoder")
#: Default least balanced accuracy of the Semantic Constraint classifier that stage 2 accepts.
CLASSIFIER_ACCURACY_GATE = 0.90


def check_classifier_accuracy(path: str | Path, meta: Mapping[str, Any], minimum: float) -> None:
    """Raise a ``ValueError`` when a classifier checkpoint's validation balanced accuracy is below ``minimum``.

    The accuracy is the one recorded by the classifier's training (``meta["metrics"]``, the validation the
    exported network was chosen by); a checkpoint without one is refused unless ``minimum`` is 0.
    """
    if minimum <= 0:
        return
    accuracy = (meta.get("metrics") or {}).get("balanced_accuracy")
    if accuracy is None or accuracy < minimum:
        found = "no recorded accuracy" if accuracy is None else f"balanced accuracy {accuracy:.3f}"
        raise ValueError(f"the Semantic Constraint classifier {path} has {found}, below the gate of {minimum:.2f}: "
                         "train a better one (configs/fusion/classifier.py) or accept it with "
                         "task.min_classifier_accuracy=0")


@TASKS.register_module()
class FusionTask(Task):
    """Fusion training on ``{"vis", "ir"}`` batches.

    Args:
        model: ``FUSION_MODELS`` config of a ``NestFusionNetwork`` (``msfam``, ``msfam_conv5``).
        loss: ``FusionTotalLoss`` config (or any ``LOSSES`` entry returning a dict with ``"loss"``, called
            as ``loss(vis, ir, fused)``); the classifier is passed to it when ``alpha2 > 0``.
        stage1_checkpoint: stage-1 checkpoint whose encoder and decoder start the training; None trains
            from the random initialisation.
        classifier_checkpoint: Semantic Constraint classifier checkpoint (needed when ``alpha2 > 0``).
            Each checkpoint argument (these two and ``floor``'s) may also be a run's work directory: its
            ``best.pth``, else its ``final.pth`` (:func:`fusion.engine.weights.run_checkpoint`).
        lr_mult: learning-rate multiplier of ``"encoder"``, ``"fusions"`` and ``"decoder"`` (missing: 1);
            0 freezes the part.
        val_metrics: metrics computed at each validation.
        reference: fusion method whose metrics normalise ``"score"`` (see
            :func:`fusion.engine.evaluation.relative_score`); None: no score.
        score_metrics: the metrics averaged into ``"score"``.
        best_key: the validation result that selects ``best.pth`` (``"score"`` or a metric name).
        warm_start: ``dict(iters=150, lr=3e-3, pooling="avg")`` to fit the fusion blocks to the hand-designed
            fusion before training (needs ``stage1_checkpoint``); None starts from their initialisation.
        min_classifier_accuracy: the least validation balanced accuracy (recorded in the classifier checkpoint)
            of a classifier this task accepts (default 0.90): a classifier that cannot tell the sources apart
            gives the constraint no meaning. 0 accepts any classifier.
        floor: ``dict(metric="ITC", method="nestfuse", checkpoint=None)``: the value of ``metric`` that ``method``
            (``checkpoint``, or its shipped weights when None) reaches on the validation pairs, reported as
            ``"<method>/<metric>"``; ``"floored_score"`` (module docstring) selects under it. Needs ``reference``.
        device: where the networks run.
        autocast: factory of autocast contexts.
    """

    def __init__(self, model: dict, loss: dict, stage1_checkpoint: str | Path | None = None,
                 classifier_checkpoint: str | Path | None = None, lr_mult: Mapping[str, float] | None = None,
                 val_metrics: Sequence[str] = VALIDATION_METRICS, reference: str | None = "average",
                 score_metrics: Sequence[str] = PAPER_METRICS, best_key: str = "score",
                 warm_start: Mapping[str, Any] | None = None,
                 min_classifier_accuracy: float = CLASSIFIER_ACCURACY_GATE,
                 floor: Mapping[str, Any] | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        if floor is not None and reference is None:
            raise ValueError("a floor qualifies the score: it needs a reference method")
        if warm_start is not None and stage1_checkpoint is None:
            raise ValueError("warm_start fits the fusion blocks to a trained encoder: it needs stage1_checkpoint")
        self.warm_start = None if warm_start is None else dict(warm_start)
        self.export_cfg = dict(model)
        self.model = FUSION_MODELS.build(model)
        if not isinstance(self.model, NestFusionNetwork):
            raise TypeError(f"stage 2 trains an encode/fuse/decode network, got {type(self.model).__name__}")
        if self.warm_start is not None and all(isinstance(f, ResidualFusion) for f in self.model.fusions):
            raise ValueError("a residual network already starts as the hand-designed fusion: set warm_start=None")
        self.sources = {}
        if stage1_checkpoint is not None:
            stage1_checkpoint = run_checkpoint(stage1_checkpoint)
            self.sources["stage1"] = {"path": str(stage1_checkpoint), **load_autoencoder(self.model, stage1_checkpoint)}
        self.model.to(self.device)
        self.lr_mult = {part: 1.0 for part in PARTS}
        self.lr_mult.update(lr_mult or {})
        unknown = set(self.lr_mult) - set(PARTS)
        if unknown:
            raise ValueError(f"lr_mult keys must be among {PARTS}, got {sorted(unknown)}")
        self.frozen = [part for part in PARTS if self.lr_mult[part] == 0]
        for part in self.frozen:
            freeze(getattr(self.model, part))
        self.min_classifier_accuracy = float(min_classifier_accuracy)
        self.loss = self._build_loss(dict(loss), classifier_checkpoint).to(self.device)
        self.val_metrics = list(dict.fromkeys([*val_metrics, *(score_metrics if reference else ())]))
        self.reference = reference
        self.score_metrics = list(score_metrics)
        self.best_key = best_key
        self.reference_values: dict[str, float] | None = None
        self.floor = None if floor is None else {"checkpoint": None, **floor}
        if self.floor is not None and self.floor["checkpoint"] is not None:
            self.floor["checkpoint"] = str(run_checkpoint(self.floor["checkpoint"]))
        self.floor_model = None  # built now, so that a missing checkpoint fails before training
        if self.floor is not None:
            self.floor_model = build_fusion_model(self.floor["method"], self.floor["checkpoint"])
            self.val_metrics = list(dict.fromkeys([*self.val_metrics, self.floor["metric"]]))
            self.sources["floor"] = dict(self.floor)
        self.floor_value: float | None = None

    def _build_loss(self, cfg: dict, classifier_checkpoint: str | Path | None) -> torch.nn.Module:
        if cfg.get("alpha2", 0) > 0:
            if classifier_checkpoint is None:
                raise ValueError("alpha2 > 0 needs classifier_checkpoint (train configs/fusion/classifier.py first) "
                                 "or set alpha2=0")
            classifier_checkpoint = run_checkpoint(classifier_checkpoint)
            classifier, meta = load_network(classifier_checkpoint)
            check_classifier_accuracy(classifier_checkpoint, meta, self.min_classifier_accuracy)
            self.sources["classifier"] = {"path": str(classifier_checkpoint), "meta": meta}
            return LOSSES.build(cfg, default_args=dict(classifier=classifier))
        return LOSSES.build(cfg)

    def prepare(self, batches: Iterator[Mapping[str, Any]]) -> dict[str, Any] | None:
        if self.warm_start is None:
            return None
        result = fit_fusion_blocks(self.model, batches, device=self.device, autocast=self.autocast, **self.warm_start)
        self.sources["warm_start"] = {**self.warm_start, **result}
        return result

    def train(self) -> None:
        self.model.train()
        for part in self.frozen:
            getattr(self.model, part).eval()
        self.loss.train()

    def param_groups(self, lr: float) -> list[dict[str, Any]]:
        groups = []
        for part in PARTS:
            params = trainable(getattr(self.model, part).parameters())
            if self.lr_mult[part] > 0 and params:
                groups.append({"params": params, "lr": lr * self.lr_mult[part], "name": part})
        return groups

    def losses(self, batch: Mapping[str, Any]) -> dict[str, torch.Tensor]:
        vis = batch["vis"].to(self.device, non_blocking=True)
        ir = batch["ir"].to(self.device, non_blocking=True)
        with self.autocast():
            fused = self.model(vis, ir)
        return self.loss(vis, ir, fused.float())

    def validate(self, loader: Iterable[Mapping[str, Any]]) -> dict[str, float]:
        float32 = contextlib.nullcontext
        results = fusion_metrics(self.model, loader, self.val_metrics, self.device, float32)
        if self.reference is not None:
            if self.reference_values is None:
                baseline = FUSION_MODELS.build(dict(type=self.reference)).to(self.device)
                self.reference_values = fusion_metrics(baseline, loader, self.score_metrics, self.device, float32)
            results["score"] = relative_score(results, self.reference_values, self.score_metrics)
            results.update({f"{self.reference}/{name}": value for name, value in self.reference_values.items()})
        if self.floor is not None:
            metric, method = self.floor["metric"], self.floor["method"]
            if self.floor_value is None:
                baseline = self.floor_model.to(self.device)
                self.floor_value = fusion_metrics(baseline, loader, [metric], self.device, float32)[metric]
            results[f"{method}/{metric}"] = self.floor_value
            results["floored_score"] = results["score"] - (0.0 if results[metric] >= self.floor_value else 1.0)
        return results
