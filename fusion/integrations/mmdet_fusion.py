"""Fusion as MMDetection components: train or test a detector on raw KAIST pairs, fused on the fly.

Import it through a config's ``custom_imports`` (``imports=['detection', 'fusion.integrations.mmdet_fusion']``).

- ``LoadFusedKaistPair`` (a transform, in place of ``LoadImageFromFile``): reads the frame's visible and
  thermal images from a KAIST root and fuses them with any registered method (or passes a band), on the CPU
  in the data loader's workers; the image equals what ``tools/fuse_dataset.py`` writes for that frame,
  before its JPEG encoding.
- ``LoadKaistPair`` + ``FusionDetDataPreprocessor`` (the batched variant for the networks): the transform
  stacks the pair as a 4-channel image (B, G, R, thermal) that resizing and flipping move together; the data
  preprocessor fuses each batch on the model's device (a GPU) before normalising it. The fusion network is
  frozen and kept out of the detector's parameters and checkpoints.

The frame comes from the dataset's ``img_path`` (``.../setXX/VYYY/IZZZZZ.jpg``, as in the COCO files of
``tools/kaist_to_coco.py`` and ``tools/fuse_dataset.py``); the images from
``<kaist_root>/images/setXX/VYYY/{visible,lwir}/IZZZZZ.jpg``.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from mmcv.transforms import BaseTransform
from mmdet.models.data_preprocessors import DetDataPreprocessor
from mmdet.registry import MODELS, TRANSFORMS

from ..apis.inference import Fuser, load_fuser
from ..apis.pair_fusion import PairFusion
from ..datasets.kaist import pair_paths
from ..ops.colour import merge_luma_chroma, split_luma_chroma
from ..utils.images import read_uint8_grey, read_uint8_image
from ..utils.kaist_sets import frame_key


def read_kaist_pair(kaist_root: str | Path, img_path: str) -> tuple[np.ndarray, np.ndarray]:
    """The visible (BGR) and thermal (greyscale decoded, as ``tools/fuse_dataset.py`` reads it) images of the frame
    named in ``img_path``.

    Raises:
        ValueError: ``img_path`` names no KAIST frame.
        FileNotFoundError: an image is missing (the message names it).
    """
    frame = frame_key(img_path)
    if frame is None:
        raise ValueError(f"{img_path} names no KAIST frame setXX/VYYY/IZZZZZ")
    vis_path, ir_path = pair_paths(kaist_root, frame)
    return read_uint8_image(vis_path), read_uint8_grey(ir_path)


def _set_image(results: dict, image: np.ndarray) -> dict:
    results["img"] = image
    results["img_shape"] = results["ori_shape"] = image.shape[:2]
    return results


@TRANSFORMS.register_module()
class LoadFusedKaistPair(BaseTransform):
    """Read a KAIST pair and fuse it: ``img`` is the fused BGR image (see the module docstring).

    Args:
        kaist_root: KAIST root holding ``images/``.
        fusion: a registered fusion method, or ``visible`` / ``lwir``.
        checkpoint: weights of a fusion network (default: the shipped ones).
        backend: ``auto``, ``torch`` or ``onnxruntime`` (:func:`fusion.apis.load_fuser`).
    """

    def __init__(self, kaist_root: str, fusion: str = "msfam", checkpoint: str | None = None,
                 backend: str = "auto") -> None:
        self.kaist_root, self.fusion, self.checkpoint, self.backend = kaist_root, fusion, checkpoint, backend
        self._pair_fusion: PairFusion | None = None  # built in the process that uses it (data loader workers)

    def transform(self, results: dict) -> dict:
        if self._pair_fusion is None:
            self._pair_fusion = PairFusion(self.fusion, self.checkpoint, "cpu", self.backend)
        return _set_image(results, self._pair_fusion(*read_kaist_pair(self.kaist_root, results["img_path"])))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(kaist_root={self.kaist_root!r}, fusion={self.fusion!r})"


@TRANSFORMS.register_module()
class LoadKaistPair(BaseTransform):
    """Read a KAIST pair as one ``(H, W, 4)`` ``uint8`` image: B, G, R of the visible, then the thermal.

    Args:
        kaist_root: KAIST root holding ``images/``.
    """

    def __init__(self, kaist_root: str) -> None:
        self.kaist_root = kaist_root

    def transform(self, results: dict) -> dict:
        vis, ir = read_kaist_pair(self.kaist_root, results["img_path"])
        vis = np.repeat(vis[..., None], 3, axis=2) if vis.ndim == 2 else vis
        return _set_image(results, np.dstack([vis, ir]))


@MODELS.register_module()
class FusionDetDataPreprocessor(DetDataPreprocessor):
    """``DetDataPreprocessor`` that first fuses 4-channel pairs (``LoadKaistPair``) into BGR images, a batch at a
    time on the model's device, with a frozen fusion network kept out of the detector's parameters.

    Args:
        fusion: a registered fusion method (networks are what this is for).
        checkpoint: its weights (default: the shipped ones).
        output: ``minmax`` or ``clip``.
        **kwargs: ``DetDataPreprocessor``'s (mean, std, bgr_to_rgb, pad_size_divisor, ...).
    """

    def __init__(self, fusion: str = "msfam", checkpoint: str | None = None, output: str = "minmax",
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.fusion, self.fusion_checkpoint, self.fusion_output = fusion, checkpoint, output
        self._fuser: list[Fuser] = []  # a list, so that the network is no submodule (no parameters, no state)

    def fuser(self) -> Fuser:
        if not self._fuser or self._fuser[0].device != self.device:
            self._fuser[:] = [load_fuser(self.fusion, self.fusion_checkpoint, self.device, self.fusion_output,
                                         backend="torch")]
        return self._fuser[0]

    def fuse(self, pairs: torch.Tensor) -> torch.Tensor:
        """``(B, 4, H, W)`` pairs (0..255) -> ``(B, 3, H, W)`` fused BGR images (0..255, whole grey levels)."""
        pairs = pairs.to(self.device, torch.float32) / 255.0
        luma, chroma = split_luma_chroma(pairs[:, :3])
        fused = self.fuser().fuse_tensors(luma, pairs[:, 3:4]).clone()  # out of inference mode for autograd
        return (merge_luma_chroma(fused, chroma) * 255.0).round().clamp(0, 255)

    def forward(self, data: dict, training: bool = False) -> dict:
        inputs = data["inputs"]
        by_size: dict[tuple, list[int]] = {}
        for index, image in enumerate(inputs):
            if image.shape[0] != 4:
                raise ValueError("FusionDetDataPreprocessor takes 4-channel pairs (LoadKaistPair), got "
                                 f"{image.shape[0]} channels")
            by_size.setdefault(tuple(image.shape), []).append(index)
        fused: list[torch.Tensor | None] = [None] * len(inputs)
        for indices in by_size.values():
            for index, image in zip(indices, self.fuse(torch.stack([inputs[i] for i in indices]))):
                fused[index] = image
        return super().forward({**data, "inputs": fused}, training)
