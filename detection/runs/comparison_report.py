"""The detection comparison report: means and spreads over seeds, paired bootstrap intervals said in words,
the paper's Table 7 beside ours, and each run's provenance.

Files: ``PREFIX.md``; ``PREFIX.csv`` (one row per input: seeds, mean and sd of each column);
``PREFIX_runs.csv`` (one row per run, with provenance); ``PREFIX_differences.csv`` (one row per compared
pair and column: difference, interval, verdict); ``PREFIX.png`` (bars with seed sd error bars, and the
differences with their intervals).
"""
from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path

from tabulate import tabulate

from fusion.utils.files import atomic_write_text

from ..evaluation.report import MR_KEYS
from .comparison import COLUMNS, TUNED_PREFIX, BootstrapSetup, Comparison, InputRuns
from .paper_table7 import PAPER_COLUMNS, PAPER_SETUP, TABLE7, paper_row
from .records import fusion_weights_sha256, provenance

#: Columns the verdicts in words are given for (the rest are in the table).
HEADLINE = ("AP", "AP50", "MR_all")


@dataclass(frozen=True)
class ComparisonReport:
    """Everything the report shows.

    Attributes:
        inputs: the inputs, in row order.
        comparisons: the paired intervals (empty when not computed).
        setup: how the intervals were made.
        n_images: test images resampled (0 when not computed).
        bootstrap_note: why there are no intervals, if there are none.
    """

    inputs: list[InputRuns]
    comparisons: list[Comparison]
    setup: BootstrapSetup
    n_images: int = 0
    bootstrap_note: str | None = None


def _digits(column: str) -> int:
    return 2 if column in MR_KEYS else 3


def _number(value: float, digits: int, sign: bool = False) -> str:
    if value is None or math.isnan(value):
        return "n/a"
    return f"{value:+.{digits}f}" if sign else f"{value:.{digits}f}"


def mean_cell(group: InputRuns, column: str) -> str:
    """``mean ± sd`` over seeds (the value alone with one seed)."""
    digits, spread = _digits(column), group.spread(column)
    cell = _number(group.mean(column), digits)
    return cell if math.isnan(spread) else f"{cell} ± {_number(spread, digits)}"


def interval_cell(comparison: Comparison, column: str) -> str:
    """``+0.012 [-0.003, +0.027]``, with ``*`` when the interval excludes 0."""
    interval, digits = comparison.intervals[column], _digits(column)
    cell = (f"{_number(interval.difference, digits, True)} [{_number(interval.low, digits, True)}, "
            f"{_number(interval.high, digits, True)}]")
    return cell + (" *" if interval.beyond_noise else "")


def verdict_sentence(comparison: Comparison, columns: tuple[str, ...] = HEADLINE) -> str:
    """One line: which of ``columns`` differ beyond noise, and how."""
    beyond = [f"{c} {comparison.intervals[c].verdict()} ({interval_cell(comparison, c).rstrip(' *')})"
              for c in columns if comparison.intervals[c].beyond_noise]
    within = [c for c in columns if not comparison.intervals[c].beyond_noise]
    parts = [f"{comparison.candidate} vs {comparison.reference}:"]
    parts.append("beyond noise: " + "; ".join(beyond) + "." if beyond else "no difference beyond noise.")
    if beyond and within:
        parts.append(f"Within noise: {', '.join(within)}.")
    return " ".join(parts)


def _listed(values, separator: str) -> str:
    """Distinct values in order, unrecorded ones (``None``) left out; ``not recorded`` when none is left."""
    known = list(dict.fromkeys(str(v) for v in values if v is not None))
    return separator.join(known) or "not recorded"


