"""Fusion networks outside PyTorch: ONNX export, and an onnxruntime backend behind :class:`.Fuser`.

The exported graph is the network alone: inputs ``visible`` and ``infrared``, float32 ``(B, 1, H, W)`` in
[0, 1]; output ``fused``, ``(B, 1, H, W)`` before the output scaling (which :class:`OnnxFuser` applies as
:class:`.Fuser` does). Batch, height and width are dynamic (any size the network takes: each side >= 8 px).
The export uses PyTorch's TorchScript-based exporter (``dynamo=False``; the dynamo exporter needs
``onnxscript``) at opset :data:`OPSET`; the graph runs in onnxruntime, OpenVINO and TensorRT.

Optional dependencies: ``pip install -e ".[onnx]"`` (onnx, onnxruntime).
"""
from __future__ import annotations

import copy
import io
import warnings
from pathlib import Path
from types import ModuleType

import numpy as np
import torch
from torch import nn

from .inference import Fuser, scale_output

#: ONNX opset of the exported graphs.
OPSET = 17
#: Largest difference between onnxruntime's and PyTorch's raw float32 outputs accepted (tested on real pairs).
PARITY_TOLERANCE = 1e-5
INPUT_NAMES = ("visible", "infrared")
OUTPUT_NAME = "fused"


def require_onnxruntime() -> ModuleType:
    """The ``onnxruntime`` module.

    Raises:
        ImportError: not installed (the message says how to install it).
    """
    try:
        import onnxruntime
    except ImportError as error:
        raise ImportError('the onnxruntime backend needs onnxruntime: pip install -e ".[onnx]" '
                          "(or pip install onnx onnxruntime)") from error
    return onnxruntime


def export_onnx(model: nn.Module, target: str | Path | io.BytesIO, opset: int = OPSET) -> None:
    """Export a fusion network to ONNX with dynamic batch, height and width.

    Args:
        model: a fusion network (``forward(vis, ir)``); exported from a float32 CPU copy, in eval mode.
        target: a file path, or a buffer the graph is written to.
        opset: ONNX opset.

    Raises:
        ValueError: a method without parameters (the classical methods are not networks).
    """
    if not any(True for _ in model.parameters()):
        raise ValueError(f"{type(model).__name__} has no parameters: ONNX export is for the fusion networks")
    exported = exportable(model)
    sample = torch.rand(1, 1, 64, 80)
    axes = {0: "batch", 2: "height", 3: "width"}
    with warnings.catch_warnings():  # the TorchScript exporter's deprecation and tracer warnings
        warnings.simplefilter("ignore")
        torch.onnx.export(exported, (sample, sample.clone()), target, dynamo=False, opset_version=opset,
                          input_names=list(INPUT_NAMES), output_names=[OUTPUT_NAME],
                          dynamic_axes={name: axes for name in (*INPUT_NAMES, OUTPUT_NAME)})


