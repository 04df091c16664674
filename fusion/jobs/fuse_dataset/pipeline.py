"""The work of one method folder: batches of frames in, images out.

:func:`plan_batches` cuts the usable frames into batches; :func:`fuse_batches` decodes them in ``DataLoader``
worker processes, fuses each whole batch and hands the images to write to writer threads
(:class:`~.writer.BoundedWriter`); :func:`copy_band` does the passthrough bands. Each image is written under a
temporary name and renamed (:func:`fusion.utils.files.atomic_write_bytes`).
"""
from __future__ import annotations

import signal
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

import cv2
import numpy as np
from torch.utils.data import DataLoader

from ...utils.files import atomic_write_bytes
from ...utils.memory import release_free_heap
from .frames import BadFrame, SourceFrame
from .methods import MethodSpec
from .pixels import PairDecoder, collate_pairs, encode_fused, passthrough_bytes
from .writer import BoundedWriter


def plan_batches(frames: Sequence[SourceFrame], batch_size: int) -> list[list[SourceFrame]]:
    """Batches of one image size, ``batch_size`` consecutive frames of the sorted list each.

    Batches are the unit of work and of sharding: they depend only on the usable frames and ``batch_size``,
    never on the shard or on the images already written. A frame is therefore always fused in the same
    batch, and since a model's floating-point result can depend on the batch it runs in (by rounding only),
    an interrupted, resumed or sharded run writes the same bytes as one uninterrupted run.
    """
    by_size: dict[tuple[int, int], list[SourceFrame]] = defaultdict(list)
    for frame in sorted(frames, key=lambda f: f.frame_id):
        by_size[(frame.width, frame.height)].append(frame)
    batches = [group[i:i + batch_size] for group in by_size.values() for i in range(0, len(group), batch_size)]
    return sorted(batches, key=lambda batch: batch[0].frame_id)


Work = list[tuple[list[SourceFrame], list[bool]]]
"""Batches with at least one missing image, each with its mask of frames to write."""
Settle = Callable[[list], None]
"""Receives finished frames: None for an image written, a :class:`~.frames.BadFrame` for one that failed."""


def fuse_batches(spec: MethodSpec, work: Work, folder: Path, workers: int, settle: Settle) -> None:
    """Decode (worker processes) -> fuse whole batches -> encode and write the missing frames (threads).

    Args:
        spec: a fusion method.
        work: the batches to fuse, with the frames to write.
        folder: the method folder.
        workers: decoding processes and writer threads (0: all in this process).
        settle: called with the frames as they finish.
    """
    frames: list[SourceFrame] = []
    write: list[bool] = []
    batches = []
    for batch, mask in work:
        batches.append(list(range(len(frames), len(frames) + len(batch))))
        frames += batch
        write += mask
    loader = DataLoader(PairDecoder(frames, spec.pixels.colour), collate_fn=collate_pairs, batch_sampler=batches,
                        num_workers=workers, pin_memory=spec.fuser.device.type == "cuda",
                        worker_init_fn=_init_worker if workers else None,
                        multiprocessing_context="spawn" if workers else None,
                        prefetch_factor=2 if workers else None)
    with _writer(workers, work) as writer:
        for decoded in loader:
            settle([BadFrame(frames[index].frame_id, "unreadable", str(path), reason)
                    for index, path, reason in decoded["failures"] if write[index]])
            if decoded["vis"] is None:
                continue
            with spec.autocast():
                fused = spec.fuser.fuse_tensors(decoded["vis"], decoded["ir"])
            luma = fused[:, 0].float().cpu().numpy()
            chroma = None if decoded["chroma"] is None else decoded["chroma"].numpy()
            for k, index in enumerate(decoded["indices"]):
                if write[index]:
                    settle(writer.submit(_write_fused, luma[k], None if chroma is None else chroma[k],
                                         spec.pixels.jpeg_quality, folder / frames[index].frame.relative_path))
            release_free_heap()  # this process merges colour and encodes: hand back its heap holes too
        settle(writer.finish())


def copy_band(spec: MethodSpec, work: Work, folder: Path, workers: int, settle: Settle) -> None:
    """Copy (colour) or re-encode (grey) one source band; reading and writing run in the writer threads."""
    with _writer(workers, work) as writer:
        for batch, mask in work:
            for frame in (f for f, flag in zip(batch, mask) if flag):
                settle(writer.submit(_write_passthrough, frame, spec, folder / frame.frame.relative_path))
        settle(writer.finish())


def _write_fused(luma: np.ndarray, chroma: np.ndarray | None, quality: int, target: Path) -> None:
    atomic_write_bytes(target, encode_fused(luma, chroma, quality))


def _write_passthrough(frame: SourceFrame, spec: MethodSpec, target: Path) -> BadFrame | None:
    try:
        band = spec.settings["method"]
        data = passthrough_bytes(frame, band, spec.pixels.colour, spec.pixels.jpeg_quality)
    except (OSError, ValueError) as error:
        source = frame.frame.visible_path if band == "visible" else frame.frame.infrared_path
        return BadFrame(frame.frame_id, "unreadable", str(source), str(error))
    atomic_write_bytes(target, data)
    return None


def _writer(workers: int, work: Work) -> BoundedWriter:
    """Writer threads with room for one batch of images, plus two per thread."""
    batch_size = max((len(batch) for batch, _ in work), default=1)
    return BoundedWriter(workers, max_pending=batch_size + 2 * max(1, workers))


def _init_worker(_: int) -> None:
    """Decoding workers leave Ctrl-C to the main process (which stops them), decode on one thread each, and
    return the heap's free pages after each batch (:func:`~.pixels.collate_pairs`), without which a worker
    grows with every pair it decodes (:mod:`fusion.utils.memory`).

    Workers are spawned, not forked: a process forked after OpenCV ran its thread pool (as the writer threads
    do) can hang in its first OpenCV call, and forkserver children outlive a killed main process (their
    parent is the server, so PyTorch's worker watchdog never sees the main process die).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    cv2.setNumThreads(1)
