"""The run lock: a second holder is refused with the first one's process and host; a killed holder's lock is
recognised as stale and taken over."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from fusion.utils.run_lock import FolderInUseError, run_lock

REPO = Path(__file__).resolve().parents[3]
HOLDER = """
import sys, time
from fusion.utils.run_lock import run_lock
with run_lock(sys.argv[1], "train"):
    print("held", flush=True)
    time.sleep(120)
"""


def start_holder(folder: Path) -> subprocess.Popen:
    """A process that holds ``folder``'s ``train`` lock until killed (returns once it holds it)."""
    process = subprocess.Popen([sys.executable, "-c", HOLDER, str(folder)], cwd=REPO, stdout=subprocess.PIPE,
                               text=True)
    assert process.stdout.readline().strip() == "held"
    return process


def test_a_second_holder_is_refused_with_the_first_ones_process_and_host(tmp_path):
    with run_lock(tmp_path, "train") as stale:
        assert stale is None
        with pytest.raises(FolderInUseError, match=f"process {os.getpid()} on host {socket.gethostname()}"):
            with run_lock(tmp_path, "train"):
                pass
        with run_lock(tmp_path, "other"):  # another lock name: another run kind, not refused
            pass
    with run_lock(tmp_path, "train") as stale:  # released cleanly: nothing stale
        assert stale is None


def test_a_killed_holders_lock_is_stale_and_taken_over(tmp_path):
    holder = start_holder(tmp_path)
    try:
        with pytest.raises(FolderInUseError, match=f"process {holder.pid} on host"):
            with run_lock(tmp_path, "train"):
                pass
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=30)
    with run_lock(tmp_path, "train") as stale:
        assert stale["pid"] == holder.pid and stale["host"] == socket.gethostname()
        record = json.loads((tmp_path / ".train.lock").read_text())
        assert record["pid"] == os.getpid()
