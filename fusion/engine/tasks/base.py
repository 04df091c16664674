"""What every training phase provides to :class:`fusion.engine.trainer.Trainer`.

A task owns the trained network (``model``: the module whose weights ``last.pth`` holds), builds the
optimizer's parameter groups, computes the losses of a batch, optionally validates, and exports the
inference checkpoint. The trainer owns the loop, the optimizer, logging, checkpoints and resume.
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import torch
from torch import nn

from ...apis.checkpoint import save_fusion_checkpoint
from ..meta import to_plain
from ..precision import Autocast


def freeze(module: nn.Module) -> nn.Module:
    """Stop training ``module``: ``requires_grad_(False)`` and eval mode; returns it."""
    return module.requires_grad_(False).eval()


def trainable(parameters: Iterable[nn.Parameter]) -> list[nn.Parameter]:
    """The parameters that require a gradient."""
    return [p for p in parameters if p.requires_grad]


class Task:
    """Base of the training phases.

    Args:
        device: where the networks run.
        autocast: factory of autocast contexts (see :mod:`fusion.engine.precision`).

    Attributes:
        model: the trained network (its ``state_dict`` is the training state's ``"model"``).
        export_cfg: registry config that rebuilds ``model`` for inference (saved in the exported checkpoint).
        best_key: the validation result that selects ``best.pth``, greater is better; None when the
            task does not validate.
    """

    model: nn.Module
    export_cfg: dict
    best_key: str | None = None

    def __init__(self, device: torch.device | str = "cpu", autocast: Autocast = contextlib.nullcontext) -> None:
        self.device = torch.device(device)
        self.autocast = autocast

    def train(self) -> None:
        """Put the networks in training mode (frozen parts stay in eval mode)."""
        self.model.train()

    def prepare(self, batches: Iterator[Mapping[str, Any]]) -> dict[str, Any] | None:
        """Called once before the first iteration of a new run (not on resume), with its own batch stream.

        Returns what to log (None: nothing was done). The default does nothing; stage 2 warm-starts here.
        """
        return None

    def param_groups(self, lr: float) -> list[dict[str, Any]]:
        """Optimizer parameter groups ``{"params", "lr", "name"}`` at base learning rate ``lr``."""
        return [{"params": trainable(self.model.parameters()), "lr": lr, "name": "model"}]

    def losses(self, batch: Mapping[str, Any]) -> dict[str, torch.Tensor]:
        """Loss terms of a training batch; ``"loss"`` is the one to minimise."""
        raise NotImplementedError

    def validate(self, loader: Iterable[Mapping[str, Any]]) -> dict[str, float]:
        """Validation results on a held-out loader (only called when ``best_key`` is set)."""
        raise NotImplementedError

    def export(self, path: str | Path, meta: dict[str, Any]) -> None:
        """Write the inference checkpoint (``fusion.apis`` format) of ``model``."""
        save_fusion_checkpoint(path, self.model, to_plain(self.export_cfg), meta)
