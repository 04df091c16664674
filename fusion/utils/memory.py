"""Keep a long-running process's memory from growing with the number of images it has handled.

glibc serves a freed block of more than 128 KiB to the heap thereafter ("dynamic mmap threshold"): after
the first decoded 640x512 image is freed, image-sized arrays come from the heap, and freed ones leave holes
that small live objects keep from being returned (measured: a decoding worker of ``fuse_dataset`` grew by
about 2 MiB per pair, 275 -> 811 MiB anonymous memory over 72 -> 576 KAIST pairs).
:func:`release_free_heap` (``malloc_trim(0)``: the free pages of every arena, holes included), called after
each batch by the decoding workers and by the process that fuses and encodes, keeps both flat. Fixing the
threshold instead (``mallopt(M_MMAP_THRESHOLD)``) also bounded the memory but made decoding 40 % and JPEG
encoding 4x slower (a fresh mapping and its page faults per array). Figures: ``bench/NOTES.md``.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import functools
import sys


@functools.lru_cache(maxsize=1)
def _malloc_trim():
    """glibc's ``malloc_trim``, or None where the C library has none."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        trim = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes = (ctypes.c_size_t,)
    trim.restype = ctypes.c_int
    return trim


def release_free_heap() -> bool:
    """Return the free pages of every malloc arena to the system.

    Returns:
        True where glibc's ``malloc_trim`` exists (whether or not it found pages to return); False
        elsewhere, where there is nothing to do (other allocators do not keep the holes).
    """
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True

