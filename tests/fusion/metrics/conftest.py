"""Small deterministic 'natural-ish' greyscale images for the metric tests: smooth structure, edges, texture."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy import ndimage


def make_scene(shape: tuple[int, int], seed: int) -> np.ndarray:
    """A float image on [0, 255]: smooth random field + a bright rectangle (edges) + fine texture, rounded."""
    rng = np.random.default_rng(seed)
    field = ndimage.gaussian_filter(rng.normal(size=shape), sigma=4)
    field = (field - field.min()) / (field.max() - field.min()) * 160 + 30
    h, w = shape
    field[h // 4:h // 2, w // 3:2 * w // 3] += 60
    field += rng.normal(scale=4, size=shape)
    return np.clip(np.rint(field), 0, 255)


@pytest.fixture
def ir_vis() -> tuple[np.ndarray, np.ndarray]:
    """A 64x72 (infrared, visible) pair."""
    return make_scene((64, 72), 0), make_scene((64, 72), 1)


@pytest.fixture(autouse=True)
def single_torch_thread():
    """Run the metrics single-threaded, as tools/eval_fusion.py does: their tensors are small, and OpenMP
    threads on a busy machine cost more than they save."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
