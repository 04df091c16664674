"""The detector comparison: runs grouped by input (one per training seed), their means and spreads, and
paired bootstrap intervals of each input against a reference.

``tools/compare_det.py`` reads the test records (:mod:`.records`) and writes the report
(:mod:`.comparison_report`).
"""
from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..evaluation import load_detections, load_ground_truth
from ..evaluation.bootstrap import PairedInterval, paired_intervals, resample_weights, resampled_figures
from ..evaluation.resampling import ImageMatchCache
from .records import Run

#: Report columns: KaistMetric's keys (AP as fractions, MR^-2 in percent; lower MR is better).
COLUMNS = ("AP", "AP50", "AP75", "APS", "APM", "APL", "MR_all", "MR_day", "MR_night")
#: Compared by default besides every input against the reference: MSFAM against the baseline fusion.
FUSION_PAIR = ("msfam", "nestfuse")
#: Detectors fed both bands (configs' ``input_name``), compared by default with the MSFAM-fused images too.
BOTH_BANDS = ("early_fusion", "halfway_fusion")
#: Row names of MSFAM fine-tuned with the detector's loss (``msfam_tuned_<coupling>``): each compared with MSFAM.
TUNED_PREFIX = "msfam_tuned"


@dataclass
class InputRuns:
    """The runs of one input (visible, lwir, a fusion method): one per training seed."""

    name: str
    runs: list[Run] = field(default_factory=list)

    def values(self, column: str) -> list[float]:
        return [run.metrics.get(column, math.nan) for run in self.runs]

    def mean(self, column: str) -> float:
        return float(np.mean(self.values(column)))

    def spread(self, column: str) -> float:
        """Sample standard deviation over seeds (NaN with one seed)."""
        values = self.values(column)
        return float(np.std(values, ddof=1)) if len(values) > 1 else math.nan

    @property
    def seeds(self) -> list[int | None]:
        return [run.seed for run in self.runs]


def group_by_input(runs: Iterable[Run]) -> list[InputRuns]:
    """Runs grouped by their row name, in the order the names first appear.

    Raises:
        ValueError: two runs of one input with the same seed (the same run given twice?).
    """
    groups: dict[str, InputRuns] = {}
    for run in runs:
        group = groups.setdefault(run.name, InputRuns(run.name))
        if run.seed is not None and run.seed in group.seeds:
            raise ValueError(f"input {run.name!r} has seed {run.seed} twice; give each seed's work dir once")
        group.runs.append(run)
    return list(groups.values())


@dataclass(frozen=True)
class Comparison:
    """``candidate - reference`` for every column, with its paired bootstrap interval."""

    candidate: str
    reference: str
    intervals: dict[str, PairedInterval]


@dataclass(frozen=True)
class BootstrapSetup:
    """How the intervals are made: resamples, confidence, and the seed of the random generator."""

    resamples: int = 1000
    confidence: float = 0.95
    seed: int = 0


def default_pairs(names: Sequence[str], reference: str) -> list[tuple[str, str]]:
    """Every input against ``reference``, then MSFAM against the baseline fusion, and each detector fed both
    bands and each detection-tuned MSFAM (``msfam_tuned...``) against MSFAM, when both inputs of a pair are there."""
    pairs = [(name, reference) for name in names if name != reference] if reference in names else []
    tuned = [name for name in names if name.startswith(TUNED_PREFIX)]
    extra = [FUSION_PAIR, *((name, FUSION_PAIR[0]) for name in (*BOTH_BANDS, *tuned))]
    pairs += [pair for pair in extra if all(name in names for name in pair) and pair not in pairs]
    return pairs


def bootstrap_unavailable(inputs: Sequence[InputRuns]) -> str | None:
    """Why the paired bootstrap cannot run on these inputs (``None`` when it can)."""
    runs = [run for group in inputs for run in group.runs]
    missing = [f"{run.name} (seed {run.seed})" for run in runs if not run.record.get("predictions")]
    if missing:
        return (f"no predictions recorded for {', '.join(missing)}: test them again with tools/test_det.py, "
                "which now keeps them")
    ann_files = {run.record.get("ann_file") for run in runs}
    if len(ann_files) != 1:
        return f"the runs were scored on different ground truth ({', '.join(sorted(map(str, ann_files)))})"
    return None


def compare_inputs(inputs: Sequence[InputRuns], pairs: Sequence[tuple[str, str]], setup: BootstrapSetup,
                   progress: Callable[[Iterable, int], Iterable] = lambda items, total: items,
                   ) -> tuple[list[Comparison], int]:
    """Paired bootstrap of each pair of inputs on their recorded test predictions.

    Every run's predictions are matched once (:class:`.ImageMatchCache`); the same image resamples serve
    every run. Returns the comparisons and the number of test images.

    Raises:
        ValueError: a pair names an input that is not there, or :func:`bootstrap_unavailable` says why not.
    """
    by_name = {group.name: group for group in inputs}
    for pair in pairs:
        for name in pair:
            if name not in by_name:
                raise ValueError(f"cannot compare {pair[0]} with {pair[1]}: no input {name!r} among {list(by_name)}")
    reason = bootstrap_unavailable(inputs)
    if reason:
        raise ValueError(reason)
    compared = {name for pair in pairs for name in pair}
    runs = [(group.name, run) for group in inputs if group.name in compared for run in group.runs]
    gt = load_ground_truth(runs[0][1].record["ann_file"])
    caches = [ImageMatchCache(gt, load_detections(run.record["predictions"], gt, "coco"))
              for _, run in progress(runs, len(runs))]
    n_images = len(caches[0].image_ids)
    rng = np.random.default_rng(setup.seed)
    weights = resample_weights(n_images, setup.resamples, rng)
    resampled = resampled_figures(caches, weights)
    full = [cache.evaluate(np.ones((1, n_images))) for cache in caches]
    per_input: dict[str, tuple[list, list]] = {}
    for (name, _), figures, whole in zip(runs, resampled, full):
        per_input.setdefault(name, ([], []))
        per_input[name][0].append(figures)
        per_input[name][1].append(whole)
    comparisons = []
    for candidate, reference in pairs:
        intervals = paired_intervals(per_input[candidate][0], per_input[reference][0], per_input[candidate][1],
                                     per_input[reference][1], rng, setup.confidence)
        comparisons.append(Comparison(candidate, reference, intervals))
    return comparisons, n_images
