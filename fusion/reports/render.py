"""Markdown of the quality report (tables per set, weights, speed, target, conventions)."""
from __future__ import annotations

import os
import platform
from collections.abc import Sequence
from pathlib import Path

from ..metrics import PAPER_METRICS
from ..metrics.table import METRICS
from ..utils.markdown import markdown_table
from .leaderboard import AIM_SET, OURS_SUFFIX, TOP_MEAN_RANK, TOP_TARGET, Leaderboard
from .quality import MIN_AHEAD, TARGET_METRIC, QualityReport


def cpu_name() -> str:
    """The CPU's model name (``/proc/cpuinfo`` on Linux), else what ``platform`` knows."""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def _metric_rows(report: QualityReport, set_name: str) -> list[list[str]]:
    table = report.tables[set_name]
    means = table.means()
    best = {m: max(row[m] for row in means.values()) for m in table.metrics}
    return [[method] + [f"**{row[m]:.4f}**" if row[m] == best[m] else f"{row[m]:.4f}" for m in table.metrics]
            for method, row in means.items()]


def _weights_rows(report: QualityReport) -> list[list[str]]:
    rows = []
    for name, source in report.sources.items():
        if source.checkpoint is None:
            continue
        meta = source.meta
        schedule = meta.get("schedule", {})
        rows.append([name, f"`{source.checkpoint.name}`", f"`{source.sha256}`", str(meta.get("phase", "?")),
                     f"{meta.get('iteration', '?')} / {meta.get('max_iters', '?')}",
                     str(schedule.get("crop_size", "?")), f"{meta.get('elapsed_s', 0) / 60:.1f} min"])
    return rows


def _speed_rows(report: QualityReport) -> list[list[str]]:
    rows = []
    for row in report.speed:
        network = row.params > 0
        rows.append([row.method, f"{row.params / 1e6:.3f} M" if network else "-",
                     f"{row.macs / 1e9:.1f}" if network else "-", f"{2 * row.macs / 1e9:.1f}" if network else "-",
                     row.backend, f"{row.seconds_per_pair:.3f}", f"{row.pairs_per_second:.2f}"])
    return rows


def _ordinal(place: int) -> str:
    suffix = "th" if 10 <= place % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(place % 10, "th")
    return f"{place}{suffix}"


def msfam_standing(board: Leaderboard, row: str = "msfam" + OURS_SUFFIX) -> str:
    """Where MSFAM stands on a leaderboard; on TNO-21, against the aims (top 3 by mean rank, top 5 on ITC)."""
    rows = len(board.mean_rank)
    place, target_place = board.place(row), board.place(row, TARGET_METRIC)
    text = (f"MSFAM is **{_ordinal(place)} of {rows}** by mean rank ({board.mean_rank[row]:.2f}) and "
            f"**{_ordinal(target_place)}** on {TARGET_METRIC} ({board.values[row][TARGET_METRIC]:.4f})")
    if board.set_name != AIM_SET:
        return text + "."
    met = place <= TOP_MEAN_RANK and target_place <= TOP_TARGET
    text += f"; the aims on {AIM_SET}, top {TOP_MEAN_RANK} by mean rank and top {TOP_TARGET} on {TARGET_METRIC}: "
    text += "**met**" if met else "**missed**"
    if place > TOP_MEAN_RANK:
        third = sorted(board.mean_rank.values())[TOP_MEAN_RANK - 1]
        text += (f"; mean rank missed by {place - TOP_MEAN_RANK} place(s) "
                 f"(mean rank {board.mean_rank[row] - third:.2f} above the {_ordinal(TOP_MEAN_RANK)} row's "
                 f"{third:.2f})")
    if target_place > TOP_TARGET:
        text += f"; {TARGET_METRIC} missed by {target_place - TOP_TARGET} place(s)"
    return text + "."


def leaderboard_markdown(board: Leaderboard) -> str:
    """One set's leaderboard: value (rank) per metric, mean rank, the target metric and its rank."""
    metrics = [*PAPER_METRICS, TARGET_METRIC]
    body = [[str(index), f"**{row}**" if row in board.ours else row,
             *(f"{board.values[row][m]:.4f} ({board.ranks[row][m]:g})" for m in metrics),
             f"{board.mean_rank[row]:.2f}"] for index, row in enumerate(board.values, 1)]
    left_out = ", ".join(f"{method} ({count})" for method, count in board.left_out.items())
    lines = [f"### {board.set_name}: {len(board.stems)} pairs, {len(board.values)} rows", "",
             f"Pairs scored (every ranked method covers them): {', '.join(board.stems)}.",
             *([f"Not ranked (fewer pairs covered, in brackets): {left_out}."] if left_out else []), "",
             msfam_standing(board), "",
             markdown_table(["place", "method", *(f"{m} (rank)" for m in metrics), "mean rank (6)"], body, 2), ""]
    return "\n".join(lines)


