"""Each phase's results, read from the files its steps wrote under the phase's work folder."""
from __future__ import annotations

import json
import statistics
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fusion.utils.files import read_json_lines


def read_json(path: Path) -> Any:
    """A JSON file, or None when it is missing or unreadable (torn by a kill)."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None


def fusion_run(records: list[dict[str, Any]]) -> dict[str, Any]:
    """Progress and speed of one ``tools/train_fusion.py`` run from its ``log.jsonl`` records."""
    start = next((r for r in reversed(records) if r["event"] == "start"), {})
    train = [r for r in records if r["event"] == "train"]
    end = next((r for r in reversed(records) if r["event"] == "end"), None)
    iterations = end["iter"] if end else (train[-1]["iter"] if train else 0)
    elapsed = end["elapsed_s"] if end else None
    return {
        "max_iters": start.get("max_iters"),
        "train_samples": start.get("train_samples"),
        "batches_per_epoch": start.get("batches_per_epoch"),
        "time_budget_min": start.get("time_budget_min"),
        "device": start.get("device"),
        "iterations": iterations,
        "complete": bool(end and end.get("complete")),
        "stopped": end.get("stopped") if end else "no end record (killed?)",
        "elapsed_s": elapsed,
        "iters_per_s": iterations / elapsed if elapsed else None,
        "median_step_s": statistics.median(r["step_s"] for r in train) if train else None,
        "best": end.get("best") if end else None,
        "prepare": next((r for r in records if r["event"] == "prepare"), None),
        "val": [{k: v for k, v in r.items() if k not in ("event", "time")} for r in records if r["event"] == "val"],
        "train_curve": [[r["iter"], round(r["loss"], 5), round(r["step_s"], 4)] for r in train][-200:],
    }


def fusion_results(work: Path) -> dict[str, Any]:
    """Per training run under ``work`` (``<run>/log.jsonl`` of ``tools/train_fusion.py``): progress and speed."""
    return {log.parent.name: fusion_run(read_json_lines(log)) for log in sorted(work.glob("*/log.jsonl"))}


def bench_results(work: Path) -> dict[str, Any]:
    """``bench/bench_models.py --json`` files under ``work`` (one per dtype)."""
    return {path.stem: read_json(path) for path in sorted(work.glob("bench_models_*.json"))}


def fuse_results(work: Path) -> dict[str, Any]:
    """``tools/fuse_dataset.py`` runs (each method's ``meta.json``) and ``bench_fuse_dataset.py --json``."""
    runs = {}
    for meta_path in sorted(work.glob("kaist_fused/*/meta.json")):
        meta = read_json(meta_path) or {}
        runs[meta_path.parent.name] = meta.get("runs", meta)
    return {"synthetic_kaist": read_json(work.parent / "synthetic_kaist" / "stamp.json"),
            "fuse_dataset": runs, "bench_fuse_dataset": read_json(work / "bench_fuse_dataset.json")}


def det_run(records: list[dict[str, Any]], settings: dict[str, Any], skip: int = 1) -> dict[str, Any]:
    """One detector run from mmengine's scalar records: iterations, images/s (batch over the median logged
    iteration time, after the first ``skip`` records) and peak GPU memory, with its ``settings``."""
    records = [r for r in records if "time" in r and "iter" in r]
    timed = records[skip:] or records
    median_time = statistics.median(r["time"] for r in timed) if timed else None
    batch = settings.get("batch_size")
    memory = [r["memory"] for r in records if "memory" in r]
    return {
        **settings,
        "iterations": records[-1]["iter"] if records else 0,
        "median_iter_s": median_time,
        "median_data_s": statistics.median(r["data_time"] for r in timed if "data_time" in r) if timed else None,
        "images_per_s": batch / median_time if batch and median_time else None,
        "max_memory_mib": max(memory) if memory else None,
        "loss": [[r["iter"], round(r["loss"], 5)] for r in records if "loss" in r][-50:],
    }


def det_results(work: Path) -> dict[str, Any]:
    """Per training run under ``work`` (``<variant>/``: ``settings.json`` and the newest
    ``*/vis_data/scalars.json``), as :func:`det_run` reads it."""
    results = {}
    for run in sorted(p for p in work.iterdir() if p.is_dir() and p.name != "kaist_fused") if work.is_dir() else []:
        scalars = sorted(run.glob("*/vis_data/scalars.json"), key=lambda p: p.stat().st_mtime)
        records = read_json_lines(scalars[-1]) if scalars else []
        results[run.name] = det_run(records, read_json(run / "settings.json") or {})
    return results


COLLECTORS: dict[str, Callable[[Path], dict[str, Any]]] = {
    "fusion": fusion_results, "bench": bench_results, "fuse": fuse_results, "det": det_results}
