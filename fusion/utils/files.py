"""Files written so that an interrupted run never leaves a half-written file under its final name.

Every file is written to a temporary name in the same folder (:func:`temp_path`), then renamed with
``os.replace`` (atomic on POSIX and Windows within one file system). A process killed mid-write leaves at
most such temporaries, which :func:`remove_stale_temps` deletes on the next run. Shared records (``meta.json``,
the annotation files) are read, changed and written under an exclusive lock (:func:`locked`), so several
processes can fill one output folder.
"""
from __future__ import annotations

import errno
import hashlib
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; run one process per output folder there
    fcntl = None

_TEMP_NAME = re.compile(r"\.(?P<name>.+)\.\d+\.tmp(?:\.[^.]+)?")


def temp_path(path: Path) -> Path:
    """The temporary name this process writes ``path`` under, in the same folder: ``.<name>.<pid>.tmp``
    followed by ``path``'s suffix (``.I00001.jpg.123.tmp.jpg``), for writers that choose the format by it."""
    return path.with_name(f".{path.name}.{os.getpid()}.tmp{path.suffix}")


def atomic_write(path: str | Path, write: Callable[[Path], Any]) -> None:
    """Have ``write(temporary_path)`` write the file, then rename it to ``path`` (see the module docstring).

    For writers that take a path (``torch.save``, ``cv2.imwrite``, ``Figure.savefig``): the temporary keeps
    ``path``'s suffix, so writers that pick the format from it still do. A failed write leaves no temporary.
    """
    path = Path(path)
    tmp = temp_path(path)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename (see the module docstring)."""
    atomic_write(path, lambda tmp: tmp.write_bytes(data))


def atomic_write_text(path: str | Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` through a temporary file and a rename."""
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_imwrite(path: str | Path, image: Any) -> None:
    """``cv2.imwrite`` through a temporary file and a rename; a failed encode or write raises ``OSError``."""
    import cv2  # only the image writers need OpenCV

    def write(tmp: Path) -> None:
        if not cv2.imwrite(str(tmp), image):
            raise OSError(f"cannot write {path} (OpenCV could not encode or write it)")

    atomic_write(path, write)


def describe_write_error(error: OSError) -> str:
    """One line for a failed write: the reason (a full disk said plainly), the file, and what to do."""
    reason = "no space left on the disk" if error.errno == errno.ENOSPC else (error.strerror or str(error))
    where = f" writing {error.filename}" if error.filename else ""
    return (f"{reason}{where}. Finished files are complete and kept (nothing is left half-written): free space, "
            "or fix the cause, and run the same command again to go on")


def short_reason(error: BaseException) -> str:
    """The first sentence of an error's message (torch's loading errors run to several)."""
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return text.split(". ")[0].rstrip(".")


def file_sha256(path: str | Path) -> str:
    """Hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def json_bytes(record: Any) -> bytes:
    """The bytes a JSON record is written as: indented, keys in insertion order, final newline."""
    return (json.dumps(record, indent=2) + "\n").encode("utf-8")


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write ``data`` atomically unless ``path`` already holds exactly these bytes.

    Returns:
        Whether the file was written.
    """
    try:
        if path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(path, data)
    return True


def remove_stale_temps(folder: Path, names: Iterable[str] | None = None) -> int:
    """Delete the temporaries left in ``folder`` by killed runs.

    Args:
        folder: the folder to clean (absent: nothing to do).
        names: delete only the temporaries of these final file names (those this process owns: its shard's
            frames, so that the temporaries of other shards running at the same time are kept); None for all.

    Returns:
        The number of files deleted.
    """
    wanted = None if names is None else set(names)
    removed = 0
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        return 0
    for entry in entries:
        match = _TEMP_NAME.fullmatch(entry.name)
        if match and (wanted is None or match.group("name") in wanted) and entry.is_file():
            Path(entry.path).unlink(missing_ok=True)
            removed += 1
    return removed


@contextmanager
def locked(lock_path: Path) -> Iterator[None]:
    """Hold an exclusive advisory lock on ``lock_path`` (created if needed) for the ``with`` block.

    The lock is released when the block ends or the process dies. Without ``fcntl`` (Windows) it does nothing.
    """
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a+b") as handle:
        if fcntl is not None:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            if fcntl is not None:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def read_json_lines(path: str | Path) -> list[Any]:
    """Records of a JSON-lines file, in order; lines that do not parse (blank, or torn by a killed writer) are
    skipped.

    Raises:
        FileNotFoundError: the file does not exist.
    """
    records = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return records