def _paper_table(inputs: list[InputRuns]) -> list[str]:
    ours = {}
    for group in inputs:
        meta = group.runs[0].record.get("fused_meta") or {}
        tuned = group.name.startswith(TUNED_PREFIX)  # MSFAM's network, not the paper's weights
        row = None if tuned else paper_row(group.name, meta.get("method"))
        if row and row not in ours:
            ours[row] = group
    rows = []
    for row, values in TABLE7.items():
        group = ours.get(row)
        cells = []
        for column, paper in zip(PAPER_COLUMNS, values):
            cells += [f"{paper:.3f}", mean_cell(group, column) if group else "-"]
        rows.append([row, group.name if group else "-", *cells])
    headers = ["paper row", "our input"] + [f"{c} {who}" for c in PAPER_COLUMNS for who in ("paper", "ours")]
    table = tabulate(rows, headers=headers, tablefmt="pipe", disable_numparse=True)
    runs = [run for group in inputs for run in group.runs]
    epochs, backbones, trains = (_listed(sorted({str(run.record[key]) for run in runs if run.record.get(key)}), ", ")
                                 for key in ("epoch", "backbone_init", "train_ann_file"))
    seeds = "/".join(map(str, sorted({len(group.runs) for group in inputs})))
    aps = [values[0] for values in TABLE7.values()]
    return [table, "",
            f"What differs: the paper: {PAPER_SETUP}. Ours: epochs {epochs}; backbone initialised from "
            f"{backbones}; trained on {trains}; {seeds} seed(s) per input. The paper does not say which AP it "
            f"prints: its levels ({min(aps):.3f}-{max(aps):.3f}) sit near AP50 levels on KAIST (MLPD's published "
            "detections score AP 0.366 and AP50 0.797 under this project's evaluator), so compare the order of "
            f"the rows, not the levels. Its rows span {max(aps) - min(aps):.3f} AP (MSFAM - NestFuse "
            f"{TABLE7['MSFAM'][0] - TABLE7['NestFuse'][0]:+.3f}) "
            "from one run each; set that against the seed spreads and intervals above."]


def to_markdown(report: ComparisonReport) -> str:
    """The whole report as Markdown."""
    lines = ["# Detection comparison", "",
             "COCO AP (person, ignore regions respected; fractions) and KAIST MR^-2 (reasonable setting, percent, "
             "lower is better): mean ± sample sd over training seeds.", ""]
    rows = [[group.name, _listed(group.seeds, ", "), *(mean_cell(group, c) for c in COLUMNS)]
            for group in report.inputs]
    lines += [tabulate(rows, headers=["input", "seeds", *COLUMNS], tablefmt="pipe", disable_numparse=True,
                       colalign=["left", "left"] + ["right"] * len(COLUMNS)), ""]
    lines += ["## Differences and noise", ""]
    if report.comparisons:
        setup = report.setup
        lines += [f"Paired bootstrap: {setup.resamples} resamples of the {report.n_images} test images (the same "
                  "images for both inputs), the seeds of each input drawn with replacement in every resample; "
                  f"{100 * setup.confidence:.0f} % percentile intervals (generator seed {setup.seed}). `*`: the "
                  "interval excludes 0, the difference is told apart from noise at that level. With one seed per "
                  "input the interval holds the test-image variation only.", ""]
        rows = [[f"{c.candidate} - {c.reference}", *(interval_cell(c, column) for column in COLUMNS)]
                for c in report.comparisons]
        lines += [tabulate(rows, headers=["difference", *COLUMNS], tablefmt="pipe", disable_numparse=True), ""]
        lines += ["In words (AP, AP50, MR^-2 all):", ""] + [f"- {verdict_sentence(c)}" for c in report.comparisons]
    else:
        lines += [f"No intervals: {report.bootstrap_note or 'no pair to compare'}."]
    lines += ["", "## The paper's Table 7 beside ours", ""] + _paper_table(report.inputs)
    lines += ["", "## Provenance", ""]
    lines += [f"- {run.name} (seed {run.seed}): {provenance(run)}" for group in report.inputs for run in group.runs]
    return "\n".join(lines) + "\n"


