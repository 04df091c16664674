"""One image out of a colour/thermal pair: fused by a registered method, or one band passed through."""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from .inference import load_fuser

#: Names that pass a band through instead of fusing.
BANDS = ("visible", "lwir")


class PairFusion:
    """Turn a pair into the detector's input image (BGR ``uint8``).

    Args:
        method: a registered fusion method, or ``visible`` / ``lwir`` (that band, as BGR).
        checkpoint: weights of a fusion network (default: the shipped ones).
        device, backend: where the fusion network runs (:func:`.load_fuser`).
    """

    def __init__(self, method: str, checkpoint: str | Path | None = None, device: str = "cpu",
                 backend: str = "auto") -> None:
        if method in BANDS and checkpoint is not None:
            raise ValueError(f"{method!r} passes a band through and takes no checkpoint")
        self.method = method
        self.fuser = None if method in BANDS else load_fuser(method, checkpoint, device, backend=backend)

    def __call__(self, vis: np.ndarray, ir: np.ndarray) -> np.ndarray:
        image = {"visible": vis, "lwir": ir}[self.method] if self.fuser is None else self.fuser.fuse(vis, ir)
        return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR) if image.ndim == 2 else image
