"""Training logs in the work directory: ``log.jsonl`` (one JSON record a line) and ``train.log`` (plain text).

Records are appended, so a resumed run continues the same files; each run start writes a ``"start"``
record saying from which iteration it starts.
"""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from ..utils.files import read_json_lines
from .meta import to_plain


class TrainLogger:
    """Append structured records to ``log.jsonl`` and readable lines to ``train.log``.

    Args:
        work_dir: the run's folder (created if missing).
    """

    def __init__(self, work_dir: str | Path) -> None:
        self.work_dir = Path(work_dir)
        self.work_dir.mkdir(parents=True, exist_ok=True)
        self.json_path = self.work_dir / "log.jsonl"
        self.text_path = self.work_dir / "train.log"

    def log(self, event: str, **fields: Any) -> dict[str, Any]:
        """Write one record ``{"event": event, "time": ..., **fields}`` and its text line; return the record."""
        record = {"event": event, "time": round(time.time(), 3), **to_plain(fields)}
        with open(self.json_path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record) + "\n")
        self.text(f"{event}: " + ", ".join(f"{k}={_format(v)}" for k, v in fields.items()))
        return record

    def text(self, message: str) -> None:
        """Write a plain line to ``train.log``, prefixed with the local time."""
        with open(self.text_path, "a", encoding="utf-8") as handle:
            handle.write(f"{time.strftime('%Y-%m-%d %H:%M:%S')} {message}\n")


def _format(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_format(v)}" for k, v in value.items()) + "}"
    return str(value)


def read_log(work_dir: str | Path, event: str | None = None) -> list[dict[str, Any]]:
    """Records of a run's ``log.jsonl`` (those of one ``event`` if given), in order; a line torn by a kill is
    skipped."""
    records = read_json_lines(Path(work_dir) / "log.jsonl")
    return [r for r in records if event is None or r["event"] == event]
