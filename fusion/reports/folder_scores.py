"""Score folders of fused images against their sources and write the table as Markdown, CSV and JSON.

Images are paired by file name stem across folders (``ir/1.png``, ``vi/1.bmp``, ``<method>/1.jpg``);
every method is averaged over the same images, so rows of one report are comparable.
"""
from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from ..datasets.folders import index_folder, natural_key
from ..metrics.table import METRICS, check_metric_names, evaluate_pair
from ..utils.csv_text import csv_text
from ..utils.files import atomic_write_text
from ..utils.images import read_gray
from ..utils.markdown import markdown_table

Progress = Callable[[Iterator, int], Iterable]


@dataclass(frozen=True)
class PairJob:
    """One image to score: its two sources and the fused image of every method."""

    stem: str
    ir: Path
    vis: Path
    fused: dict[str, Path]


def plan_jobs(ir_dir: str | Path, vis_dir: str | Path, fused_dirs: Mapping[str, str | Path],
              skip_missing: bool = False) -> tuple[list[PairJob], list[str]]:
    """Pair the infrared images with the visible and fused images of the same stem.

    The images to score are those of the infrared folder. An image missing from the visible folder or
    from any method's folder is an error, or with ``skip_missing`` is left out for EVERY method (so all
    rows average over the same images).

    Args:
        ir_dir: folder of infrared sources.
        vis_dir: folder of visible sources.
        fused_dirs: ``{method name: folder of its fused images}``.
        skip_missing: leave incomplete images out instead of raising.

    Returns:
        ``(jobs, skipped)``: the jobs in natural stem order, and the stems left out.

    Raises:
        FileNotFoundError: an image is missing and ``skip_missing`` is false (the message names it).
        ValueError: no method was given, or no image is left to score.
    """
    if not fused_dirs:
        raise ValueError("give at least one fused folder (NAME=DIR)")
    ir = index_folder(ir_dir)
    vis = index_folder(vis_dir)
    fused = {name: index_folder(folder) for name, folder in fused_dirs.items()}
    jobs, skipped = [], []
    for stem in sorted(ir, key=natural_key):
        missing = [] if stem in vis else [f"visible image {Path(vis_dir) / stem}.*"]
        missing += [f"fused image of '{name}' {Path(fused_dirs[name]) / stem}.*"
                    for name, files in fused.items() if stem not in files]
        if missing and not skip_missing:
            raise FileNotFoundError(f"missing for {ir[stem].name}: {'; '.join(missing)} "
                                    "(use --skip-missing to skip it)")
        if missing:
            skipped.append(stem)
            continue
        jobs.append(PairJob(stem, ir[stem], vis[stem], {name: files[stem] for name, files in fused.items()}))
    if not jobs:
        detail = f" ({len(skipped)} skipped as incomplete)" if skipped else ""
        raise ValueError(f"no image to score in {ir_dir}{detail}")
    return jobs, skipped


def score_job(job: PairJob, metrics: Sequence[str]) -> dict[str, dict[str, float]]:
    """Scores of every method's fused image for one job: ``{method: {metric: value}}``."""
    ir, vis = read_gray(job.ir), read_gray(job.vis)
    scores = {}
    for name, path in job.fused.items():
        try:
            scores[name] = evaluate_pair(ir, vis, read_gray(path), metrics)
        except ValueError as error:
            raise ValueError(f"cannot score {path} against {job.ir} and {job.vis}: {error}") from error
    return scores


def _init_worker() -> None:
    """Worker processes run single-threaded: the parallelism is over images."""
    torch.set_num_threads(1)


def score_jobs(jobs: Sequence[PairJob], metrics: Sequence[str],
               workers: int = 1) -> Iterator[dict[str, dict[str, float]]]:
    """Yield :func:`score_job` of each job, in order; ``workers > 1`` scores them in a process pool."""
    if workers <= 1:
        yield from (score_job(job, metrics) for job in jobs)
        return
    with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker) as pool:
        yield from pool.map(score_job, jobs, [metrics] * len(jobs))


