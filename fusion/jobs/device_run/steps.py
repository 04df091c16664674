"""Step records: one JSON line per command a phase ran (or left out) in ``steps.jsonl``, and the phase's status."""
from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fusion.utils.files import read_json_lines

TIMEOUT_CODES = frozenset({124, 137})  # coreutils timeout: the command ran past its limit (137: killed after it)


def append_step(steps: Path, name: str, rc: int | None, wall: float, command: Sequence[str],
                note: str | None = None, skipped: str | None = None) -> dict[str, Any]:
    """Append one step record to the JSON-lines file ``steps`` and return it.

    ``rc`` None: the step did not run, for ``skipped`` reason ``time`` (the phase's or the call's budget was
    spent; the default) or ``n/a`` (it does not apply here, e.g. mixed precision on the CPU).
    """
    record: dict[str, Any] = {"step": name, "rc": rc, "wall_s": round(wall, 2), "command": " ".join(command)}
    if rc is None:
        record["skipped"] = skipped or "time"
    if rc in TIMEOUT_CODES:
        record["timed_out"] = True
    if note:
        record["note"] = note
    steps.parent.mkdir(parents=True, exist_ok=True)
    with open(steps, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(record) + "\n")
    return record


def read_steps(steps: Path) -> list[dict[str, Any]]:
    """The step records of ``steps`` (none when it is missing; a line torn by a kill is skipped)."""
    return read_json_lines(steps) if steps.is_file() else []


def phase_status(steps: Sequence[dict[str, Any]], rc: int = 0) -> str:
    """The phase's status from its steps and the exit status ``rc`` of the phase's own script.

    failed: a step (or the phase's script) failed; timeout: a step ran past its limit; partial: steps were
    left out for lack of time; skipped: nothing ran; ok: every step that applies ran and passed.
    """
    ran = [s for s in steps if s["rc"] is not None]
    if rc != 0 or any(s["rc"] not in TIMEOUT_CODES and s["rc"] != 0 for s in ran):
        return "failed"
    if any(s["rc"] in TIMEOUT_CODES for s in ran):
        return "timeout"
    if not ran:
        return "skipped"
    if any(s.get("skipped") == "time" for s in steps):
        return "partial"
    return "ok"
