"""Turn a dataset's visible/infrared pairs into a derived dataset, one folder per fusion method, for MMDetection.

The dataset comes through an adapter (:mod:`.adapters`: KAIST, LLVIP, MSRS), which lists a split's frames and
converts its boxes to COCO; everything else is the same for every dataset. Output layout (``out`` below)::

    <out>/<method>/<frame_id>.jpg               one image per usable frame (the COCO file_name; KAIST:
                                                setXX/VYYY/IZZZZZ.jpg, LLVIP and MSRS: <split>/<stem>.jpg)
    <out>/<method>/meta.json                    method, settings, checkpoint sha256, code version, runs
    <out>/annotations/<split>.json              COCO ground truth shared by every method folder
    <out>/annotations/<split>.bad_frames.json   frames left out (or without annotation), and why

A run:

1. loads every method (unknown names and missing weights fail before any work);
2. selects the split's frames (``limit``: its first frames), checks both bands of each from the file
   headers (:mod:`.frames`) and reads the annotations (the adapter, then :mod:`.annotations`); with
   ``strict`` the first problem stops the run;
3. under the output folder's lock, refuses a method folder made with other settings, records the run's
   settings as ``in progress`` (:mod:`.record`) and writes the annotation file and the bad-frame report;
4. per method, cuts the usable frames into batches (:func:`~.pipeline.plan_batches`), takes its shard's
   batches, deletes the temporaries a killed run left, and fuses the batches that miss an image
   (:mod:`.pipeline`): ``DataLoader`` worker processes decode pairs, the model fuses whole batches under
   ``torch.inference_mode``, writer threads encode and write the missing images; each image goes to a
   temporary name then ``os.replace`` (:mod:`fusion.utils.files`), so a rerun finishes an interrupted run with the
   same bytes as an uninterrupted one;
5. records the run (counts, time, pairs/s) and the split's status in ``meta.json``.

Several processes (``shard``) fill one output folder at the same time without a merge step.
"""
from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import torch
from tqdm import tqdm

from ...utils.device import resolve_device
from ...utils.files import locked, remove_stale_temps
from ...utils.run_lock import run_lock
from .adapters.base import DatasetAdapter
from .annotations import bad_frames_report, write_split_files
from .frames import BadFrame, BadFrameError
from .methods import MethodSpec, PixelOptions, build_method, split_folder
from .pipeline import copy_band, fuse_batches, plan_batches
from .record import check_settings, code_version, finish_run, now, start_split
from .selection import SplitSelection, select_split
from .sharding import Shard

LOCK_NAME = ".fuse_dataset.lock"


@dataclass(frozen=True)
class RunOptions:
    """How a run works (none of these change the pixels).

    Attributes:
        device: where the fusion methods run (``cpu``, ``cuda``, ``cuda:1``, ...).
        backend: ``auto`` (onnxruntime for networks on the CPU when installed, else torch), ``torch``, or
            ``onnxruntime`` (the networks' ONNX graphs, float32 only; outputs equal PyTorch's to 1e-6, at
            most one grey level apart, so a folder may be finished with either).
        batch_size: pairs fused together. Results are bytewise reproducible at a given batch size; another
            batch size can change a convolutional method's output by floating-point rounding (rarely one
            grey level), so finish a folder with the batch size it was started with.
        workers: decoding processes, and as many writer threads (0: everything in the calling process).
        shard: the batches this process fuses (every n-th batch of :func:`~.pipeline.plan_batches`).
        limit: fuse only the first ``limit`` frames of the list (trials).
        strict: stop at the first bad frame (:class:`BadFrameError`) instead of reporting it and going on.
        progress: show a progress bar.
    """

    device: str = "cpu"
    backend: str = "auto"
    batch_size: int = 8
    workers: int = 2
    shard: Shard = Shard()
    limit: int | None = None
    strict: bool = False
    progress: bool = True

    def __post_init__(self) -> None:
        if self.batch_size < 1 or self.workers < 0 or (self.limit is not None and self.limit < 1):
            raise ValueError(f"need batch_size >= 1, workers >= 0 and limit >= 1, got {self.batch_size}, "
                             f"{self.workers} and {self.limit}")


