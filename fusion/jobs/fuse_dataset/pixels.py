"""Decode a visible/infrared pair into the model's inputs, and encode a fused (or passed-through) image as JPEG.

Decoding follows :mod:`fusion.apis.inference`: the visible image is read in colour and split into its
luminance, which is fused, and its chroma (YCrCb, BT.601), which is put back on the fused luminance
(:func:`~fusion.apis.inference.merge_luma_chroma`); with ``colour=False`` the fused luminance is written as
a greyscale image. The thermal image (a 3-channel JPEG in KAIST) is decoded straight to greyscale, which
gives the JPEG's own luminance channel.

"""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import torch
from torch.utils.data import Dataset

from ...apis.inference import merge_luma_chroma, split_luma_chroma, to_uint8
from ...utils.memory import release_free_heap
from .frames import SourceFrame

PASSTHROUGH_BANDS = ("visible", "lwir")
"""Methods that copy a source band: the visible image and the (long-wave) infrared image, in every dataset."""
JPEG_SUFFIXES = (".jpg", ".jpeg")


class PairDecoder(Dataset):
    """Decoded pairs of usable frames, for a ``DataLoader`` (decoding then runs in its worker processes).

    Args:
        frames: the frames to decode.
        colour: also return the visible chroma.

    Item: a dict with ``index`` (into ``frames``), ``vis`` and ``ir`` ``float32 (1, H, W)`` in [0, 1],
    ``chroma`` ``float32 (H, W, 2)`` (None without colour), ``error`` None, or, when a file cannot be decoded
    after all, ``error`` ``(path, reason)`` and no images.
    """

    def __init__(self, frames: list[SourceFrame], colour: bool) -> None:
        self.frames = frames
        self.colour = colour

    def __len__(self) -> int:
        return len(self.frames)

    def __getitem__(self, index: int) -> dict:
        frame = self.frames[index]
        vis = cv2.imread(str(frame.frame.visible_path), cv2.IMREAD_COLOR)
        ir = cv2.imread(str(frame.frame.infrared_path), cv2.IMREAD_GRAYSCALE)
        for path, image in ((frame.frame.visible_path, vis), (frame.frame.infrared_path, ir)):
            if image is None:
                return {"index": index, "error": (path, "cannot be decoded")}
            if image.shape[:2] != (frame.height, frame.width):
                return {"index": index, "error": (path, f"decodes to {image.shape[1]}x{image.shape[0]}, "
                                                        f"expected {frame.width}x{frame.height}")}
        luma, chroma = split_luma_chroma(vis)  # strided views of one YCrCb array: copy each out (fast stacking)
        return {"index": index, "error": None, "vis": torch.from_numpy(np.ascontiguousarray(luma))[None],
                "ir": torch.from_numpy(ir.astype(np.float32) / 255.0)[None],
                "chroma": torch.from_numpy(np.ascontiguousarray(chroma)) if self.colour else None}


def collate_pairs(items: list[dict]) -> dict:
    """Stack the decoded items of one batch (all of one size); undecodable ones go to ``failures``.

    Returns:
        ``{"indices": [...], "vis": (B, 1, H, W) | None, "ir": ..., "chroma": (B, H, W, 2) | None,
        "failures": [(index, path, reason), ...]}``.
    """
    good = [item for item in items if item["error"] is None]
    batch = {"indices": [item["index"] for item in good],
             "failures": [(item["index"], *item["error"]) for item in items if item["error"] is not None],
             "vis": None, "ir": None, "chroma": None}
    if good:
        batch["vis"] = torch.stack([item["vis"] for item in good])
        batch["ir"] = torch.stack([item["ir"] for item in good])
        if good[0]["chroma"] is not None:
            batch["chroma"] = torch.stack([item["chroma"] for item in good])
    release_free_heap()  # hand back the heap holes earlier batches' decoded images left (fusion.utils.memory)
    return batch


def encode_jpeg(image: np.ndarray, quality: int) -> bytes:
    """``uint8`` greyscale or BGR image -> JPEG bytes at ``quality`` (0-100)."""
    ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError(f"OpenCV could not encode a {image.shape} {image.dtype} image as JPEG")
    return data.tobytes()


def encode_fused(luma: np.ndarray, chroma: np.ndarray | None, quality: int) -> bytes:
    """Fused luminance ``float32 (H, W)`` in [0, 1] (+ visible chroma ``(H, W, 2)`` or None) -> JPEG bytes."""
    image = to_uint8(luma) if chroma is None else merge_luma_chroma(luma, chroma)
    return encode_jpeg(image, quality)


def passthrough_bytes(frame: SourceFrame, band: str, colour: bool, quality: int) -> bytes:
    """The output of the ``visible`` / ``lwir`` passthrough methods for one frame.

    In colour (the default) a JPEG source's bytes unchanged: the detector baseline sees exactly the dataset's
    image (KAIST, LLVIP), with no second JPEG generation; other sources (MSRS's PNG) are encoded at ``quality``
    as they are stored. Greyscale (``colour=False``): the image the fusion methods take as input, quantised
    to ``uint8`` and encoded at ``quality``: the visible luminance or the infrared image.

    Raises:
        ValueError: unknown band, or the source cannot be decoded.
    """
    if band not in PASSTHROUGH_BANDS:
        raise ValueError(f"band must be one of {PASSTHROUGH_BANDS}, got {band!r}")
    path: Path = frame.frame.visible_path if band == "visible" else frame.frame.infrared_path
    if colour and path.suffix.lower() in JPEG_SUFFIXES:
        return path.read_bytes()
    image = cv2.imread(str(path), cv2.IMREAD_COLOR if band == "visible" else cv2.IMREAD_GRAYSCALE)
    if image is None:
        raise ValueError(f"{path}: cannot be decoded")
    if band == "visible" and not colour:
        image = to_uint8(split_luma_chroma(image)[0])
    return encode_jpeg(image, quality)
