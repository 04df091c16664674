"""Fuse infrared/visible pairs with any registered method, on CPU or GPU.

Images follow OpenCV's conventions: ``uint8`` arrays, greyscale ``(H, W)`` or colour BGR ``(H, W, 3)``.
A greyscale visible image gives a greyscale result. A colour visible image is fused through its luminance
(YCrCb, ITU-R BT.601) and the visible chroma is put back, giving a colour result (as SeAFusion does); a
3-channel thermal image is made greyscale first.

Output scaling (``output=``): ``"minmax"`` stretches each fused luminance to 0..255 (the paper's
convention), ``"clip"`` keeps the network's scale and clips to 0..255.

Memory format (``channels_last=``, default on): the model's weights and its inputs are put in channels-last
(NHWC) layout, which oneDNN (CPU) and cuDNN run faster; outputs equal the default layout's to float rounding
(bench/NOTES.md has the measurements).
"""
from __future__ import annotations

import importlib.util
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

import cv2
import numpy as np
import torch
from torch import nn

from .. import models  # noqa: F401  (registers every fusion method)
from ..registry import FUSION_MODELS
from .checkpoint import build_from_checkpoint

DEFAULT_WEIGHTS_DIR = Path(__file__).resolve().parents[1] / "weights"
OUTPUT_MODES = ("minmax", "clip")
#: Where a network runs: PyTorch, or its ONNX graph in onnxruntime (:mod:`.onnx_backend`); ``auto`` takes
#: onnxruntime for a network on the CPU when it is installed (1.2-1.3x faster here, bench/bench_onnx.py),
#: else PyTorch.
BACKENDS = ("auto", "torch", "onnxruntime")


def default_checkpoint(method: str) -> Path | None:
    """The shipped weights of ``method`` (``fusion/weights/<method>.pth``), or None if none are shipped."""
    path = DEFAULT_WEIGHTS_DIR / f"{method}.pth"
    return path if path.is_file() else None


def build_fusion_model(method: str, checkpoint: str | Path | None = None) -> nn.Module:
    """Build a registered fusion method; networks get their weights from ``checkpoint`` or the shipped ones.

    Raises:
        KeyError: unknown method (the message lists the registered ones).
        FileNotFoundError: a trained network with no checkpoint given and none shipped.
        ValueError: the checkpoint holds another method or another architecture.
    """
    if method not in FUSION_MODELS.module_dict:
        raise KeyError(f"unknown fusion method {method!r}; registered: {', '.join(sorted(FUSION_MODELS.module_dict))}")
    if checkpoint is None:
        model = FUSION_MODELS.build(dict(type=method))
        if not any(True for _ in model.parameters()):
            return model.eval()
        checkpoint = default_checkpoint(method)
        if checkpoint is None:
            raise FileNotFoundError(f"{method!r} is a trained network and no checkpoint was given, and no default "
                                    f"weights are shipped in {DEFAULT_WEIGHTS_DIR}: pass a checkpoint")
    model, _ = build_from_checkpoint(checkpoint, expected_type=method)
    return model


