"""What one method folder is made with: the fusion method (or passthrough band) and the options that set its pixels.

:attr:`MethodSpec.settings` is what a folder's ``meta.json`` records and what a later run into the same folder
must repeat exactly: method, registered config, checkpoint sha256, colour or grey, output scaling, compute
dtype and JPEG quality. The checkpoint's path is recorded but not compared (the same weights may move).
"""
from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

import torch

from ...apis.checkpoint import file_sha256, read_fusion_checkpoint
from ...apis.inference import OUTPUT_MODES, Fuser, build_fusion_model, default_checkpoint, make_fuser
from ...registry import FUSION_MODELS
from .pixels import PASSTHROUGH_BANDS

DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}
"""Compute dtypes: float32 runs as is; the others run the model under ``torch.autocast``."""


@dataclass(frozen=True)
class PixelOptions:
    """Options that change the written pixels.

    Attributes:
        colour: fuse the visible luminance and put the visible chroma back (else write greyscale).
        output: ``"minmax"`` or ``"clip"`` (see :mod:`fusion.apis.inference`).
        jpeg_quality: JPEG quality of the written images (0-100).
        dtype: compute dtype of the fusion method, a key of :data:`DTYPES`.
    """

    colour: bool = True
    output: str = "minmax"
    jpeg_quality: int = 95
    dtype: str = "float32"

    def __post_init__(self) -> None:
        if self.output not in OUTPUT_MODES:
            raise ValueError(f"output must be one of {OUTPUT_MODES}, got {self.output!r}")
        if not 0 <= self.jpeg_quality <= 100:
            raise ValueError(f"JPEG quality must be 0-100, got {self.jpeg_quality}")
        if self.dtype not in DTYPES:
            raise ValueError(f"dtype must be one of {', '.join(DTYPES)}, got {self.dtype!r}")


@dataclass(frozen=True)
class MethodSpec:
    """A method ready to fill its folder.

    Attributes:
        name: folder name: a registered fusion method or a passthrough band (``visible``, ``lwir``).
        fuser: the loaded method, or None for a passthrough.
        pixels: the pixel options.
        settings: the record a folder's runs must agree on (see the module docstring).
        checkpoint: ``{"path", "sha256"}`` of the weights, or None for a method without weights.
    """

    name: str
    fuser: Fuser | None
    pixels: PixelOptions
    settings: dict
    checkpoint: dict | None

    @property
    def passthrough(self) -> bool:
        return self.fuser is None

    def autocast(self) -> contextlib.AbstractContextManager:
        """The context the model runs in: ``torch.autocast`` for a reduced dtype, else nothing."""
        if self.fuser is None or self.pixels.dtype == "float32":
            return contextlib.nullcontext()
        return torch.autocast(self.fuser.device.type, dtype=DTYPES[self.pixels.dtype])


def available_methods() -> list[str]:
    """Registered fusion methods, then the passthrough bands."""
    return [*sorted(FUSION_MODELS.module_dict), *PASSTHROUGH_BANDS]


def split_folder(name: str) -> tuple[str, str]:
    """``FOLDER=METHOD`` (or ``METHOD``, its own folder) -> ``(folder, method)``.

    Raises:
        ValueError: an empty part, or a folder named after another method or band (it would read as that one).
    """
    folder, sep, method = name.partition("=")
    if not sep:
        return name, name
    if not folder or not method or "/" in folder:
        raise ValueError(f"expected FOLDER=METHOD, got {name!r}")
    if folder in available_methods() and folder != method:
        raise ValueError(f"folder {folder!r} is the name of another method: choose a new one (e.g. {method}_tuned)")
    return folder, method


def build_method(name: str, pixels: PixelOptions, checkpoint: str | Path | None = None,
                 device: str | torch.device = "cpu", backend: str = "auto") -> MethodSpec:
    """Load a method (its weights from ``checkpoint``, else the shipped ones) and describe its folder.

    ``name`` is a method, whose folder it names, or ``FOLDER=METHOD`` to write the method into another folder
    (e.g. ``msfam_tuned=msfam`` with a fine-tuned checkpoint, beside the shipped MSFAM's ``msfam/``).
    ``backend`` is where a network runs (:func:`fusion.apis.inference.make_fuser`); ``auto`` keeps torch
    for a dtype other than float32.

    Raises:
        KeyError: unknown method (the message lists the available ones).
        ValueError: a checkpoint for a passthrough band, or a checkpoint of another method, or the
            onnxruntime backend with a dtype other than float32, or a folder named after another method.
        FileNotFoundError: a network without weights.
    """
    folder, method = split_folder(name)
    if name != folder:
        spec = build_method(method, pixels, checkpoint, device, backend)
        return MethodSpec(folder, spec.fuser, spec.pixels, spec.settings, spec.checkpoint)
    if name in PASSTHROUGH_BANDS:
        if checkpoint is not None:
            raise ValueError(f"{name!r} passes the source band through and takes no checkpoint")
        settings = {"method": name, "model": None, "checkpoint_sha256": None, "colour": pixels.colour,
                    "encoding": "copy of JPEG sources, other formats as jpeg" if pixels.colour else "jpeg",
                    "jpeg_quality": pixels.jpeg_quality}
        return MethodSpec(name, None, pixels, settings, None)
    if name not in FUSION_MODELS.module_dict:
        raise KeyError(f"unknown method {name!r}; available: {', '.join(available_methods())}")
    if backend == "onnxruntime" and pixels.dtype != "float32":
        raise ValueError(f"the {backend} backend runs in float32; got dtype {pixels.dtype}")
    if pixels.dtype != "float32":
        backend = "torch"
    model = build_fusion_model(name, checkpoint)
    if checkpoint is None and any(True for _ in model.parameters()):
        checkpoint = default_checkpoint(name)  # the shipped weights build_fusion_model loaded
    config = {"type": name} if checkpoint is None else dict(read_fusion_checkpoint(checkpoint)["model"])
    record = None if checkpoint is None else {"path": str(checkpoint), "sha256": file_sha256(checkpoint)}
    settings = {"method": name, "model": config, "checkpoint_sha256": record and record["sha256"],
                "colour": pixels.colour, "output": pixels.output, "dtype": pixels.dtype, "encoding": "jpeg",
                "jpeg_quality": pixels.jpeg_quality}
    return MethodSpec(name, make_fuser(model, device, pixels.output, backend), pixels, settings, record)