def quality_markdown(report: QualityReport, command: str, gallery: str | None = None,
                     leaderboards: Sequence[Leaderboard] = (), leaderboard_gallery: str | None = None) -> str:
    """The whole report as Markdown; ``command`` is the one that regenerates it."""
    verdicts = report.targets()
    width, height = report.speed_size
    lines = [
        "# Fusion quality report",
        "",
        f"Regenerate: `{command}` (fuses with the shipped weights in fp32 on the CPU, output min-max stretched "
        "as `tools/fuse_folder.py` writes it, then scores the saved images with `tools/eval_fusion.py`'s code).",
        "",
        f"**Target**: MSFAM ahead of our NestFuse on at least {MIN_AHEAD} of the paper's {len(PAPER_METRICS)} "
        f"metrics ({', '.join(PAPER_METRICS)}) and not below it on the infrared target contrast ({TARGET_METRIC}), "
        "on each set:",
        "",
        *[f"- {name}: {verdict.describe()}" for name, verdict in verdicts.items()],
        "",
        "## Weights",
        "",
        markdown_table(["method", "file", "sha256", "phase", "iterations", "crop", "training time"],
                       _weights_rows(report), 7),
        "",
        "Model cards: `fusion/weights/README.md`.",
        "",
    ]
    for eval_set in report.sets:
        table = report.tables[eval_set.name]
        lines += [f"## {eval_set.name}: {eval_set.description}", "",
                  f"Mean over {len(table.images)} pairs; best of each column in bold (higher is better for all).", "",
                  markdown_table(["method", *table.metrics], _metric_rows(report, eval_set.name)), ""]
    lines += [
        f"## Size and speed ({width}x{height}, one pair, batch 1, fp32, CPU)",
        "",
        f"Measured in the same run on {cpu_name()} ({os.cpu_count()} CPUs) with {report.threads} torch "
        "thread(s): median of the timed repeats after one warm-up, model only (tensors in, tensors out), "
        "on the backend `load_fuser` picks by default (onnxruntime for the networks when installed). "
        "Multiply-adds counted with torch's FlopCounterMode (convolutions and matrix products); GFLOPs = 2 x GMACs. "
        "The classical methods have no weights and are not counted.",
        "",
        markdown_table(["method", "parameters", "GMACs", "GFLOPs", "backend", "s / pair", "pairs / s"],
                       _speed_rows(report)),
        "",
    ]
    if leaderboards:
        lines += ["## Leaderboards: our methods among published ones on the same pairs", "",
                  "Published outputs (`../shared/data/published`, see its MANIFEST) scored with the same code as the "
                  "tables above, on the pairs every ranked method covers. Each cell: the mean value and, in brackets, "
                  "its rank among the rows (1 = best, ties share the mean rank); rows ordered by the mean of the "
                  f"ranks over the paper's six metrics; {TARGET_METRIC} is ranked on its own (not in the mean). "
                  "Our rows in bold. These six metrics reward staying close to the sources (the pixel average ranks "
                  f"high): read them beside {TARGET_METRIC}, what a pedestrian detector needs, and the images.", ""]
        for board in leaderboards:
            lines.append(leaderboard_markdown(board))
        if leaderboard_gallery:
            lines += [f"![leaderboard gallery]({leaderboard_gallery})", "",
                      "Columns: infrared | visible | the three best published rows by mean rank | our NestFuse | "
                      "our MSFAM.", ""]
    if gallery:
        lines += ["## Gallery", "", f"![gallery]({gallery})", "",
                  "Columns: infrared (captioned with the row's pair) | visible | the methods in the order of the "
                  "tables; rows: a held-out pair, a TNO pair, an MSRS day and an MSRS night pair.",
                  ""]
    lines += ["## Metric conventions", "",
              "A = infrared, B = visible, F = fused; greyscale [0, 255] as read from the files (colour -> "
              "BT.601 luminance, rounded).", ""]
    metrics = report.tables[report.sets[0].name].metrics
    lines += [f"- {metric}: {METRICS[metric].convention}" for metric in metrics]
    return "\n".join(lines) + "\n"


def ablation_markdown(rows: Sequence[dict], command: str, runs_dir: str, eval_set: str,
                      record_name: str = "ablations.csv") -> str:
    """The ablation table (rows of :func:`fusion.reports.ablation.ablation_table`) as Markdown; ``record_name``:
    the record that recorded rows come from."""
    present = [r for r in rows if r["values"] is not None]
    metrics = list(present[0]["values"]) if present else list(PAPER_METRICS)
    best = {m: max(r["values"][m] for r in present) for m in metrics} if present else {}
    body = []
    for r in rows:
        row = r["row"]
        if r["values"] is None:
            missing = f"(no run in {runs_dir}/{row.run})"
            body.append([row.table, row.label, row.change, missing] + [""] * (len(metrics) + 1))
            continue
        cells = [f"**{r['values'][m]:.4f}**" if r["values"][m] == best[m] else f"{r['values'][m]:.4f}" for m in metrics]
        recorded = ", recorded" if r.get("recorded") else ""
        body.append([row.table, row.label, row.change, f"`{row.run}/{r['checkpoint']}` ({r['iteration']} of "
                     f"{r['max_iters']} it, {(r['elapsed_s'] or 0) / 60:.1f} min{recorded})", *cells,
                     f"{r['score']:.4f}"])
    lines = [
        "# Ablations (MSFAM Tables 1-3, and this project's fixes)",
        "",
        f"Regenerate: `{command}` (reads the runs of `{runs_dir}` written by `tools/train_fusion_all.sh`).",
        "",
        f"All rows: {eval_set}, each pair fused at full size in float32 by the run's network (`best.pth`, chosen on "
        "the validation split, else `final.pth`), min-max stretched, saved as 8 bits and scored from the file: the "
        "code and precision of the quality report. `score`: mean over the paper's six metrics of each divided by "
        f"the pixel average's value on the same pairs (above 1: better than averaging on balance); {TARGET_METRIC}: "
        "infrared target contrast (not in the score). Every stage-2 variant ran the same shortened schedule from "
        "the same stage-1 network (except `Fusion`, from scratch); best of each column in bold. One seed per row: "
        "differences of a few thousandths are within run-to-run noise.",
        *(["", f"Rows marked `recorded`: the run is no longer in `{runs_dir}`; its values are those scored when it "
           f"was (kept in the table's record, `{record_name}`)."] if any(r.get("recorded") for r in rows) else []),
        "",
        markdown_table(["table", "row", "what changes", "run", *metrics, "score"], body, 4),
    ]
    return "\n".join(lines) + "\n"
