"""Run provenance: the git commit read from .git files, and metadata made of built-in types only."""
from __future__ import annotations

import json

import numpy as np
import torch

from fusion.engine.meta import run_environment, to_plain
from fusion.utils.provenance import git_commit

SHA = "0123456789abcdef0123456789abcdef01234567"


def test_git_commit_from_loose_ref_packed_refs_and_detached_head(tmp_path):
    git = tmp_path / ".git"
    (git / "refs" / "heads").mkdir(parents=True)
    (git / "HEAD").write_text("ref: refs/heads/main\n")
    (git / "refs" / "heads" / "main").write_text(SHA + "\n")
    assert git_commit(tmp_path) == SHA
    (git / "refs" / "heads" / "main").unlink()
    (git / "packed-refs").write_text(f"# pack-refs with: peeled\n{SHA} refs/heads/main\n")
    assert git_commit(tmp_path) == SHA
    (git / "HEAD").write_text(SHA[::-1] + "\n")
    assert git_commit(tmp_path) == SHA[::-1]
    assert git_commit(tmp_path / "nowhere") is None


def test_to_plain_gives_builtin_types_that_load_weights_only(tmp_path):
    value = {"v": torch.__version__, "n": np.float32(0.5), "i": np.int64(3), "b": np.bool_(True), "t": (1, 2),
             "nan": float("nan"), 4: torch.device("cpu")}
    plain = to_plain(value)
    assert plain == {"v": str(torch.__version__), "n": 0.5, "i": 3, "b": True, "t": [1, 2], "nan": None, "4": "cpu"}
    assert type(plain["v"]) is str
    json.dumps(plain)
    torch.save(plain, tmp_path / "m.pth")
    assert torch.load(tmp_path / "m.pth", weights_only=True) == plain
    assert run_environment(torch.device("cpu"))["device"] == "cpu"
