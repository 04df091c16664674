"""release_free_heap on glibc, and its calls in fuse_dataset's decoding workers and fusing process."""
from __future__ import annotations

import contextlib
import platform
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
import torch

from fusion.jobs.fuse_dataset import pipeline, pixels
from fusion.utils.memory import release_free_heap

GLIBC = platform.libc_ver()[0] == "glibc"

# Puts 60 arrays of 1 MiB on the heap between small pinned blocks, frees the arrays (holes the heap cannot
# shrink past), then prints the anonymous resident memory (MiB) before and after release_free_heap().
HOLES = """
import ctypes
from fusion.utils.memory import release_free_heap
libc = ctypes.CDLL("libc.so.6")
libc.malloc.restype = ctypes.c_void_p; libc.malloc.argtypes = [ctypes.c_size_t]
libc.free.argtypes = [ctypes.c_void_p]; libc.memset.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_size_t]
libc.mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
libc.mallopt(-3, 16 * 2**20)  # M_MMAP_THRESHOLD: megabyte blocks from the heap, as after glibc's dynamic raise
libc.mallopt(-1, 2**30)  # M_TRIM_THRESHOLD: free() itself trims nothing
def rss_anon():
    return next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("RssAnon:")) / 1024
blocks, pins = [], []
for _ in range(60):
    block = libc.malloc(2**20); libc.memset(block, 1, 2**20); blocks.append(block); pins.append(libc.malloc(64))
for block in blocks:
    libc.free(block)
before = rss_anon(); release_free_heap(); print(before, rss_anon())
"""


@pytest.mark.skipif(not GLIBC, reason="malloc_trim is glibc's")
def test_release_returns_heap_holes():
    result = subprocess.run([sys.executable, "-c", HOLES], capture_output=True, text=True, check=True)
    before, after = map(float, result.stdout.split())
    assert before - after > 40  # most of the 60 MiB of holes go back


def test_release_reports_whether_it_could_act():
    assert release_free_heap() is GLIBC


def test_each_decoded_batch_releases_the_heap(monkeypatch):
    calls = []
    monkeypatch.setattr(pixels, "release_free_heap", lambda: calls.append(True))
    item = {"index": 0, "error": None, "vis": torch.zeros(1, 4, 4), "ir": torch.zeros(1, 4, 4), "chroma": None}
    pixels.collate_pairs([item, dict(item, index=1)])
    assert calls == [True]



def test_the_fusing_process_releases_after_each_batch(monkeypatch):
    calls = []
    monkeypatch.setattr(pipeline, "release_free_heap", lambda: calls.append(True))
    batch = {"indices": [0], "failures": [], "vis": torch.rand(1, 1, 8, 8), "ir": torch.rand(1, 1, 8, 8),
             "chroma": None}
    monkeypatch.setattr(pipeline, "DataLoader", lambda *args, **kwargs: [batch, batch])
    written = []
    monkeypatch.setattr(pipeline, "_write_fused", lambda *args: written.append(args[-1]))
    spec = SimpleNamespace(pixels=SimpleNamespace(colour=False, jpeg_quality=90), autocast=contextlib.nullcontext,
                           fuser=SimpleNamespace(device=torch.device("cpu"), fuse_tensors=lambda vis, ir: vis))
    frame = SimpleNamespace(frame_id="set00/V000/I00000", frame=SimpleNamespace(relative_path="x.jpg"))
    pipeline.fuse_batches(spec, [([frame], [True])], Path("out"), 0, lambda results: None)
    assert calls == [True, True] and len(written) == 2
