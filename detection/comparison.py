"""Test records of detector runs and the side-by-side comparison report of the four inputs.

``tools/test_det.py`` writes ``<work_dir>/test_record.json`` after testing: the metrics, and where they came
from (config, checkpoint and its sha256, the image folder and that folder's ``meta.json`` written by
``tools/fuse_dataset.py``). ``tools/compare_det.py`` reads several records and writes one report: Markdown,
CSV and a bar chart, each input's difference from the visible-only detector, and each row's provenance.
"""
from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tabulate import tabulate

from .file_utils import file_sha256, write_text_atomic

#: Report columns: KaistMetric's keys (AP as fractions, MR^-2 in percent; lower MR is better).
COLUMNS = ("AP", "AP50", "AP75", "APS", "APM", "APL", "MR_all", "MR_day", "MR_night")
RECORD_NAME = "test_record.json"


def write_test_record(work_dir: str | Path, metrics: dict[str, float], config_path: str | Path,
                      checkpoint: str | Path, data_root: str | Path, img_folder: str) -> Path:
    """Write ``<work_dir>/test_record.json`` (metrics without their ``kaist/`` prefix, plus provenance)."""
    image_dir = Path(data_root) / img_folder
    meta_path = image_dir / "meta.json"
    record = {
        "metrics": {key.split("/")[-1]: float(value) for key, value in metrics.items()},
        "config": str(config_path),
        "checkpoint": str(checkpoint),
        "checkpoint_sha256": file_sha256(checkpoint) if Path(checkpoint).is_file() else None,
        "data_root": str(data_root),
        "img_folder": img_folder,
        "fused_meta": json.loads(meta_path.read_text()) if meta_path.is_file() else None,
    }
    path = Path(work_dir) / RECORD_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(path, json.dumps(record, indent=2) + "\n")
    return path


def record_test(cfg: Any, metrics: dict[str, float], config_path: str | Path, checkpoint: str | Path) -> Path:
    """:func:`write_test_record` for a tested mmengine config (its work dir and test dataset's image folder)."""
    dataset = cfg.test_dataloader.dataset
    return write_test_record(cfg.work_dir, metrics, config_path, checkpoint, dataset.data_root,
                             dataset.data_prefix.img.rstrip("/"))


@dataclass
class Run:
    """One detector run in the comparison: a row name and its test record."""

    name: str
    record: dict[str, Any]

    @property
    def metrics(self) -> dict[str, float]:
        return self.record["metrics"]


def load_run(name: str | None, path: str | Path) -> Run:
    """Read a run from its work dir or record file; the row is named after the image folder by default.

    Raises:
        FileNotFoundError: no record there (the message says how to make one).
    """
    path = Path(path)
    record_path = path / RECORD_NAME if path.is_dir() else path
    if not record_path.is_file():
        raise FileNotFoundError(f"no {RECORD_NAME} in {path}: run tools/test_det.py CONFIG CHECKPOINT "
                                "--work-dir <that folder> first")
    record = json.loads(record_path.read_text())
    return Run(name or record["img_folder"], record)


def _format(value: float | None, digits: int) -> str:
    return "n/a" if value is None or math.isnan(value) else f"{value:.{digits}f}"


def _delta(run: Run, baseline: Run | None, column: str) -> float | None:
    if baseline is None or run is baseline:
        return None
    return run.metrics.get(column, math.nan) - baseline.metrics.get(column, math.nan)


def fusion_weights_sha256(meta: dict) -> str | None:
    """The sha256 of the fusion weights recorded in a fused folder's ``meta.json`` (None: training-free)."""
    return (meta.get("checkpoint") or {}).get("sha256")


def provenance(run: Run) -> str:
    """Where a row came from: config, checkpoint (sha256 prefix), fusion method and its checkpoint."""
    record = run.record
    parts = [f"config {Path(record['config']).name}", f"checkpoint {Path(record['checkpoint']).name}"]
    if record.get("checkpoint_sha256"):
        parts[-1] += f" ({record['checkpoint_sha256'][:12]})"
    meta = record.get("fused_meta")
    if meta:
        fusion = f"images {record['img_folder']}/ by {meta.get('method', '?')}"
        if fusion_weights_sha256(meta):
            fusion += f" (weights {fusion_weights_sha256(meta)[:12]})"
        parts.append(fusion)
    else:
        parts.append(f"images {record['img_folder']}/ (no meta.json)")
    return ", ".join(parts)


