"""``<out>/<method>/meta.json``: where a method folder came from, and what each run into it did.

Layout::

    {"format": "msfam-fused-folder/1",
     "method": "msfam",
     "settings": {...},          # MethodSpec.settings: a run with other settings into this folder is refused
     "checkpoint": {"path": ..., "sha256": ...} | null,
     "created": "2025-01-01T12:00:00+00:00", "code": {"fusion_version": ..., "git_commit": ...},
     "splits": {"test-all-20": {"status": "in progress" | "incomplete" | "complete", "selected_frames": 2252,
                                "usable_frames": 2252, "excluded_frames": 0, "limit": null,
                                "annotations": "annotations/test-all-20.json",
                                "bad_frames": "annotations/test-all-20.bad_frames.json",
                                "fused_frames": 1000, "updated": ...}},
     "runs": [{"split": ..., "shard": "0/1", "status": "finished" | "interrupted" | "failed", "started": ...,
               "seconds": ..., "frames": ..., "fused": ..., "skipped_existing": ..., "failed": ...,
               "pairs_per_s": ..., "device": ..., "batch_size": ..., "workers": ..., "code": {...},
               "failed_frames": [...]}]}

``excluded_frames`` counts the selected frames left out for bad input (listed in ``bad_frames``); a run's
``frames`` are the usable frames of its shard, ``failed`` those that passed the header checks but did not
decode (listed in ``failed_frames``).

A split is ``complete`` when every usable frame of the selection has its image in the folder, whichever
runs or shards wrote them; ``incomplete`` after a run that ended with frames still missing (other shards
still running, or an interrupted run); ``in progress`` from the start of a run. Every process updates the file
under the output folder's lock, so shards share it with no merge step.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from ... import __version__
from ...utils.files import json_bytes, write_if_changed
from ...utils.provenance import git_commit
from .methods import MethodSpec

META_NAME = "meta.json"
FORMAT = "msfam-fused-folder/1"


class SettingsMismatch(ValueError):
    """A run asks for other settings than the ones a method folder was made with."""


def code_version() -> dict[str, str | None]:
    """The code that made a folder or a run: ``{"fusion_version": ..., "git_commit": ...}`` (None outside git)."""
    return {"fusion_version": __version__, "git_commit": git_commit()}


def now() -> str:
    """The current UTC time, ISO 8601 to the second."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def read_meta(folder: Path) -> dict | None:
    """The folder's ``meta.json``, or None if it has none.

    Raises:
        ValueError: the file exists but is not a fused-folder record.
    """
    path = folder / META_NAME
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except json.JSONDecodeError as error:
        raise ValueError(f"{path} is not valid JSON ({error}): delete it, or the folder") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ValueError(f"{path} is not a fused-folder record ({FORMAT}); pick another --out")
    return meta


def check_settings(folder: Path, spec: MethodSpec) -> dict | None:
    """The folder's record, after checking that it was made with ``spec``'s settings.

    Raises:
        SettingsMismatch: naming each differing setting, the folder's value and the one asked for.
    """
    meta = read_meta(folder)
    if meta is None:
        return None
    wanted = json.loads(json.dumps(spec.settings))
    if meta["settings"] != wanted:
        keys = [k for k in {**meta["settings"], **wanted} if meta["settings"].get(k) != wanted.get(k)]
        diff = "; ".join(f"{k}: folder {meta['settings'].get(k)!r}, this run {wanted.get(k)!r}" for k in keys)
        raise SettingsMismatch(f"{folder} was made with other settings ({diff}). A folder holds one method with "
                               "one set of settings: pass another --out, or delete the folder to start over")
    return meta


def start_split(folder: Path, spec: MethodSpec, meta: dict | None, split: dict) -> None:
    """Create or update the record at the start of a run: settings, and the split ``in progress``.

    Args:
        folder: the method folder.
        spec: the method (its settings are already checked against ``meta``).
        meta: the current record (None for a new folder).
        split: the split's entry: ``name``, ``selected_frames``, ``usable_frames``, ``excluded_frames``,
            ``limit``, ``annotations``, ``bad_frames``.
    """
    if meta is None:
        meta = {"format": FORMAT, "method": spec.settings["method"], "settings": spec.settings,
                "checkpoint": spec.checkpoint, "created": now(), "code": code_version(), "splits": {}, "runs": []}
    entry = {key: value for key, value in split.items() if key != "name"}
    meta["splits"][split["name"]] = {"status": "in progress", **entry, "fused_frames": None, "updated": now()}
    _write(folder, meta)


def finish_run(folder: Path, split_name: str, run: dict, fused_frames: int) -> dict:
    """Append a run to the record and set the split's status from the images now in the folder.

    Args:
        folder: the method folder.
        split_name: the split of the run.
        run: the run's entry (see the module docstring).
        fused_frames: usable frames of the whole selection whose image is in the folder.

    Returns:
        The split's updated entry.
    """
    meta = read_meta(folder)
    entry = meta["splits"][split_name]
    entry.update(status="complete" if fused_frames == entry["usable_frames"] else "incomplete",
                 fused_frames=fused_frames, updated=now())
    meta["runs"].append(run)
    _write(folder, meta)
    return entry


def _write(folder: Path, meta: dict) -> None:
    write_if_changed(folder / META_NAME, json_bytes(meta))
