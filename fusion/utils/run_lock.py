"""One run at a time per output folder: an exclusive lock held for the run's lifetime, naming its holder.

The lock is ``<folder>/.<name>.lock``, held with ``fcntl.flock`` (released by the kernel when the holder
exits or is killed) and holding a JSON record of its holder (process id, host, start time, command). A
second run that finds the lock held is refused with that record. A clean exit empties the record, so a
record found under a free lock is what a killed run left behind: it is reported as stale and taken over.
Where ``flock`` is unavailable (Windows), a record of a process still alive on this host counts as held.
"""
from __future__ import annotations

import json
import os
import socket
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None


class FolderInUseError(RuntimeError):
    """Another live run holds the folder's lock."""


def _holder_record() -> dict:
    return {"pid": os.getpid(), "host": socket.gethostname(), "started": time.strftime("%Y-%m-%d %H:%M:%S"),
            "command": " ".join(sys.argv)}


def _read_record(path: Path) -> dict | None:
    try:
        text = path.read_text(encoding="utf-8").strip()
        return json.loads(text) if text else None
    except (OSError, json.JSONDecodeError):
        return None


def describe_holder(record: dict | None) -> str:
    """``process 123 on host h since 2026-11-27 10:00:00 (python tools/...)``, or ``an unknown process``."""
    if not record:
        return "an unknown process"
    return (f"process {record.get('pid')} on host {record.get('host')} since {record.get('started')}"
            + (f" ({record['command']})" if record.get("command") else ""))


def _alive_here(record: dict) -> bool:
    """Whether the record's process runs on this host (the check used without ``flock``)."""
    if record.get("host") != socket.gethostname():
        return True  # cannot tell: count it as held
    try:
        os.kill(int(record["pid"]), 0)
    except (ProcessLookupError, ValueError, KeyError):
        return False
    except PermissionError:
        return True
    return True


@contextmanager
def run_lock(folder: str | Path, name: str = "run",
             log: Callable[[str], None] | None = None) -> Iterator[dict | None]:
    """Hold ``<folder>/.<name>.lock`` for the ``with`` block.

    Args:
        log: told, in one line, when the lock a killed run left behind is taken over.

    Yields:
        The stale record of a killed run that held the lock before (None when the lock was clean).

    Raises:
        FolderInUseError: a live run holds it (the message names its process and host).
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f".{name}.lock"
    handle = open(path, "a+", encoding="utf-8")
    try:
        if fcntl is not None:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise FolderInUseError(f"{folder} is in use by {describe_holder(_read_record(path))} (lock {path}): "
                                       "wait for that run to finish or stop it") from None
        stale = _read_record(path)
        if fcntl is None and stale and _alive_here(stale):
            raise FolderInUseError(f"{folder} is in use by {describe_holder(stale)} (lock {path})")
        if stale and log is not None:
            log(f"a killed run's lock in {folder} ({describe_holder(stale)}) was stale: taken over")
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps(_holder_record()))
        handle.flush()
        try:
            yield stale
        finally:
            handle.seek(0)
            handle.truncate()
            handle.flush()
    finally:
        handle.close()  # releases the flock
