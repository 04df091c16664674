"""The bytes a device call carries: the travelling working tree, the carried paths, a file once packed."""
from __future__ import annotations

import os
import subprocess
import zlib
from collections.abc import Iterable
from pathlib import Path

TRAVEL_LIMIT = 64 * 2**20  # the device tool's limit on the working tree plus the carried paths
MARGIN = 2**20  # left free below the limit


def travelling_bytes(repo: Path) -> int:
    """Bytes of the working tree that travels: tracked files plus untracked files that git does not ignore."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=repo,
                            capture_output=True, check=True).stdout.split(b"\0")
    files = [repo / os.fsdecode(name) for name in listed if name]
    return sum(path.stat().st_size for path in files if path.is_file())


def folder_bytes(paths: Iterable[Path]) -> int:
    """Bytes of the files below each path (a file counts itself)."""
    total = 0
    for path in paths:
        files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
        total += sum(p.stat().st_size for p in files)
    return total


def data_budget(repo: Path, carry: Iterable[Path]) -> int:
    """Bytes left for the data tarball: the limit minus the travelling tree, ``carry`` and :data:`MARGIN`."""
    return TRAVEL_LIMIT - travelling_bytes(repo) - folder_bytes(carry) - MARGIN


def packed_bytes(path: Path) -> int:
    """Estimated bytes of a file in a gzipped tar: its deflated size plus the tar header and padding."""
    return len(zlib.compress(path.read_bytes(), 6)) + 512 + 511
