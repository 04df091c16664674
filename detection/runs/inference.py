"""Run a trained detector of ``configs/detection`` on images in memory, and draw its boxes.

``tools/detect_pairs.py`` feeds it fused colour/thermal pairs, or, to a detector fed both bands (early or
halfway fusion), the pair itself stacked by :func:`detection.datasets.stack_pair`; the images here are plain ``uint8``
arrays, whatever made them.
"""
from __future__ import annotations

import os
from collections.abc import Sequence

import cv2
import numpy as np
import torch

from .config import load_config
from ..evaluation.detections import from_pred_instances


def load_detector(config: str | os.PathLike, checkpoint: str | os.PathLike, device: str = "cpu",
                  cfg_options: dict | None = None) -> torch.nn.Module:
    """A detector built from ``config`` (a path or a ``configs/detection`` name, ``cfg_options`` merged) with
    ``checkpoint``'s weights.

    The backbone's ImageNet initialisation is switched off (the wrapped detector's, for a detector that owns a
    fusion network): the checkpoint holds every weight.
    """
    from mmdet.apis import init_detector

    cfg = load_config(config, work_dir=None, cfg_options=cfg_options)
    cfg.model.get("detector", cfg.model).backbone.init_cfg = None
    return init_detector(cfg, str(checkpoint), device=device, cfg_options={})  # {}: mmdet looks for no backbone


def takes_pairs(model: torch.nn.Module) -> bool:
    """Whether the detector is fed both bands (a 4-band ``MultiBandDetDataPreprocessor``), not one image."""
    return getattr(model.data_preprocessor, "num_bands", 3) == 4


def detect(model: torch.nn.Module, images: Sequence[np.ndarray], score_thr: float | None = None) -> list[np.ndarray]:
    """Person boxes of each image, ``(N, 5)`` rows ``[x, y, w, h, score]`` in the image's pixels.

    Args:
        model: from :func:`load_detector`.
        images: BGR ``uint8`` ``(H, W, 3)`` (greyscale is made 3-channel), or for a detector fed both bands
            the ``(H, W, 4)`` pairs of :func:`detection.datasets.stack_pair`.
        score_thr: drop boxes scoring below it (``None`` keeps all, as evaluation needs).
    """
    from mmdet.apis import inference_detector

    batch = [cv2.cvtColor(image, cv2.COLOR_GRAY2BGR) if image.ndim == 2 else image for image in images]
    results = inference_detector(model, batch)
    return [from_pred_instances(result.pred_instances.to_dict(), score_thr) for result in results]


def draw_boxes(image: np.ndarray, rows: np.ndarray, score_thr: float = 0.3,
               colour: tuple[int, int, int] = (0, 255, 0)) -> np.ndarray:
    """A BGR copy of ``image`` with the boxes scoring at least ``score_thr`` drawn and labelled by score."""
    drawn = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR) if image.ndim == 2 else image.copy()
    thickness = max(1, round(min(drawn.shape[:2]) / 300))
    for x, y, w, h, score in rows[rows[:, 4] >= score_thr] if len(rows) else []:
        top_left, bottom_right = (int(round(x)), int(round(y))), (int(round(x + w)), int(round(y + h)))
        cv2.rectangle(drawn, top_left, bottom_right, colour, thickness)
        cv2.putText(drawn, f"{score:.2f}", (top_left[0], max(10, top_left[1] - 3)), cv2.FONT_HERSHEY_SIMPLEX,
                    0.35 * thickness, colour, thickness, cv2.LINE_AA)
    return drawn
