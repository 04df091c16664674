"""``summary.json`` of a device run: started with the environment, a phase's entry added after each phase.

Rewritten whole and atomically each time, so that a run killed at any moment leaves a readable summary.
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from fusion.utils.files import atomic_write_bytes, json_bytes

from .results import COLLECTORS, read_json
from .steps import phase_status, read_steps


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


def _write(summary_path: Path, summary: dict[str, Any]) -> None:
    summary_path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(summary_path, json_bytes(summary))


def start_summary(summary_path: Path, environment: dict[str, Any], device: str, phases: str, dry_run: bool,
                  data_manifest: Path | None = None) -> dict[str, Any]:
    """Start (or update) ``summary.json``: the machine and software, the phases asked for, the data packed."""
    summary = read_json(summary_path) or {}
    summary.update({"script": "tools/device_run.sh", "dry_run": dry_run, "device": device,
                    "phases_requested": phases.split(), "started": _now(), "environment": environment,
                    "data": read_json(data_manifest) if data_manifest else None})
    summary.setdefault("phases", {})
    _write(summary_path, summary)
    return summary


def phase_entry(work: Path, name: str, wall: float, budget: float | None, rc: int = 0,
                note: str | None = None) -> dict[str, Any]:
    """A phase's entry: status, wall and budget seconds, its steps (``work/steps.jsonl``) and its results."""
    steps = read_steps(work / "steps.jsonl")
    entry: dict[str, Any] = {"status": phase_status(steps, rc), "wall_s": round(wall, 2), "budget_s": budget,
                             "steps": steps}
    if rc != 0:
        entry["rc"] = rc
    if note:
        entry["note"] = note
    collector = COLLECTORS.get(name)
    if collector is not None:
        try:
            entry["results"] = collector(work)
        except Exception as error:  # a result file torn by a kill must not lose the phase's record
            entry["results_error"] = f"{type(error).__name__}: {error}"
    return entry


def record_phase(summary_path: Path, work: Path, name: str, wall: float, budget: float | None, rc: int = 0,
                 note: str | None = None) -> dict[str, Any]:
    """Add the phase's entry (:func:`phase_entry`) to ``summary.json``; returns the entry."""
    entry = phase_entry(work, name, wall, budget, rc, note)
    summary = read_json(summary_path) or {}
    summary.setdefault("phases", {})[name] = entry
    summary["updated"] = _now()
    _write(summary_path, summary)
    return entry
