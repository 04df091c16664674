"""Shared fixtures: the real data beside the repository (``../shared/data``), skipped when absent."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


def _shared_data_dir() -> Path:
    """``$MSFAM_SHARED_DATA`` if set, else ``../shared/data`` beside the repository."""
    return Path(os.environ.get("MSFAM_SHARED_DATA", REPO_ROOT.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Folder of the real data (KAIST, fusion pairs); skips the test when it is not there."""
    path = _shared_data_dir()
    if not path.is_dir():
        pytest.skip(f"real data not found at {path} (set MSFAM_SHARED_DATA to its location)")
    return path