def fuse_dataset(adapter: DatasetAdapter, out: str | Path, methods: Sequence[str], split: str | Path | None = None,
                 pixels: PixelOptions = PixelOptions(), options: RunOptions = RunOptions(),
                 checkpoints: dict[str, str | Path] | None = None,
                 log: Callable[[str], None] = print) -> list[dict]:
    """Fuse a split with each method into ``<out>/<method>`` (see the module docstring).

    Args:
        adapter: the dataset (e.g. ``KaistAdapter("data/kaist")``).
        out: output folder.
        methods: registered fusion methods and passthrough bands (``visible``, ``lwir``).
        split: the split, as the adapter names it (default: the adapter's ``default_split``).
        pixels: options that change the pixels (recorded, and checked against an existing folder).
        options: how the run works.
        checkpoints: weights per network method (default: the shipped weights).
        log: where messages go.

    Returns:
        One run entry per method (as appended to its ``meta.json``).

    Raises:
        KeyError, ValueError, FileNotFoundError: a bad method, checkpoint, split or option.
        SettingsMismatch: a method folder made with other settings.
        BadFrameError: a bad frame under ``strict``.
        KeyboardInterrupt: interrupted (the images written so far are complete; rerun to finish).
        FolderInUseError: another live run of the same shard holds ``out`` (the message names it).
        OSError: a write failed (e.g. a full disk): finished images are complete; rerun to finish.
    """
    out = Path(out)
    checkpoints = dict(checkpoints or {})
    folders = [split_folder(name)[0] for name in methods]
    unknown = sorted(set(checkpoints) - set(folders))
    if unknown:
        raise ValueError(f"--checkpoint given for {', '.join(unknown)}, not among the method folders "
                         f"{', '.join(folders)}")
    if len(set(folders)) != len(folders) or not methods:
        raise ValueError(f"give each method (folder) once, got {list(methods)}")
    device = resolve_device(options.device)
    specs = [build_method(name, pixels, checkpoints.get(folder), device, options.backend)
             for name, folder in zip(methods, folders)]
    selection = select_split(adapter, adapter.default_split if split is None else split, options.limit,
                             options.strict, log)
    report = bad_frames_report(selection.name, selection.frame_ids, selection.usable, selection.bad)
    shard = options.shard
    with run_lock(out, "fuse" if shard.count == 1 else f"fuse-shard-{shard.index}-of-{shard.count}", log):
        with locked(out / LOCK_NAME):
            metas = [check_settings(out / spec.name, spec) for spec in specs]
            for spec, meta in zip(specs, metas):
                start_split(out / spec.name, spec, meta, selection.entry(options.limit))
            write_split_files(out, selection.name, selection.coco, report)
        return [_run_method(spec, selection, out, options, device, log) for spec in specs]


def _run_method(spec: MethodSpec, selection: SplitSelection, out: Path, options: RunOptions,
                device: torch.device, log: Callable[[str], None]) -> dict:
    """Fuse this shard's missing frames of one method, then record the run."""
    folder = out / spec.name
    batches = options.shard.select(plan_batches(selection.usable, options.batch_size))
    by_dir: dict[Path, set[str]] = defaultdict(set)
    for frame in (f for batch in batches for f in batch):
        target = folder / frame.frame.relative_path
        by_dir[target.parent].add(target.name)
    for directory, names in by_dir.items():
        remove_stale_temps(directory, names)
        directory.mkdir(parents=True, exist_ok=True)
    missing = [[not (folder / f.frame.relative_path).is_file() for f in batch] for batch in batches]
    frames = sum(map(len, batches))
    todo = sum(map(sum, missing))
    run = {"split": selection.name, "shard": str(options.shard), "status": "failed", "started": now(),
           "seconds": 0.0, "frames": frames, "fused": 0, "skipped_existing": frames - todo, "failed": 0,
           "pairs_per_s": None, "device": str(device),
           "backend": spec.fuser.backend if spec.fuser else None, "batch_size": options.batch_size,
           "workers": options.workers, "code": code_version(), "failed_frames": []}
    start = time.perf_counter()
    try:
        with tqdm(total=todo, desc=f"{spec.name} [{options.shard}]", unit="pair", dynamic_ncols=True,
                  disable=not options.progress) as bar:
            pipeline = copy_band if spec.passthrough else fuse_batches
            pipeline(spec, [(b, m) for b, m in zip(batches, missing) if any(m)], folder, options.workers,
                     lambda results: _settle(run, options.strict, bar, results))
        run["status"] = "finished"
    except KeyboardInterrupt:
        run["status"] = "interrupted"
        raise
    finally:
        seconds = time.perf_counter() - start
        run.update(seconds=round(seconds, 3), pairs_per_s=round(run["fused"] / seconds, 3) if run["fused"] else None)
        with locked(out / LOCK_NAME):  # counted under the lock: the last shard to finish sees every image
            present = sum((folder / f.frame.relative_path).is_file() for f in selection.usable)
            entry = finish_run(folder, selection.name, run, present)
        log(f"{spec.name} [{options.shard}]: {run['status']}: {run['fused']} fused, {run['skipped_existing']} "
            f"already there, {run['failed']} failed in {seconds:.1f} s"
            + (f" ({run['pairs_per_s']:.2f} pairs/s)" if run["fused"] else "")
            + f"; {selection.name}: {entry['fused_frames']}/{entry['usable_frames']} usable frames fused, "
              f"{entry['status']}")
    return run


def _settle(run: dict, strict: bool, bar: tqdm, results: list[BadFrame | None]) -> None:
    """Count finished frames: None is an image written, a :class:`BadFrame` one that failed to decode."""
    for result in results:
        if result is None:
            run["fused"] += 1
        elif strict:
            raise BadFrameError(result)
        else:
            run["failed"] += 1
            run["failed_frames"].append(result.as_dict())
    bar.update(len(results))
