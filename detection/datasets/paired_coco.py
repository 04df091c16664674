"""Colour/thermal pairs as one MMDetection sample: a COCO dataset that names both images of a frame, and the
transform that reads them as one ``(H, W, 4)`` array (B, G, R, thermal).

The pairs come from a derived dataset of ``tools/fuse_dataset.py`` (KAIST, LLVIP or MSRS alike): its
``visible/`` and ``lwir/`` folders hold the source bands under the file names of the COCO annotations, so
``data_prefix=dict(img='visible/', thermal='lwir/')`` names both images of every frame. Stacked in one array,
the bands go through ``Resize``, ``RandomFlip`` and ``RandomCrop`` together, pixel for pixel.
"""
from __future__ import annotations

import os.path as osp

import cv2
import mmcv
import numpy as np
from mmcv.transforms import BaseTransform
from mmdet.datasets import CocoDataset
from mmdet.registry import DATASETS, TRANSFORMS
from mmengine import fileio

@DATASETS.register_module()
class PairedCocoDataset(CocoDataset):
    """``CocoDataset`` whose samples also carry ``thermal_path``: ``data_prefix['thermal']`` joined with the
    image's ``file_name`` (``img_path`` is ``data_prefix['img']`` joined with it, as in ``CocoDataset``)."""

    def parse_data_info(self, raw_data_info: dict) -> dict | list[dict]:
        if "thermal" not in self.data_prefix:
            raise KeyError("PairedCocoDataset needs data_prefix=dict(img=..., thermal=...): the folders of the "
                           "visible and the thermal images (visible/ and lwir/ of tools/fuse_dataset.py)")
        data_info = super().parse_data_info(raw_data_info)
        file_name = raw_data_info["raw_img_info"]["file_name"]
        data_info["thermal_path"] = osp.join(self.data_prefix["thermal"], file_name)
        return data_info


def _read(path: str, flag: str, backend_args: dict | None) -> np.ndarray:
    """Decode one image; a missing or unreadable file is an error naming it."""
    try:
        image = mmcv.imfrombytes(fileio.get(path, backend_args=backend_args), flag=flag, backend="cv2")
    except FileNotFoundError as error:
        raise FileNotFoundError(f"{path}: missing; the pair's bands come from tools/fuse_dataset.py "
                                "--methods visible,lwir") from error
    if image is None:
        raise ValueError(f"{path}: not a readable image (truncated or another format?)")
    return image


def stack_pair(visible: np.ndarray, thermal: np.ndarray, names: tuple[str, str] = ("visible", "thermal")
               ) -> np.ndarray:
    """A colour/thermal pair as one ``(H, W, 4)`` image: B, G, R, thermal.

    A greyscale visible image is repeated to B, G, R; a colour thermal image is converted to grey.

    Raises:
        ValueError: the two images differ in size (the message uses ``names``: file paths, or the bands).
    """
    if visible.shape[:2] != thermal.shape[:2]:
        raise ValueError(f"pair of different sizes: {names[0]} is {visible.shape[1]}x{visible.shape[0]}, "
                         f"{names[1]} {thermal.shape[1]}x{thermal.shape[0]}")
    visible = np.repeat(visible[..., None], 3, axis=2) if visible.ndim == 2 else visible
    thermal = cv2.cvtColor(thermal, cv2.COLOR_BGR2GRAY) if thermal.ndim == 3 else thermal
    return np.dstack([visible, thermal])


@TRANSFORMS.register_module()
class LoadImagePair(BaseTransform):
    """Read ``img_path`` (visible, colour) and ``thermal_path`` (greyscale) as one ``(H, W, 4)`` ``uint8`` image.

    The visible image is decoded in colour (a greyscale one repeated to B, G, R), the thermal one in greyscale
    (as ``fusion``'s readers do). ``img_shape`` and ``ori_shape`` are set as ``LoadImageFromFile`` sets them.

    Args:
        backend_args: mmengine file backend arguments.

    Raises (at transform time):
        ValueError: the two images differ in size (the message names both files).
    """

    def __init__(self, backend_args: dict | None = None) -> None:
        self.backend_args = backend_args

    def transform(self, results: dict) -> dict:
        if "thermal_path" not in results:
            raise KeyError("LoadImagePair reads thermal_path: use it with PairedCocoDataset")
        visible = _read(results["img_path"], "color", self.backend_args)
        thermal = _read(results["thermal_path"], "grayscale", self.backend_args)
        results["img"] = stack_pair(visible, thermal, (results["img_path"], results["thermal_path"]))
        results["img_shape"] = results["ori_shape"] = visible.shape[:2]
        return results

    def __repr__(self) -> str:
        return f"{type(self).__name__}(backend_args={self.backend_args!r})"
