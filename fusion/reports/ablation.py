"""The ablation table (MSFAM Tables 1-3, and one row per fix of this project): every variant on the held-out split.

Each row is a training run in a work directory (``tools/train_fusion_all.sh`` writes them side by side). Its
network (``best.pth``, chosen on the validation split, else ``final.pth``) is scored exactly as the quality
report scores the shipped weights: every held-out pair fused at full size in float32, min-max stretched,
saved as an 8-bit image (cached under ``<work>/fused/<run>-<sha256>``), then scored from the file. The
pixel average is scored beside them, and ``score`` divides each of the paper's six metrics by its value.

Runs are large and short-lived; the table's record (``ablations.csv``: one line per scored run, written by
:func:`write_record`) outlives them. A row whose run is no longer on disk keeps its recorded values, marked
as recorded; a row whose run is present is scored again.
"""
from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..engine.evaluation import relative_score
from ..metrics import PAPER_METRICS
from ..utils.csv_text import csv_text
from ..utils.files import atomic_write_text
from .quality import TARGET_METRIC, MethodSource, Progress, checkpoint_source, fuse_set, score_set
from .sets import EvalSet

#: Metrics of the table: the paper's six and the infrared target contrast.
ABLATION_METRICS = (*PAPER_METRICS, TARGET_METRIC)
#: The training-free reference of ``score``.
REFERENCE = "average"
#: Columns of the record besides the metrics and ``score``.
RECORD_FIELDS = ("run", "checkpoint", "iteration", "max_iters", "elapsed_s")


@dataclass(frozen=True)
class AblationRow:
    """One variant: the paper's table (or ``fix``) and row, what it changes, and its run's folder name."""

    table: str
    label: str
    change: str
    run: str


ABLATION_ROWS = (
    AblationRow("1", "Rec", "stage 1 only, NestFuse's hand-designed fusion", "stage1_msfam"),
    AblationRow("1", "Fusion", "no stage 1: whole network from scratch, basic loss", "ablation_no_stage1"),
    AblationRow("1, 2, 3", "Rec and Fusion / w/ attention / neither",
                "stage 1 then stage 2, attention blocks, basic loss (no Push-Pull weights, no Constraint)",
                "ablation_neither"),
    AblationRow("2", "w/o attention", "5x5 conv fusion blocks, basic loss", "ablation_conv5"),
    AblationRow("3", "Push-Pull only", "Push-Pull weights (negative feedback), no Semantic Constraint",
                "ablation_no_constraint"),
    AblationRow("3", "Constraint only", "Semantic Constraint, equal MS-SSIM weights", "ablation_no_pushpull"),
    AblationRow("3", "both (MSFAM)", "Push-Pull and Semantic Constraint, residual attention blocks "
                "(stage2_msfam.py)", "ablation_full"),
    AblationRow("fix 1", "literal Push-Pull", "both, Push-Pull weights as Algorithm 2 prints them (positive feedback)",
                "ablation_literal_pushpull"),
    AblationRow("fix 2", "plain blocks, cold", "both, the paper's plain attention blocks from their random "
                "initialisation (not residual)", "ablation_no_warm_start"),
    AblationRow("fix 2", "plain blocks, feature fit", "both, plain blocks first fitted to the hand-designed fusion "
                "of the encoder's features", "ablation_feature_fit"),
    AblationRow("fix 6", "unbounded constraint", "both, the Semantic Constraint without its bound (confidence "
                "beyond p = 0.5 still rewarded), as the paper writes it", "ablation_unbounded_constraint"),
    AblationRow("L1", "L1 max", "both, L1 towards max(V, I) instead of the mean of the absolute differences "
                "to V and I", "ablation_l1_max"),
    AblationRow("target", "target contrast", "both, plus the infrared target contrast loss (gamma = 1)",
                "ablation_target_contrast"),
    AblationRow("target", "Push-Pull + target", "Push-Pull and the infrared target contrast loss (gamma = 1), no "
                "Semantic Constraint", "ablation_pushpull_target"),
    AblationRow("fix 7", "Push-Pull only, decoder frozen", "Push-Pull only, the decoder frozen too (the paper trains "
                "it at half the fusion blocks' rate)", "ablation_frozen_decoder"),
    AblationRow("fix 7", "Push-Pull + target, decoder frozen", "Push-Pull + target (gamma = 1), the decoder frozen too",
                "ablation_pushpull_target_frozen"),
    AblationRow("shipped", "MSFAM as shipped", "Push-Pull + target, decoder frozen (stage2_msfam_target.py) on the "
                "stage-2 schedule: 320x256 crops, chosen on validation", "stage2_msfam_target"),
)


