"""The demo's fusion steps (``tools/demo.py``) on its synthetic KAIST: weights, fused dataset, fusion scores.

Weights are the shipped MSFAM and NestFuse ones, or, where none are shipped, small demo weights trained here
(``configs/demo/stage1_msfam.py``, ``stage1_nestfuse.py``, ``stage2_msfam.py``). Each step takes ``progress``,
which wraps an iterable given its length (``lambda items, n: tqdm(items, total=n)``), as
:func:`fusion.reports.folder_scores.evaluate_folders` does.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path

from mmengine.config import Config

from ..apis import default_checkpoint
from ..datasets.kaist import index_frames, resolve_split
from ..engine import Trainer
from ..engine.trainer import STATE_FILE
from ..metrics import METRICS
from ..reports.folder_scores import FusionReport, PairJob, score_jobs
from .fuse_dataset import KaistAdapter, PixelOptions, RunOptions, fuse_dataset

Progress = Callable[[Iterable, int], Iterable]

NETWORKS = ("nestfuse", "msfam")
#: The fused dataset's folders: the two bands as they are, and both networks.
METHODS = ("visible", "lwir", *NETWORKS)
SPLITS = ("synthetic-train", "synthetic-test")
#: The demo weights' runs in order (configs/demo/<run>.py) and the network each exports (None: stage 1 only).
DEMO_RUNS = {"stage1_msfam": None, "stage1_nestfuse": "nestfuse", "stage2_msfam": "msfam"}
#: Where the demo configs read their data root, as ``tools/train_fusion.py --data-root`` sets it.
DATA_ROOT_ENV = "MSFAM_DATA"


def _no_progress(items: Iterable, total: int) -> Iterable:
    return items


def shipped_weights() -> dict[str, Path] | None:
    """The shipped weights of both networks, or None unless both are shipped."""
    shipped = {name: default_checkpoint(name) for name in NETWORKS}
    return shipped if all(shipped.values()) else None  # type: ignore[return-value]


def load_demo_config(path: str | Path, data_root: str | Path) -> Config:
    """A demo config reading its data from ``data_root`` (as ``tools/train_fusion.py --data-root`` does)."""
    saved = os.environ.get(DATA_ROOT_ENV)
    os.environ[DATA_ROOT_ENV] = str(data_root)
    try:
        return Config.fromfile(str(path))
    finally:
        if saved is None:
            del os.environ[DATA_ROOT_ENV]
        else:
            os.environ[DATA_ROOT_ENV] = saved


def train_demo_weights(configs: Path, root: Path, out: Path, iters: int, device: str,
                       progress: Progress = _no_progress) -> dict[str, Path]:
    """Train the runs of :data:`DEMO_RUNS` on the synthetic KAIST ``root`` into ``out/<run>/``.

    A finished run (``final.pth``) is kept, an interrupted one resumed. Returns ``{network: final.pth}``.
    """
    train_pairs = len(resolve_split(root, SPLITS[0])[1])
    for run in progress(DEMO_RUNS, len(DEMO_RUNS)):
        work = out / run
        if (work / "final.pth").is_file():
            continue
        cfg = load_demo_config(configs / f"{run}.py", root)
        cfg.merge_from_dict({"device": device, "train_cfg.max_iters": iters, "train_cfg.checkpoint_interval": iters})
        if cfg.task.type == "FusionTask":  # stage 2: on this stage 1, in batches the training pairs can fill
            cfg.merge_from_dict({"task.stage1_checkpoint": str(out / "stage1_msfam" / "final.pth"),
                                 "train_dataloader.batch_size": min(cfg.train_dataloader.batch_size, train_pairs)})
        Trainer(cfg, work, resume=(work / STATE_FILE).is_file(), progress=False).run()
    return {network: out / run / "final.pth" for run, network in DEMO_RUNS.items() if network}


def fuse_demo_dataset(root: Path, fused_root: Path, checkpoints: dict[str, Path], device: str,
                      progress: Progress = _no_progress) -> None:
    """``tools/fuse_dataset.py kaist`` on both splits of the synthetic KAIST: one folder per method of
    :data:`METHODS` under ``fused_root``, and the COCO annotations."""
    for split in progress(SPLITS, len(SPLITS)):
        fuse_dataset(KaistAdapter(root), fused_root, METHODS, split=split, pixels=PixelOptions(),
                     options=RunOptions(device=device, batch_size=4, workers=0, progress=False),
                     checkpoints={name: str(path) for name, path in checkpoints.items()})


def score_fusion(root: Path, fused_root: Path, prefix: Path, progress: Progress = _no_progress) -> FusionReport:
    """Score both networks' fused test images (greyscale luminance of the written files) with every metric,
    write ``PREFIX.{md,csv,json}`` and return the report."""
    frames, _ = index_frames(root, resolve_split(root, SPLITS[1])[1], annotation_dir=None)
    jobs = [PairJob(f.frame_id, f.lwir_path, f.visible_path, {m: fused_root / m / f.relative_path for m in NETWORKS})
            for f in frames]
    report = FusionReport(list(METRICS), {m: str(fused_root / m) for m in NETWORKS}, [job.stem for job in jobs],
                          {m: {} for m in NETWORKS})
    for job, scores in zip(jobs, progress(score_jobs(jobs, list(METRICS)), len(jobs))):
        for method, values in scores.items():
            report.per_image[method][job.stem] = values
    report.write(prefix)
    return report