def split_luma_chroma(bgr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """BGR ``uint8 (H, W, 3)`` -> luminance ``float32 (H, W)`` in [0, 1] and chroma ``float32 (H, W, 2)`` (Cr, Cb)."""
    ycrcb = cv2.cvtColor(bgr.astype(np.float32) / 255.0, cv2.COLOR_BGR2YCrCb)
    return ycrcb[..., 0], ycrcb[..., 1:]


def merge_luma_chroma(luma: np.ndarray, chroma: np.ndarray) -> np.ndarray:
    """Inverse of :func:`split_luma_chroma`: luminance in [0, 1] and (Cr, Cb) -> BGR ``uint8``."""
    ycrcb = np.concatenate([luma[..., None].astype(np.float32), chroma], axis=-1)
    return to_uint8(cv2.cvtColor(ycrcb, cv2.COLOR_YCrCb2BGR))


def to_uint8(image: np.ndarray) -> np.ndarray:
    """Float image in [0, 1] -> ``uint8`` 0..255 (clipped, rounded)."""
    return np.clip(np.rint(image * 255.0), 0, 255).astype(np.uint8)


def scale_output(fused: torch.Tensor, mode: str) -> torch.Tensor:
    """Map raw fused ``(B, 1, H, W)`` images to [0, 1]: per-image min-max stretch, or clip."""
    if mode == "clip":
        return fused.clamp(0, 1)
    if mode != "minmax":
        raise ValueError(f"output must be one of {OUTPUT_MODES}, got {mode!r}")
    low = fused.amin(dim=(1, 2, 3), keepdim=True)
    high = fused.amax(dim=(1, 2, 3), keepdim=True)
    return (fused - low) / (high - low).clamp_min(1e-12)


class Fuser:
    """A fusion method ready for inference on one device.

    Args:
        model: a ``FUSION_MODELS`` module (``forward(vis, ir)`` on ``(B, 1, H, W)`` in [0, 1]).
        device: where the model runs (``"cpu"``, ``"cuda"``, ``"cuda:1"``, ...).
        output: ``"minmax"`` or ``"clip"`` (see the module docstring).
        channels_last: run the model in channels-last memory format (see the module docstring).
    """

    #: What runs the model (see :data:`BACKENDS`).
    backend = "torch"

    def __init__(self, model: nn.Module, device: str | torch.device = "cpu", output: str = "minmax",
                 channels_last: bool = True) -> None:
        if output not in OUTPUT_MODES:
            raise ValueError(f"output must be one of {OUTPUT_MODES}, got {output!r}")
        self.device = torch.device(device)
        self.memory_format = torch.channels_last if channels_last else torch.contiguous_format
        self.model = model.to(self.device, memory_format=self.memory_format).eval()
        self.output = output

    @torch.inference_mode()
    def fuse_tensors(self, vis: torch.Tensor, ir: torch.Tensor) -> torch.Tensor:
        """Fuse ``(B, 1, H, W)`` luminance tensors in [0, 1]; returns ``(B, 1, H, W)`` in [0, 1] on the model's
        device."""
        vis, ir = (x.to(self.device, torch.float32).contiguous(memory_format=self.memory_format)
                   for x in (vis, ir))
        fused = self.model(vis, ir)
        return scale_output(fused.float(), self.output).contiguous()

    def fuse(self, vis: np.ndarray, ir: np.ndarray) -> np.ndarray:
        """Fuse one pair of ``uint8`` images; colour visible in, colour out (see the module docstring)."""
        return self.fuse_batch([(vis, ir)])[0]

    def fuse_batch(self, pairs: Sequence[tuple[np.ndarray, np.ndarray]], batch_size: int = 8) -> list[np.ndarray]:
        """Fuse many pairs; pairs of equal size run together in batches of ``batch_size``.

        Returns:
            The fused images in the order of ``pairs``.
        """
        prepared = [prepare_pair(vis, ir, index) for index, (vis, ir) in enumerate(pairs)]
        by_size: dict[tuple[int, int], list[int]] = defaultdict(list)
        for index, (luma, _, _) in enumerate(prepared):
            by_size[luma.shape].append(index)
        results: list[np.ndarray | None] = [None] * len(prepared)
        for indices in by_size.values():
            for chunk in _chunks(indices, batch_size):
                vis = torch.from_numpy(np.stack([prepared[i][0] for i in chunk]))[:, None]
                ir = torch.from_numpy(np.stack([prepared[i][1] for i in chunk]))[:, None]
                fused = self.fuse_tensors(vis, ir)[:, 0].cpu().numpy()
                for i, luma in zip(chunk, fused):
                    chroma = prepared[i][2]
                    results[i] = to_uint8(luma) if chroma is None else merge_luma_chroma(luma, chroma)
        return results  # type: ignore[return-value]


def load_fuser(method: str = "msfam", checkpoint: str | Path | None = None, device: str | torch.device = "cpu",
               output: str = "minmax", backend: str = "auto") -> Fuser:
    """Build ``method`` (with its checkpoint, or the shipped weights) and wrap it for inference.

    Args:
        backend: ``"auto"`` (:func:`resolve_backend`), ``"torch"``, or ``"onnxruntime"`` (a network's ONNX
            graph, exported in memory; needs the ``onnx`` extra). The classical methods run in PyTorch.
    """
    return make_fuser(build_fusion_model(method, checkpoint), device, output, backend)


def resolve_backend(backend: str, model: nn.Module, device: str | torch.device = "cpu") -> str:
    """The backend ``backend`` means for ``model`` on ``device``: ``auto`` is onnxruntime for a network on
    the CPU when onnxruntime is installed, else torch; training-free methods always run in torch."""
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}, got {backend!r}")
    if not any(True for _ in model.parameters()):
        return "torch"
    if backend == "auto":
        on_cpu = torch.device(device).type == "cpu"
        return "onnxruntime" if on_cpu and importlib.util.find_spec("onnxruntime") is not None else "torch"
    return backend


def make_fuser(model: nn.Module, device: str | torch.device = "cpu", output: str = "minmax",
               backend: str = "auto") -> Fuser:
    """Wrap a built fusion method for inference with ``backend`` (see :func:`load_fuser`)."""
    if resolve_backend(backend, model, device) == "onnxruntime":
        from .onnx_backend import OnnxFuser

        return OnnxFuser(model, device=device, output=output)
    return Fuser(model, device=device, output=output)


def prepare_pair(vis: np.ndarray, ir: np.ndarray, index: int) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Check a pair and return (visible luminance, infrared, visible chroma or None), floats in [0, 1]."""
    for name, image in (("visible", vis), ("infrared", ir)):
        if image.dtype != np.uint8 or image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[2] != 3):
            raise ValueError(f"pair {index}: the {name} image must be uint8 (H, W) or (H, W, 3), "
                             f"got {image.dtype} {image.shape}")
    if vis.shape[:2] != ir.shape[:2]:
        raise ValueError(f"pair {index}: visible {vis.shape[1]}x{vis.shape[0]} and infrared "
                         f"{ir.shape[1]}x{ir.shape[0]} differ in size")
    ir_grey = cv2.cvtColor(ir, cv2.COLOR_BGR2GRAY) if ir.ndim == 3 else ir
    if vis.ndim == 3:
        luma, chroma = split_luma_chroma(vis)
    else:
        luma, chroma = vis.astype(np.float32) / 255.0, None
    return luma, ir_grey.astype(np.float32) / 255.0, chroma


def _chunks(items: Sequence[int], size: int) -> Iterable[Sequence[int]]:
    if size < 1:
        raise ValueError(f"batch_size must be >= 1, got {size}")
    for start in range(0, len(items), size):
        yield items[start:start + size]
