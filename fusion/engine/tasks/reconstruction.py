"""Stage 1: train an encoder/decoder to reconstruct single images (MSFAM Sec. 3.3, Eq. 1; NestFuse).

The network is a ``NestFusionNetwork`` (``msfam_handcrafted``, ``nestfuse``, ...) trained through
``reconstruct(x) = decode(encode(x))`` with ``L1 + 0.84 (1 - SSIM)``; its fusion modules are not used
and, when they have parameters, not trained. The exported checkpoint rebuilds the configured network,
so ``msfam_handcrafted`` / ``nestfuse`` weights fuse with the hand-designed strategy at inference
(MSFAM Table 1, "reconstruction training") and are the starting point of stage 2.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch

from ...models.nest import NestFusionNetwork
from ...registry import FUSION_MODELS, LOSSES, TASKS
from .base import Task, trainable


@TASKS.register_module()
class ReconstructionTask(Task):
    """Auto-encoder training on ``{"image": (B, 1, H, W)}`` batches.

    Args:
        model: ``FUSION_MODELS`` config of a ``NestFusionNetwork``.
        loss: ``LOSSES`` config called as ``loss(output, target)`` (default ``ReconstructionLoss``, alpha1 0.84).
        device: where the network runs.
        autocast: factory of autocast contexts.
    """

    def __init__(self, model: dict, loss: dict | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.export_cfg = dict(model)
        self.model = FUSION_MODELS.build(model).to(self.device)
        if not isinstance(self.model, NestFusionNetwork):
            raise TypeError(f"stage 1 trains an encode/decode network, got {type(self.model).__name__}")
        self.loss = LOSSES.build(loss or dict(type="ReconstructionLoss", alpha1=0.84))

    def param_groups(self, lr: float) -> list[dict[str, Any]]:
        params = trainable(self.model.encoder.parameters()) + trainable(self.model.decoder.parameters())
        return [{"params": params, "lr": lr, "name": "autoencoder"}]

    def losses(self, batch: Mapping[str, Any]) -> dict[str, torch.Tensor]:
        image = batch["image"].to(self.device, non_blocking=True)
        with self.autocast():
            output = self.model.reconstruct(image)
        return {"loss": self.loss(output.float(), image)}