def run_checkpoint(run_dir: Path) -> Path | None:
    """The network of a run the table scores: ``best.pth`` (chosen on validation), else ``final.pth``."""
    for name in ("best.pth", "final.pth"):
        if (run_dir / name).is_file():
            return run_dir / name
    return None


def ablation_table(runs_dir: str | Path, eval_set: EvalSet, work_dir: str | Path,
                   rows: Sequence[AblationRow] = ABLATION_ROWS, metrics: Sequence[str] = ABLATION_METRICS,
                   workers: int = 1, progress: Progress | None = None,
                   record: Mapping[str, Mapping[str, Any]] | None = None) -> list[dict[str, Any]]:
    """Every row's metric means on ``eval_set`` and its ``score`` (module docstring).

    Args:
        record: earlier results by run name (:func:`read_record`), used for rows whose run is missing.

    Returns:
        One dict per row: ``row``, ``values`` (None when the run is missing and unrecorded), ``recorded``, and
        for scored or recorded runs ``score``, ``checkpoint``, ``iteration``, ``max_iters``, ``elapsed_s``.
    """
    runs_dir, work_dir = Path(runs_dir), Path(work_dir)
    sources: dict[str, MethodSource] = {REFERENCE: MethodSource(REFERENCE, None, None, {})}
    for row in rows:
        checkpoint = run_checkpoint(runs_dir / row.run)
        if checkpoint is not None:
            sources[row.run] = checkpoint_source(row.run, checkpoint)
    folders = {name: work_dir / "fused" / source.folder_name for name, source in sources.items()}
    for name, source in sources.items():
        wrap = (lambda items, n=name: progress(items, len(items), f"{n} on {eval_set.name}")) if progress else None
        fuse_set(source.fuser(), eval_set.pairs, folders[name], wrap)
    means = score_set(eval_set, folders, metrics, workers, progress).means()
    table = []
    for row in rows:
        if row.run not in sources:
            kept = (record or {}).get(row.run)
            table.append({"row": row, "values": None, "recorded": False} if kept is None else
                         {"row": row, **kept, "values": {m: kept["values"][m] for m in metrics}, "recorded": True})
            continue
        meta = sources[row.run].meta
        table.append({"row": row, "values": means[row.run], "recorded": False,
                      "checkpoint": sources[row.run].checkpoint.name,
                      "score": relative_score(means[row.run], means[REFERENCE], PAPER_METRICS),
                      "iteration": meta.get("iteration"), "max_iters": meta.get("max_iters"),
                      "elapsed_s": meta.get("elapsed_s")})
    return table


def write_record(path: str | Path, table: Sequence[Mapping[str, Any]]) -> None:
    """Write the scored and recorded rows of :func:`ablation_table` as CSV (:data:`RECORD_FIELDS`, the
    metrics, ``score``), atomically."""
    present = [r for r in table if r["values"] is not None]
    metrics = list(present[0]["values"]) if present else list(ABLATION_METRICS)
    rows = [[r["row"].run, r["checkpoint"], r["iteration"], r["max_iters"], r["elapsed_s"],
             *(repr(float(r["values"][m])) for m in metrics), repr(float(r["score"]))] for r in present]
    atomic_write_text(path, csv_text([[*RECORD_FIELDS, *metrics, "score"], *rows]))


def read_record(path: str | Path) -> dict[str, dict[str, Any]]:
    """The record :func:`write_record` wrote, by run name; empty when ``path`` does not exist.

    Raises:
        ValueError: the file lacks a column of :data:`RECORD_FIELDS` or ``score`` (the message names it).
    """
    path = Path(path)
    if not path.is_file():
        return {}
    with path.open(newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in (*RECORD_FIELDS, "score") if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path} is not an ablation record: no column {', '.join(missing)}")
        metrics = [c for c in reader.fieldnames if c not in (*RECORD_FIELDS, "score")]

        def number(text: str, kind: type = float) -> float | int | None:
            return kind(float(text)) if text not in ("", "None") else None

        return {line["run"]: {"checkpoint": line["checkpoint"], "iteration": number(line["iteration"], int),
                              "max_iters": number(line["max_iters"], int), "elapsed_s": number(line["elapsed_s"]),
                              "values": {m: float(line[m]) for m in metrics}, "score": float(line["score"])}
                for line in reader}