@dataclass
class FusionReport:
    """Per-image scores of several methods on the same images, and their means (one row per method)."""

    metrics: list[str]
    methods: dict[str, str]
    images: list[str]
    per_image: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)

    def means(self) -> dict[str, dict[str, float]]:
        """``{method: {metric: mean over images}}`` (NaN if any image's value is NaN)."""
        return {method: {metric: float(np.mean([self.per_image[method][stem][metric] for stem in self.images]))
                         for metric in self.metrics} for method in self.methods}

    def to_markdown(self) -> str:
        """The table of means, preceded by the conventions of every metric shown."""
        lines = [f"Fusion metrics: mean over {len(self.images)} image(s); A = infrared, B = visible, F = fused, "
                 "greyscale [0, 255] as read from the files (colour -> BT.601 luminance, rounded).", ""]
        lines += [f"- {metric}: {METRICS[metric].convention}" for metric in self.metrics]
        if self.skipped:
            lines += ["", f"Skipped as incomplete: {', '.join(self.skipped)}"]
        rows = [[method, *(f"{row[metric]:.4f}" for metric in self.metrics)] for method, row in self.means().items()]
        lines += ["", markdown_table(["method", *self.metrics], rows)]
        return "\n".join(lines) + "\n"

    def to_csv(self) -> str:
        """One row per method: ``method, images, <metric means...>`` at full precision."""
        return csv_text([["method", "images", *self.metrics],
                         *([method, len(self.images), *(repr(row[metric]) for metric in self.metrics)]
                           for method, row in self.means().items())])

    def to_json(self) -> str:
        """Conventions, folders, means and per-image values (NaN written as ``null``)."""
        def clean(value: float) -> float | None:
            return None if math.isnan(value) else value

        means = self.means()
        document = {
            "metrics": self.metrics,
            "conventions": {metric: METRICS[metric].convention for metric in self.metrics},
            "images": self.images,
            "skipped": self.skipped,
            "methods": {method: {
                "folder": folder,
                "mean": {metric: clean(value) for metric, value in means[method].items()},
                "per_image": {stem: {metric: clean(value) for metric, value in self.per_image[method][stem].items()}
                              for stem in self.images},
            } for method, folder in self.methods.items()},
        }
        return json.dumps(document, indent=2) + "\n"

    def write(self, prefix: str | Path) -> list[Path]:
        """Write ``PREFIX.md``, ``PREFIX.csv`` and ``PREFIX.json``; return their paths."""
        prefix = Path(prefix)
        prefix.parent.mkdir(parents=True, exist_ok=True)
        paths = []
        for suffix, text in ((".md", self.to_markdown()), (".csv", self.to_csv()), (".json", self.to_json())):
            path = prefix.with_name(prefix.name + suffix)
            atomic_write_text(path, text)
            paths.append(path)
        return paths


def evaluate_folders(ir_dir: str | Path, vis_dir: str | Path, fused_dirs: Mapping[str, str | Path],
                     metrics: Iterable[str] | None = None, skip_missing: bool = False, workers: int = 1,
                     progress: Progress | None = None) -> FusionReport:
    """Score every method's fused folder against the source folders.

    Args:
        ir_dir: folder of infrared sources.
        vis_dir: folder of visible sources.
        fused_dirs: ``{method name: folder}``, in the row order wanted.
        metrics: metric names (:data:`~fusion.metrics.table.METRICS`); all when ``None``.
        skip_missing: leave out images missing from any folder instead of raising.
        workers: processes; 1 scores in this process.
        progress: wraps the iterator of results, given its length (e.g. ``lambda it, n: tqdm(it, total=n)``).

    Returns:
        The report.
    """
    metric_names = list(METRICS) if metrics is None else check_metric_names(metrics)
    jobs, skipped = plan_jobs(ir_dir, vis_dir, fused_dirs, skip_missing)
    report = FusionReport(metric_names, {name: str(folder) for name, folder in fused_dirs.items()},
                          [job.stem for job in jobs], {name: {} for name in fused_dirs}, skipped)
    results = score_jobs(jobs, metric_names, workers)
    for scores, job in zip(progress(results, len(jobs)) if progress else results, jobs):
        for method, values in scores.items():
            report.per_image[method][job.stem] = values
    return report
