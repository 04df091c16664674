"""Validation of a fusion network on held-out pairs at full size, with the project's fusion metrics.

Each pair is fused at its original size (batch 1), the output is min-max stretched and rounded to
0..255 (the paper's output convention, as ``tools/fuse_folder.py`` writes it) and scored against the
sources with :func:`fusion.metrics.evaluate_pair`, so validation numbers equal those of
``tools/eval_fusion.py`` on the saved greyscale images.

Model selection (``best.pth``) uses one number, :func:`relative_score`: the mean over the paper's six
metrics (EN, MS_SSIM, MI, SCD, CC, VIF; MSFAM Table 6) of each metric divided by its value for the
pixel average ``(vis + ir) / 2`` on the same pairs. The metrics have different scales (EN ~ 7, MI ~ 14
bits, MS_SSIM < 1); dividing by a fixed reference weighs a 1 % gain the same in each, and a score above
1 means better than averaging on balance. A single metric (e.g. ``Qabf``) can be selected instead.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import torch
from torch import nn

from ..apis.inference import scale_output
from ..metrics import PAPER_METRICS, evaluate_pair
from .precision import Autocast

#: What validation reports: the paper's six and the infrared target contrast (``fusion.metrics.target_contrast``).
VALIDATION_METRICS = (*PAPER_METRICS, "ITC")


def to_pixels(image: torch.Tensor) -> np.ndarray:
    """``(1, H, W)`` or ``(H, W)`` tensor in [0, 1] -> float64 ``(H, W)`` integers on [0, 255] (rounded, clipped)."""
    array = image.detach().float().cpu().numpy().reshape(image.shape[-2:])
    return np.clip(np.rint(array * 255.0), 0, 255).astype(np.float64)


@torch.no_grad()
def fusion_metrics(model: nn.Module, loader: Iterable[Mapping[str, Any]], metrics: Sequence[str],
                   device: torch.device, autocast: Autocast) -> dict[str, float]:
    """Mean of each metric over a loader of full-size pairs (batch size 1).

    Args:
        model: fusion method ``forward(vis, ir)`` (put in eval mode here; the caller restores training mode).
        loader: ``{"vis", "ir", "name"}`` batches of one pair.
        metrics: names from :data:`fusion.metrics.METRICS`.
        device: where the model runs.
        autocast: factory of autocast contexts.

    Returns:
        ``{metric: mean}``.
    """
    model.eval()
    rows = []
    for batch in loader:
        if batch["vis"].shape[0] != 1:
            raise ValueError("validation fuses one full-size pair at a time: use batch_size=1")
        vis, ir = batch["vis"].to(device), batch["ir"].to(device)
        with autocast():
            fused = model(vis, ir)
        fused = scale_output(fused.float(), "minmax")
        rows.append(evaluate_pair(to_pixels(ir[0]), to_pixels(vis[0]), to_pixels(fused[0]), metrics))
    if not rows:
        raise ValueError("the validation loader is empty")
    return {name: float(np.mean([row[name] for row in rows])) for name in metrics}


def relative_score(values: Mapping[str, float], reference: Mapping[str, float], metrics: Sequence[str]) -> float:
    """Mean over ``metrics`` of ``values[m] / reference[m]`` (see the module docstring).

    Raises:
        ValueError: a reference value is not positive (the ratio would not rank).
    """
    bad = [m for m in metrics if not reference[m] > 0]
    if bad:
        raise ValueError(f"reference values must be positive to normalise by them: {', '.join(bad)}")
    return float(np.mean([values[m] / reference[m] for m in metrics]))
