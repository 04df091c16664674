"""Where the running code comes from: the git commit of a checkout, read without a ``git`` executable."""
from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
"""The checkout this package runs from (its commit is what :func:`git_commit` reads by default)."""


def git_commit(repo: str | Path = REPO_ROOT) -> str | None:
    """The commit checked out in ``repo``, read from ``.git`` (no ``git`` executable needed); None if unknown.

    Follows ``HEAD`` to a loose ref or to ``packed-refs``, and a ``.git`` file that points to the git
    directory (worktrees, submodules).
    """
    git_dir = Path(repo) / ".git"
    try:
        if git_dir.is_file():
            git_dir = (Path(repo) / git_dir.read_text().split("gitdir:", 1)[1].strip()).resolve()
        head = (git_dir / "HEAD").read_text().strip()
        if not head.startswith("ref:"):
            return head
        ref = head.split(":", 1)[1].strip()
        for base in (git_dir, git_dir / _common_dir(git_dir)):
            loose = base / ref
            if loose.is_file():
                return loose.read_text().strip()
            packed = base / "packed-refs"
            if packed.is_file():
                for line in packed.read_text().splitlines():
                    if line.endswith(" " + ref):
                        return line.split(" ", 1)[0]
    except (OSError, IndexError):
        return None
    return None


def _common_dir(git_dir: Path) -> str:
    """A worktree's ``commondir`` (relative to its git directory), else ``"."``."""
    common = git_dir / "commondir"
    return common.read_text().strip() if common.is_file() else "."