def to_markdown(runs: list[Run], baseline: str = "visible") -> str:
    """The comparison table (with differences from ``baseline`` where it is among the runs) and provenance."""
    base = next((run for run in runs if run.name == baseline), None)
    lines = ["COCO AP (person, ignore regions respected; fractions) and KAIST MR^-2 (reasonable setting, percent, "
             "lower is better)." + (f" Differences are from the {baseline} row." if base else ""), ""]
    rows = []
    for run in runs:
        cells = []
        for column in COLUMNS:
            digits = 2 if column.startswith("MR") else 3
            cell = _format(run.metrics.get(column), digits)
            delta = _delta(run, base, column)
            if delta is not None and not math.isnan(delta):
                cell += f" ({delta:+.{digits}f})"
            cells.append(cell)
        rows.append([run.name, *cells])
    lines += [tabulate(rows, headers=["input", *COLUMNS], tablefmt="pipe", disable_numparse=True,
                       colalign=["left"] + ["right"] * len(COLUMNS))]
    lines += ["", "Provenance:", ""] + [f"- {run.name}: {provenance(run)}" for run in runs]
    return "\n".join(lines) + "\n"


def to_csv(runs: list[Run], baseline: str = "visible") -> str:
    """One row per input: the metrics, their differences from ``baseline``, and provenance."""
    base = next((run for run in runs if run.name == baseline), None)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["input", *COLUMNS, *(f"delta_{c}" for c in COLUMNS), "config", "checkpoint",
                     "checkpoint_sha256", "img_folder", "fusion_method", "fusion_checkpoint_sha256"])
    for run in runs:
        meta = run.record.get("fused_meta") or {}
        deltas = [_delta(run, base, column) for column in COLUMNS]
        writer.writerow([run.name, *(run.metrics.get(c) for c in COLUMNS),
                         *("" if d is None else d for d in deltas), run.record["config"], run.record["checkpoint"],
                         run.record.get("checkpoint_sha256") or "", run.record["img_folder"],
                         meta.get("method", ""), fusion_weights_sha256(meta) or ""])
    return buffer.getvalue()


def bar_chart(runs: list[Run], path: str | Path) -> Path:
    """Grouped bars: the AP columns (left axis, fractions) and the MR^-2 columns (right panel, percent)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    groups = (("AP", "AP50", "AP75", "APS", "APM", "APL"), ("MR_all", "MR_day", "MR_night"))
    figure, axes = plt.subplots(1, 2, figsize=(12, 4), gridspec_kw=dict(width_ratios=(2, 1)))
    width = 0.8 / max(1, len(runs))
    for axis, columns, label in zip(axes, groups, ("COCO AP (higher is better)", "MR^-2 % (lower is better)")):
        for index, run in enumerate(runs):
            values = [run.metrics.get(c, math.nan) for c in columns]
            axis.bar([i + index * width for i in range(len(columns))], values, width, label=run.name)
        axis.set_xticks([i + width * (len(runs) - 1) / 2 for i in range(len(columns))], columns)
        axis.set_title(label)
    axes[0].legend(fontsize="small")
    figure.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=120)
    plt.close(figure)
    return path


def write_report(runs: list[Run], prefix: str | Path, baseline: str = "visible") -> list[Path]:
    """Write ``PREFIX.md``, ``PREFIX.csv`` and ``PREFIX.png``; return their paths."""
    prefix = Path(prefix)
    prefix.parent.mkdir(parents=True, exist_ok=True)
    paths = []
    for suffix, text in ((".md", to_markdown(runs, baseline)), (".csv", to_csv(runs, baseline))):
        path = prefix.with_name(prefix.name + suffix)
        path.write_text(text)
        paths.append(path)
    paths.append(bar_chart(runs, prefix.with_name(prefix.name + ".png")))
    return paths
