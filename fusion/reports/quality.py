"""The fusion quality report: the shipped networks and the classical baselines on held-out sets.

:func:`run_quality_report` fuses every pair of every :class:`~fusion.reports.sets.EvalSet` with every
method (weights as shipped, fp32, output min-max stretched: what ``tools/fuse_folder.py`` writes), scores
the saved images with :func:`fusion.reports.folder_scores.score_jobs` (the code of ``tools/eval_fusion.py``), and
measures each method's size and CPU speed at 640x512. Fused images are cached under
``<work>/fused/<method>[-<weights sha256[:12]>]/``, so a rerun fuses only what is missing and new weights
never reuse stale images.
"""
from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from ..apis.checkpoint import read_fusion_checkpoint
from ..apis.inference import Fuser, default_checkpoint, load_fuser
from ..metrics import PAPER_METRICS
from ..metrics.table import METRICS
from ..models.complexity import count_macs, count_parameters
from ..utils.files import atomic_imwrite, file_sha256
from ..utils.images import read_uint8_image
from .folder_scores import FusionReport, PairJob, score_jobs
from .sets import EvalSet, fused_file_name

#: Row order of the report's tables: classical baselines, then the trained networks.
DEFAULT_METHODS = ("average", "tif", "laplacian", "nestfuse", "msfam")
#: Networks whose weights the report describes.
NETWORK_METHODS = ("nestfuse", "msfam")
#: The target: MSFAM ahead of NestFuse on at least this many of the paper's six metrics ...
MIN_AHEAD = 4
#: ... and not below it on the infrared target contrast.
TARGET_METRIC = "ITC"

Progress = Callable[[Iterable, int, str], Iterable]


@dataclass(frozen=True)
class MethodSource:
    """A method with the weights it was built from (None for the training-free ones).

    Attributes:
        name: the label of its rows and of its cache folder (the method itself, or e.g. an ablation run).
        checkpoint: its weights, None for a training-free method.
        sha256: the checkpoint's sha256 (keys the cache of fused images).
        meta: the checkpoint's metadata.
        method: the registered fusion method it builds (``name`` when not given).
    """

    name: str
    checkpoint: Path | None
    sha256: str | None
    meta: dict[str, Any]
    method: str = ""

    def __post_init__(self) -> None:
        if not self.method:
            object.__setattr__(self, "method", self.name)

    @property
    def folder_name(self) -> str:
        return self.name if self.sha256 is None else f"{self.name}-{self.sha256[:12]}"

    def fuser(self) -> Fuser:
        """The method ready to fuse on the CPU (fp32, min-max output)."""
        return load_fuser(self.method, self.checkpoint)


def checkpoint_source(name: str, checkpoint: str | Path) -> MethodSource:
    """A trained network under the label ``name``: its method is the type its checkpoint records."""
    checkpoint = Path(checkpoint)
    content = read_fusion_checkpoint(checkpoint)
    return MethodSource(name, checkpoint, file_sha256(checkpoint), content.get("meta", {}), content["model"]["type"])


@dataclass
class SpeedRow:
    """Size and CPU speed of one method on a 640x512 pair."""

    method: str
    params: int
    macs: int
    seconds_per_pair: float
    backend: str = "torch"

    @property
    def pairs_per_second(self) -> float:
        return 1.0 / self.seconds_per_pair


@dataclass(frozen=True)
class TargetVerdict:
    """MSFAM against NestFuse on one set: ahead on at least 4 of the paper's 6 metrics, and not below on ITC.

    Attributes:
        ahead: paper metrics where MSFAM's mean is higher.
        behind: the other paper metrics (behind or equal).
        itc: ``(MSFAM, NestFuse)`` infrared target contrast, or None when not scored.
    """

    ahead: list[str]
    behind: list[str]
    itc: tuple[float, float] | None

    @classmethod
    def compare(cls, msfam: dict[str, float], nestfuse: dict[str, float]) -> TargetVerdict:
        ahead = [m for m in PAPER_METRICS if msfam[m] > nestfuse[m]]
        itc = (msfam[TARGET_METRIC], nestfuse[TARGET_METRIC]) if TARGET_METRIC in msfam else None
        return cls(ahead, [m for m in PAPER_METRICS if m not in ahead], itc)

    @property
    def met(self) -> bool:
        return len(self.ahead) >= MIN_AHEAD and (self.itc is None or self.itc[0] >= self.itc[1])

    def describe(self) -> str:
        """One sentence: met or missed, and why."""
        text = f"**{'met' if self.met else 'MISSED'}**: ahead on {len(self.ahead)} of {len(PAPER_METRICS)}"
        text += f" ({', '.join(self.ahead)})" if self.ahead else ""
        text += f", behind or equal on {', '.join(self.behind)}" if self.behind else ""
        if self.itc is not None:
            relation = "not below" if self.itc[0] >= self.itc[1] else "BELOW"
            text += f"; {TARGET_METRIC} {self.itc[0]:.4f} vs {self.itc[1]:.4f} ({relation} NestFuse)"
        return text + "."