def _csv(rows: list[list]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def inputs_csv(report: ComparisonReport) -> str:
    """One row per input: seeds, then mean and sd of every column."""
    rows = [["input", "seeds", *(f"{kind}_{c}" for c in COLUMNS for kind in ("mean", "sd"))]]
    for group in report.inputs:
        rows.append([group.name, _listed(group.seeds, " "),
                     *(value for c in COLUMNS for value in (group.mean(c), group.spread(c)))])
    return _csv(rows)


def runs_csv(report: ComparisonReport) -> str:
    """One row per run: its metrics and provenance."""
    rows = [["input", "seed", *COLUMNS, "epoch", "config", "checkpoint", "checkpoint_sha256", "img_folder",
             "fusion_method", "fusion_checkpoint_sha256", "predictions"]]
    for group in report.inputs:
        for run in group.runs:
            record, meta = run.record, run.record.get("fused_meta") or {}
            rows.append([group.name, run.seed, *(run.metrics.get(c) for c in COLUMNS), record.get("epoch"),
                         record["config"], record["checkpoint"], record.get("checkpoint_sha256") or "",
                         record["img_folder"], meta.get("method", ""), fusion_weights_sha256(meta) or "",
                         record.get("predictions") or ""])
    return _csv(rows)


def differences_csv(report: ComparisonReport) -> str:
    """One row per compared pair and column: difference, interval, verdict, resamples."""
    rows = [["candidate", "reference", "column", "difference", "low", "high", "confidence", "resamples",
             "verdict"]]
    for comparison in report.comparisons:
        for column in COLUMNS:
            i = comparison.intervals[column]
            rows.append([comparison.candidate, comparison.reference, column, i.difference, i.low, i.high,
                         i.confidence, i.resamples, i.verdict()])
    return _csv(rows)


def chart_figure(report: ComparisonReport):
    """The chart as a matplotlib figure: bars of the means with seed sd error bars (AP columns, then MR columns);
    below, each difference of AP and MR_all with its interval. One full-width panel a row, the legend beside the
    bars, so that every title and label shows with six inputs and more."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    groups = (("AP", "AP50", "AP75", "APS", "APM", "APL"), ("MR_all", "MR_day", "MR_night"))
    labels = ("COCO AP (higher is better)", "MR^-2 % (lower is better)")
    n_rows = 4 if report.comparisons else 2
    heights = [3.2, 3.2] + [0.9 + 0.35 * len(report.comparisons)] * (n_rows - 2)
    figure, axes = plt.subplots(n_rows, 1, figsize=(11, sum(heights)), layout="constrained",
                                gridspec_kw=dict(height_ratios=heights))
    width = 0.8 / max(1, len(report.inputs))
    for axis, columns, label in zip(axes[:2], groups, labels):
        for index, group in enumerate(report.inputs):
            spreads = [0.0 if math.isnan(group.spread(c)) else group.spread(c) for c in columns]
            axis.bar([i + index * width for i in range(len(columns))], [group.mean(c) for c in columns], width,
                     yerr=spreads, capsize=2, label=f"{group.name} (n={len(group.runs)})")
        axis.set_xticks([i + width * (len(report.inputs) - 1) / 2 for i in range(len(columns))], columns)
        axis.set_title(f"{label}: mean ± sd over seeds", loc="left")
        axis.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
    if report.comparisons:
        names = [f"{c.candidate} - {c.reference}" for c in report.comparisons]
        for axis, column in zip(axes[2:], ("AP", "MR_all")):
            for y, comparison in enumerate(report.comparisons):
                i = comparison.intervals[column]
                low, high = (i.difference, i.difference) if math.isnan(i.low) else (i.low, i.high)
                axis.errorbar(i.difference, y, xerr=[[i.difference - low], [high - i.difference]], fmt="o",
                              capsize=3, color="tab:red" if i.beyond_noise else "tab:gray")
            axis.axvline(0, color="black", linewidth=0.8)
            axis.set_yticks(range(len(names)), names)
            axis.invert_yaxis()
            axis.set_title(f"{column} difference, {100 * report.setup.confidence:.0f} % paired bootstrap interval "
                           "(red: beyond noise)", loc="left")
    return figure


def chart(report: ComparisonReport, path: str | Path) -> Path:
    """Write :func:`chart_figure` as a PNG; return its path."""
    import matplotlib.pyplot as plt

    figure = chart_figure(report)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=120)
    plt.close(figure)
    return path


def write_report(report: ComparisonReport, prefix: str | Path) -> list[Path]:
    """Write ``PREFIX.md``, ``PREFIX.csv``, ``PREFIX_runs.csv``, ``PREFIX_differences.csv`` (when there are
    intervals) and ``PREFIX.png``; return their paths."""
    prefix = Path(prefix)
    prefix.parent.mkdir(parents=True, exist_ok=True)
    texts = [(".md", to_markdown(report)), (".csv", inputs_csv(report)), ("_runs.csv", runs_csv(report))]
    if report.comparisons:
        texts.append(("_differences.csv", differences_csv(report)))
    paths = []
    for suffix, text in texts:
        path = prefix.with_name(prefix.name + suffix)
        atomic_write_text(path, text)
        paths.append(path)
    paths.append(chart(report, prefix.with_name(prefix.name + ".png")))
    return paths
