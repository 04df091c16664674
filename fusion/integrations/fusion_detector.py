"""A detector that owns its fusion network: MSFAM fine-tuned with the detector's loss (task-driven fusion).

``FusionDetector`` (an MMDetection ``BaseDetector``) takes raw 4-channel pairs (B, G, R, thermal, 0..255:
``LoadImagePair`` of ``detection.datasets`` or ``LoadKaistPair``), fuses them with its fusion network
differentiably (no rounding while training), puts the visible chroma back, hands the colour images to the
wrapped detector's data preprocessor (normalisation, padding) and returns the detector's losses plus the
fusion loss (MSFAM's stage-2 loss, :class:`fusion.losses.FusionTotalLoss`), each weighted in the config.
``predict`` fuses as :func:`fusion.apis.load_fuser` does, rounded to whole grey levels as in the pre-fused
images, so ``tools/test_det.py`` tests it as any detector.

Coupling (``coupling=``), what learns at each iteration:

- ``frozen``: the fusion network against a detector trained beforehand on the starting fusion's images
  (``detector_checkpoint``); the detector's parameters take no gradient and its BatchNorm stays in eval mode.
- ``joint``: both learn from the sum of the losses; for the first ``detach_iters`` iterations the detector
  sees the fused images detached (the fusion learns from its own loss only), as TarDAL warms up.
- ``alternating``: rounds of ``rounds['detector_iters']`` iterations training the detector on the current
  fusion's images (fusion frozen), then ``rounds['fusion_iters']`` training the fusion against the frozen
  detector (SeAFusion's rounds, with the re-fused images made on the fly).

The iteration count is a buffer, so a resumed run continues in the same phase. Parts of the fusion network
outside ``fusion_parts`` (default: the encoder, as in stage 2) never learn.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from mmdet.models.detectors import BaseDetector
from mmdet.registry import MODELS
from mmengine.model import BaseDataPreprocessor
from mmengine.registry import DefaultScope
from mmengine.runner.checkpoint import load_checkpoint
from torch import nn

from ..apis.checkpoint import read_fusion_checkpoint
from ..apis.inference import OUTPUT_MODES, build_fusion_model, default_checkpoint, scale_output
from ..engine.weights import load_network
from ..models.nest import NestFusionNetwork
from ..ops.colour import merge_luma_chroma, split_luma_chroma
from ..registry import LOSSES

COUPLINGS = ("frozen", "joint", "alternating")
FUSION_PARTS = ("encoder", "fusions", "decoder")


@dataclass(frozen=True)
class Learning:
    """What one training iteration updates: the fusion network, the detector, and whether the detection loss
    reaches the fusion network."""

    fusion: bool
    detector: bool
    detection_reaches_fusion: bool


@dataclass
class FusedPairs:
    """A batch of fused pairs: the colour images (``(3, H, W)`` BGR 0..255 each, in input order) and, per
    group of equal size, what the fusion loss needs (``(B, 1, H, W)`` in [0, 1]: visible luminance, thermal,
    the network's raw output)."""

    images: list[torch.Tensor]
    groups: list[tuple[torch.Tensor, torch.Tensor, torch.Tensor]]


def fuse_pair_tensors(network: nn.Module, pairs: torch.Tensor, output: str = "minmax") -> tuple[torch.Tensor, ...]:
    """Fuse ``(B, 4, H, W)`` pairs (B, G, R, thermal, 0..255) differentiably, as :class:`fusion.apis.Fuser` does
    before rounding.

    Returns:
        ``(bgr, luma, thermal, raw)``: fused colour images ``(B, 3, H, W)`` in 0..255 (clamped, not rounded),
        the visible luminance and the thermal ``(B, 1, H, W)`` in [0, 1], and the network's unscaled output.
    """
    pairs = pairs.float() / 255.0
    luma, chroma = split_luma_chroma(pairs[:, :3])
    thermal = pairs[:, 3:4]
    raw = network(luma, thermal)
    bgr = merge_luma_chroma(scale_output(raw.float(), output), chroma) * 255.0
    return bgr.clamp(0, 255), luma, thermal, raw


def fusion_model_config(method: str, checkpoint: str | Path | None) -> tuple[dict, Path | None]:
    """The ``FUSION_MODELS`` config of ``method`` as its checkpoint (or the shipped one) records it."""
    path = Path(checkpoint) if checkpoint is not None else default_checkpoint(method)
    if path is None:
        return {"type": method}, None
    return dict(read_fusion_checkpoint(path)["model"]), path


@MODELS.register_module()
class RawPairPreprocessor(BaseDataPreprocessor):
    """Moves raw 4-band pairs (``(4, H, W)`` uint8 each) to the model's device, as they are: the
    ``FusionDetector`` fuses them and its wrapped detector's data preprocessor normalises and pads the images."""

    #: The bands an input holds (``detection.runs.inference.takes_pairs`` reads it: this detector is fed pairs).
    num_bands = 4


@MODELS.register_module()
class FusionDetector(BaseDetector):
    """A fusion network in front of an MMDetection detector, trained together (see the module docstring).

    Args:
        detector: the wrapped detector's config (e.g. the GFLv2 of ``configs/detection``), with the data
            preprocessor that normalises its colour input.
        fusion: a registered fusion network (``msfam``).
        fusion_checkpoint: its starting weights (default: the shipped ones).
        coupling: ``frozen``, ``joint`` or ``alternating``.
        fusion_loss: a ``fusion.registry.LOSSES`` config called as ``loss(vis, ir, fused)`` returning a dict
            with ``"loss"`` (MSFAM's stage 2: ``FusionTotalLoss``); None: no fusion loss.
        fusion_loss_weight: weight of the fusion loss (0: the detection loss alone drives the fusion).
        detection_loss_weight: weight of each of the detector's losses.
        classifier_checkpoint: the Semantic Constraint classifier, needed when the fusion loss has ``alpha2 > 0``.
        fusion_parts: the fusion network's parts that learn (of ``encoder``, ``fusions``, ``decoder``).
        detach_iters: ``joint``: iterations during which the detector sees the fused images detached.
        rounds: ``alternating``: ``dict(detector_iters=..., fusion_iters=...)``, the length of each phase.
        detector_checkpoint: weights of the wrapped detector (an mmdet checkpoint of it alone), loaded by
            ``init_weights``; required by ``frozen``.
        output: the fused images' scaling, ``minmax`` (as the pre-fused datasets) or ``clip``.
        data_preprocessor: moves the raw pairs to the device (default: :class:`RawPairPreprocessor`);
            normalisation is the wrapped detector's.
        init_cfg: mmengine initialisation config.
    """

    def __init__(self, detector: dict, fusion: str = "msfam", fusion_checkpoint: str | None = None,
                 coupling: str = "joint", fusion_loss: dict | None = None, fusion_loss_weight: float = 1.0,
                 detection_loss_weight: float = 1.0, classifier_checkpoint: str | None = None,
                 fusion_parts: Sequence[str] = ("fusions", "decoder"), detach_iters: int = 0,
                 rounds: dict | None = None, detector_checkpoint: str | None = None, output: str = "minmax",
                 data_preprocessor: dict | None = None, init_cfg: dict | None = None) -> None:
        super().__init__(data_preprocessor=data_preprocessor or dict(type="RawPairPreprocessor"), init_cfg=init_cfg)
        if coupling not in COUPLINGS:
            raise ValueError(f"coupling must be one of {COUPLINGS}, got {coupling!r}")
        if coupling == "frozen" and detector_checkpoint is None:
            raise ValueError("coupling='frozen' trains the fusion against a trained detector: set detector_checkpoint "
                             "to a checkpoint of the detector trained on the starting fusion's images")
        if coupling == "alternating" and not (rounds and rounds.get("detector_iters", 0) > 0
                                              and rounds.get("fusion_iters", 0) > 0):
            raise ValueError("coupling='alternating' needs rounds=dict(detector_iters=N, fusion_iters=M), both > 0")
        unknown = set(fusion_parts) - set(FUSION_PARTS)
        if unknown or not fusion_parts:
            raise ValueError(f"fusion_parts must be a non-empty subset of {FUSION_PARTS}, got {list(fusion_parts)}")
        if output not in OUTPUT_MODES:
            raise ValueError(f"output must be one of {OUTPUT_MODES}, got {output!r}")
        if fusion_loss_weight < 0 or detection_loss_weight < 0:
            raise ValueError("loss weights must be >= 0")
        self.coupling, self.detach_iters, self.rounds = coupling, int(detach_iters), dict(rounds or {})
        self.fusion_parts, self.output = tuple(fusion_parts), output
        self.fusion_loss_weight, self.detection_loss_weight = float(fusion_loss_weight), float(detection_loss_weight)
        self.detector_checkpoint = detector_checkpoint
        self.detector = MODELS.build(detector)
        self.fusion_cfg, self.fusion_source = fusion_model_config(fusion, fusion_checkpoint)
        with DefaultScope.overwrite_default_scope("fusion"):  # the fusion registries, not mmdet's
            self.fusion = build_fusion_model(fusion, fusion_checkpoint)
        if not isinstance(self.fusion, NestFusionNetwork):
            raise TypeError(f"FusionDetector trains an encode/fuse/decode network, {fusion!r} is "
                            f"{type(self.fusion).__name__}")
        self.fusion_loss = self._build_fusion_loss(fusion_loss, classifier_checkpoint)
        self.register_buffer("iteration", torch.zeros((), dtype=torch.long))
        self._freeze_fixed_parts()

    def _freeze_fixed_parts(self) -> None:
        """Parts that never learn take no gradient from the start, so that a distributed wrapper built before
        training leaves them out: the fusion parts outside ``fusion_parts`` and, when frozen, the detector.
        (``alternating`` switches the rest each phase: run it distributed with ``find_unused_parameters=True``.)"""
        for part in FUSION_PARTS:
            if part not in self.fusion_parts:
                getattr(self.fusion, part).requires_grad_(False)
        if self.coupling == "frozen":
            self.detector.requires_grad_(False)

    def _build_fusion_loss(self, cfg: dict | None, classifier_checkpoint: str | None) -> nn.Module | None:
        if cfg is None or self.fusion_loss_weight == 0:
            return None
        if cfg.get("alpha2", 0) > 0:
            if classifier_checkpoint is None:
                raise ValueError("a fusion loss with alpha2 > 0 needs classifier_checkpoint (configs/fusion/"
                                 "classifier.py trains one), or set alpha2=0")
            classifier, _ = load_network(classifier_checkpoint)
            return LOSSES.build(cfg, default_args=dict(classifier=classifier))
        return LOSSES.build(cfg)

    def init_weights(self) -> None:
        """The detector's initialisation (its ``init_cfg``), then its checkpoint when one is given; the fusion
        network keeps the weights it was built with."""
        super().init_weights()
        if self.detector_checkpoint is not None:
            load_checkpoint(self.detector, self.detector_checkpoint, map_location="cpu", strict=True)

    # ---- what learns -------------------------------------------------------------------------------------------

    def learning(self, iteration: int | None = None) -> Learning:
        """What the training iteration ``iteration`` (default: the current one) updates."""
        step = int(self.iteration) if iteration is None else iteration
        if self.coupling == "frozen":
            return Learning(fusion=True, detector=False, detection_reaches_fusion=True)
        if self.coupling == "joint":
            return Learning(fusion=True, detector=True, detection_reaches_fusion=step >= self.detach_iters)
        detector_iters, fusion_iters = self.rounds["detector_iters"], self.rounds["fusion_iters"]
        fusion_phase = step % (detector_iters + fusion_iters) >= detector_iters
        return Learning(fusion=fusion_phase, detector=not fusion_phase, detection_reaches_fusion=fusion_phase)

    def _set_learning(self, learning: Learning) -> None:
        """``requires_grad`` and train/eval modes of every part for ``learning`` (in training mode)."""
        self.detector.requires_grad_(learning.detector)
        self.detector.train(self.training and learning.detector)
        for part in FUSION_PARTS:
            learns = learning.fusion and part in self.fusion_parts
            getattr(self.fusion, part).requires_grad_(learns)
            getattr(self.fusion, part).train(self.training and learns)

    def train(self, mode: bool = True) -> FusionDetector:
        super().train(mode)
        self._set_learning(self.learning())
        return self

    # ---- fusion ------------------------------------------------------------------------------------------------

    def fuse(self, inputs: Sequence[torch.Tensor] | torch.Tensor) -> FusedPairs:
        """Fuse raw pairs (``(4, H, W)`` each, 0..255), pairs of equal size in one batch."""
        by_size: dict[tuple, list[int]] = {}
        for index, pair in enumerate(inputs):
            if pair.shape[0] != 4:
                raise ValueError(f"FusionDetector takes 4-channel pairs (B, G, R, thermal: LoadImagePair or "
                                 f"LoadKaistPair), got {pair.shape[0]} channels")
            by_size.setdefault(tuple(pair.shape), []).append(index)
        images: list[torch.Tensor | None] = [None] * len(inputs)
        groups = []
        for indices in by_size.values():
            bgr, luma, thermal, raw = fuse_pair_tensors(self.fusion, torch.stack([inputs[i] for i in indices]),
                                                        self.output)
            groups.append((luma, thermal, raw))
            for index, image in zip(indices, bgr):
                images[index] = image
        return FusedPairs(images, groups)  # type: ignore[arg-type]

    def _detector_batch(self, images: list[torch.Tensor], data_samples: Any, training: bool) -> dict:
        return self.detector.data_preprocessor({"inputs": images, "data_samples": data_samples}, training)

    def _inference_batch(self, inputs: Sequence[torch.Tensor], data_samples: Any) -> dict:
        """The detector's batch at inference: fused without gradient, rounded as the pre-fused images."""
        with torch.no_grad():
            images = [image.round() for image in self.fuse(inputs).images]
        return self._detector_batch(images, data_samples, False)

    def _fusion_losses(self, fused: FusedPairs) -> dict[str, torch.Tensor]:
        """The fusion loss over the batch (groups weighted by their size): ``loss_fusion`` (weighted, summed
        into the total) and each unweighted part as ``fusion_<part>`` (logged)."""
        total = sum(len(luma) for luma, _, _ in fused.groups)
        summed: dict[str, torch.Tensor] = {}
        for luma, thermal, raw in fused.groups:
            for name, value in self.fusion_loss(luma, thermal, raw.float()).items():
                summed[name] = summed.get(name, 0) + value * (len(luma) / total)
        losses = {"loss_fusion": self.fusion_loss_weight * summed.pop("loss")}
        losses.update({f"fusion_{name}": value.detach() for name, value in summed.items()})
        return losses

    # ---- BaseDetector ------------------------------------------------------------------------------------------

    def loss(self, batch_inputs: Sequence[torch.Tensor], batch_data_samples: Any) -> dict[str, Any]:
        learning = self.learning()
        self._set_learning(learning)
        with torch.set_grad_enabled(learning.fusion):
            fused = self.fuse(batch_inputs)
        images = fused.images if learning.detection_reaches_fusion else [image.detach() for image in fused.images]
        batch = self._detector_batch(images, batch_data_samples, True)
        losses = self.detector.loss(batch["inputs"], batch["data_samples"])
        if self.detection_loss_weight != 1.0:
            losses = {name: _scaled(value, self.detection_loss_weight) if "loss" in name else value
                      for name, value in losses.items()}
        if learning.fusion and self.fusion_loss is not None:
            losses.update(self._fusion_losses(fused))
        self.iteration += 1
        return losses

    def predict(self, batch_inputs: Sequence[torch.Tensor], batch_data_samples: Any, rescale: bool = True) -> Any:
        batch = self._inference_batch(batch_inputs, batch_data_samples)
        return self.detector.predict(batch["inputs"], batch["data_samples"], rescale=rescale)

    def _forward(self, batch_inputs: Sequence[torch.Tensor], batch_data_samples: Any = None) -> Any:
        batch = self._inference_batch(batch_inputs, batch_data_samples)
        return self.detector._forward(batch["inputs"], batch["data_samples"])

    def extract_feat(self, batch_inputs: Sequence[torch.Tensor]) -> Any:
        return self.detector.extract_feat(self._inference_batch(batch_inputs, None)["inputs"])


def _scaled(value: torch.Tensor | list[torch.Tensor], weight: float) -> torch.Tensor | list[torch.Tensor]:
    """A detector loss (a tensor, or a list of per-level tensors as GFL returns) times ``weight``."""
    return [v * weight for v in value] if isinstance(value, list) else value * weight