@dataclass
class QualityReport:
    """Everything the report shows: per-set metric tables, the weights and fused folders, speed, the target."""

    sets: list[EvalSet]
    tables: dict[str, FusionReport]
    sources: dict[str, MethodSource]
    folders: dict[str, Path]
    speed: list[SpeedRow] = field(default_factory=list)
    speed_size: tuple[int, int] = (640, 512)
    threads: int = 1

    def to_csv(self) -> str:
        """One row per set and method: ``set, method, images, <metric means...>``."""
        lines: list[str] = []
        for eval_set in self.sets:
            header, *body = self.tables[eval_set.name].to_csv().splitlines()
            if not lines:
                lines.append("set," + header)
            lines += [f"{eval_set.name},{line}" for line in body]
        return "\n".join(lines) + "\n"

    def target(self, set_name: str = "heldout") -> TargetVerdict:
        """How MSFAM compares with NestFuse on one set (see :class:`TargetVerdict`)."""
        means = self.tables[set_name].means()
        return TargetVerdict.compare(means["msfam"], means["nestfuse"])

    def targets(self) -> dict[str, TargetVerdict]:
        """:meth:`target` of every set."""
        return {eval_set.name: self.target(eval_set.name) for eval_set in self.sets}


def method_sources(methods: Sequence[str], checkpoints: dict[str, Path] | None = None) -> dict[str, MethodSource]:
    """Resolve each method's weights: ``checkpoints[method]``, else the shipped file, else none.

    Raises:
        FileNotFoundError: a network has neither a given nor a shipped checkpoint.
    """
    checkpoints = checkpoints or {}
    sources = {}
    for name in methods:
        path = checkpoints.get(name) or default_checkpoint(name)
        if path is None:
            if name in NETWORK_METHODS:
                raise FileNotFoundError(f"no weights for '{name}': none shipped in fusion/weights and none given")
            sources[name] = MethodSource(name, None, None, {})
            continue
        path = Path(path)
        sources[name] = MethodSource(name, path, file_sha256(path), read_fusion_checkpoint(path).get("meta", {}))
    return sources


def fuse_set(fuser: Fuser, pairs: Sequence, folder: Path, progress: Iterable | None = None) -> int:
    """Fuse the pairs not yet in ``folder`` (atomic writes); returns how many were fused now."""
    folder.mkdir(parents=True, exist_ok=True)
    todo = [pair for pair in pairs if not (folder / fused_file_name(pair)).is_file()]
    for pair in progress(todo) if progress else todo:
        fused = fuser.fuse(read_uint8_image(pair.vis), read_uint8_image(pair.ir))
        atomic_imwrite(folder / fused_file_name(pair), fused)
    return len(todo)


def score_set(eval_set: EvalSet, folders: dict[str, Path], metrics: Sequence[str], workers: int,
              progress: Progress | None = None) -> FusionReport:
    """Score every method's fused images of one set (means over the same pairs)."""
    jobs = [PairJob(pair.name, pair.ir, pair.vis, {m: folder / fused_file_name(pair) for m, folder in folders.items()})
            for pair in eval_set.pairs]
    report = FusionReport(list(metrics), {m: str(f) for m, f in folders.items()}, [job.stem for job in jobs],
                          {m: {} for m in folders})
    results = score_jobs(jobs, metrics, workers)
    for scores, job in zip(progress(results, len(jobs), f"scoring {eval_set.name}") if progress else results, jobs):
        for method, values in scores.items():
            report.per_image[method][job.stem] = values
    return report


def measure_speed(fuser: Fuser, size: tuple[int, int], repeats: int = 3) -> tuple[int, int, float]:
    """``(parameters, multiply-adds, median seconds)`` of fusing one random ``size`` pair (batch 1, after a warm-up)."""
    width, height = size
    vis, ir = torch.rand(1, 1, height, width), torch.rand(1, 1, height, width)
    with torch.inference_mode():
        macs = count_macs(fuser.model, vis, ir)
    fuser.fuse_tensors(vis, ir)
    times = []
    for _ in range(repeats):
        tick = time.perf_counter()
        fuser.fuse_tensors(vis, ir)
        times.append(time.perf_counter() - tick)
    return count_parameters(fuser.model), macs, statistics.median(times)


def run_quality_report(sets: Sequence[EvalSet], work_dir: str | Path, methods: Sequence[str] = DEFAULT_METHODS,
                       checkpoints: dict[str, Path] | None = None, metrics: Sequence[str] = tuple(METRICS),
                       workers: int = 1, speed_size: tuple[int, int] = (640, 512), speed_repeats: int = 3,
                       progress: Progress | None = None) -> QualityReport:
    """Fuse (or reuse cached fused images), score and time every method; see the module docstring."""
    sources = method_sources(methods, checkpoints)
    work_dir = Path(work_dir)
    folders = {name: work_dir / "fused" / source.folder_name for name, source in sources.items()}
    speed = []
    for name, source in sources.items():
        fuser = source.fuser()
        for eval_set in sets:
            wrap = None if progress is None else (
                lambda items, n=name, s=eval_set.name: progress(items, len(items), f"{n} on {s}"))
            fuse_set(fuser, eval_set.pairs, folders[name], wrap)
        params, macs, seconds = measure_speed(fuser, speed_size, speed_repeats)
        speed.append(SpeedRow(name, params, macs, seconds, fuser.backend))
    tables = {eval_set.name: score_set(eval_set, folders, metrics, workers, progress) for eval_set in sets}
    return QualityReport(list(sets), tables, sources, folders, speed, speed_size, torch.get_num_threads())