class TwoPassInstanceNorm(nn.Module):
    """``nn.InstanceNorm2d`` (no running statistics) with its means taken row by row, then over the rows.

    onnxruntime's ``InstanceNormalization`` and ``ReduceMean`` kernels sum a whole map in one float32 pass;
    over 640x512 pixels that loses enough precision to move MSFAM's output by 2e-4 (PyTorch is 5e-7 from a
    float64 reference). Averaging each row first, then the row means, keeps every sum short; the exported
    graph uses this form, and the mean of squared deviations (two passes) for the variance.
    """

    def __init__(self, norm: nn.InstanceNorm2d) -> None:
        super().__init__()
        self.eps = norm.eps
        self.weight = norm.weight
        self.bias = norm.bias

    @staticmethod
    def spatial_mean(x: torch.Tensor) -> torch.Tensor:
        """``x.mean(dim=(2, 3), keepdim=True)`` as a mean of row means."""
        return x.mean(dim=3, keepdim=True).mean(dim=2, keepdim=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        centred = x - self.spatial_mean(x)
        scaled = centred * torch.rsqrt(self.spatial_mean(centred.square()) + self.eps)
        if self.weight is None:
            return scaled
        return scaled * self.weight[None, :, None, None] + self.bias[None, :, None, None]


def _float32_cpu_copy(model: nn.Module) -> nn.Module:
    """A float32 CPU copy in contiguous layout and eval mode (the caller's model is left as it is)."""
    return copy.deepcopy(model).to("cpu", torch.float32, memory_format=torch.contiguous_format).eval()


def exportable(model: nn.Module) -> nn.Module:
    """The model as exported: :func:`_float32_cpu_copy` with its instance norms as :class:`TwoPassInstanceNorm`.

    Raises:
        ValueError: an instance norm with running statistics (not a fusion network of this project).
    """
    exported = _float32_cpu_copy(model)
    for name, module in list(exported.named_modules()):
        if isinstance(module, nn.InstanceNorm2d):
            if module.track_running_stats:
                raise ValueError(f"{name}: instance norm with running statistics is not supported by the export")
            parent_name, _, child = name.rpartition(".")
            setattr(exported.get_submodule(parent_name), child, TwoPassInstanceNorm(module))
    return exported


class OnnxFuser(Fuser):
    """A :class:`.Fuser` that runs the network's ONNX graph in onnxruntime.

    Args:
        model: the fusion network (exported in memory unless ``onnx_file`` is given; kept as ``self.model``
            for parameter counts and provenance).
        device: ``cpu`` (CPUExecutionProvider) or ``cuda[:N]`` (CUDAExecutionProvider when onnxruntime-gpu
            offers it); results are returned on this device.
        output: ``"minmax"`` or ``"clip"`` (see :mod:`.inference`).
        onnx_file: an exported graph of this network to run instead of exporting one.
        threads: onnxruntime's intra-op threads (default: its own choice, one per physical core).
    """

    backend = "onnxruntime"

    def __init__(self, model: nn.Module, device: str | torch.device = "cpu", output: str = "minmax",
                 onnx_file: str | Path | None = None, threads: int | None = None) -> None:
        super().__init__(model, device="cpu", output=output, channels_last=False)
        onnxruntime = require_onnxruntime()
        self.device = torch.device(device)
        providers = ["CPUExecutionProvider"]
        if self.device.type == "cuda":
            if "CUDAExecutionProvider" not in onnxruntime.get_available_providers():
                raise RuntimeError("device cuda asked of the onnxruntime backend, but this onnxruntime has no "
                                   "CUDAExecutionProvider: install onnxruntime-gpu, or use the torch backend")
            providers.insert(0, ("CUDAExecutionProvider", {"device_id": self.device.index or 0}))
        if onnx_file is None:
            buffer = io.BytesIO()
            export_onnx(model, buffer)
            source: bytes | str = buffer.getvalue()
        else:
            source = str(onnx_file)
        options = onnxruntime.SessionOptions()
        if threads is not None:
            options.intra_op_num_threads = threads
        self.session = onnxruntime.InferenceSession(source, options, providers=providers)

    def fuse_tensors(self, vis: torch.Tensor, ir: torch.Tensor) -> torch.Tensor:
        """Fuse ``(B, 1, H, W)`` luminance tensors in [0, 1] with onnxruntime; returns ``(B, 1, H, W)`` in
        [0, 1] on :attr:`device`."""
        feeds = {name: np.ascontiguousarray(x.detach().to("cpu", torch.float32).numpy())
                 for name, x in zip(INPUT_NAMES, (vis, ir))}
        fused = torch.from_numpy(self.session.run([OUTPUT_NAME], feeds)[0])
        return scale_output(fused, self.output).contiguous().to(self.device)


def raw_difference(model: nn.Module, onnx_file: str | Path, pairs: list[tuple[torch.Tensor, torch.Tensor]]) -> float:
    """Largest ``|onnxruntime - PyTorch|`` over the raw float32 outputs of ``pairs`` (``(B, 1, H, W)`` tensors)."""
    onnxruntime = require_onnxruntime()
    session = onnxruntime.InferenceSession(str(onnx_file), providers=["CPUExecutionProvider"])
    reference = _float32_cpu_copy(model)
    worst = 0.0
    for vis, ir in pairs:
        with torch.inference_mode():
            expected = reference(vis.float(), ir.float()).numpy()
        got = session.run([OUTPUT_NAME], {INPUT_NAMES[0]: vis.float().numpy(), INPUT_NAMES[1]: ir.float().numpy()})[0]
        worst = max(worst, float(np.abs(got - expected).max()))
    return worst
