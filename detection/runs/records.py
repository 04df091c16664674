"""Test records of detector runs: what ``tools/test_det.py`` measured, on what, and where it came from.

``<work_dir>/test_record.json`` holds the metrics (without their ``kaist/`` prefix), the training seed, the
predictions file and ground truth they were scored against (for the paired bootstrap of
``tools/compare_det.py``), and provenance: config, checkpoint and its sha256 and epoch, the backbone's
initialisation, the training annotations, the image folder and that folder's ``meta.json`` written by
``tools/fuse_dataset.py``, and the input's row name (the config's ``input_name`` for the detectors fed both
bands, else the image folder). Runs of several seeds live in ``<work_dir>/seed<N>/``.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fusion.utils.files import atomic_write_text, file_sha256

RECORD_NAME = "test_record.json"
#: Where ``KaistMetric`` writes the test predictions in a tested work dir (``PREFIX.bbox.json``, ``PREFIX.txt``).
PREDICTIONS_PREFIX = "test_predictions"


def seed_work_dir(work_dir: str | Path, seed: int) -> Path:
    """The work dir of one training seed: ``<work_dir>/seed<seed>``."""
    return Path(work_dir) / f"seed{seed}"


def checkpoint_meta(checkpoint: str | Path) -> dict[str, Any]:
    """The ``meta`` of a local mmengine checkpoint (seed, epoch, ...) read weights-only; ``{}`` if unreadable."""
    from ..checkpoint import load_local_checkpoint

    try:
        meta = load_local_checkpoint(str(checkpoint), map_location="cpu").get("meta", {})
    except Exception:  # a checkpoint that cannot be read weights-only still gets a record, without its meta
        return {}
    return {key: meta[key] for key in ("seed", "epoch", "iter") if key in meta}


def write_test_record(work_dir: str | Path, metrics: dict[str, float], config_path: str | Path,
                      checkpoint: str | Path, data_root: str | Path, img_folder: str, *,
                      seed: int | None = None, predictions: str | Path | None = None,
                      ann_file: str | Path | None = None, input_name: str | None = None,
                      extra: dict[str, Any] | None = None) -> Path:
    """Write ``<work_dir>/test_record.json``; return its path.

    Args:
        work_dir: the tested run's folder.
        metrics: the evaluator's keys (``kaist/AP`` or ``AP``).
        config_path, checkpoint: what was tested.
        data_root, img_folder: the test images (``img_folder``'s ``meta.json`` is copied in when present).
        seed: the training seed (else the checkpoint's, when it records one).
        predictions: the predictions as a COCO results json, for the bootstrap.
        ann_file: the ground truth the metrics were computed on.
        input_name: the row name in comparisons (default: ``img_folder``).
        extra: more provenance (epoch, backbone initialisation, training annotations).
    """
    image_dir = Path(data_root) / img_folder
    meta_path = image_dir / "meta.json"
    local = Path(checkpoint).is_file()
    meta = checkpoint_meta(checkpoint) if local else {}
    record = {
        "metrics": {key.split("/")[-1]: float(value) for key, value in metrics.items()},
        "seed": seed if seed is not None else meta.get("seed"),
        "config": str(config_path),
        "checkpoint": str(checkpoint),
        "checkpoint_sha256": file_sha256(checkpoint) if local else None,
        "epoch": meta.get("epoch"),
        "data_root": str(data_root),
        "img_folder": img_folder,
        "input": input_name or img_folder,
        "fused_meta": json.loads(meta_path.read_text()) if meta_path.is_file() else None,
        "predictions": str(Path(predictions).resolve()) if predictions and Path(predictions).is_file() else None,
        "ann_file": str(Path(ann_file).resolve()) if ann_file else None,
        **(extra or {}),
    }
    path = Path(work_dir) / RECORD_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, json.dumps(record, indent=2) + "\n")
    return path


def record_test(cfg: Any, metrics: dict[str, float], config_path: str | Path, checkpoint: str | Path,
                seed: int | None = None) -> Path:
    """:func:`write_test_record` for a tested mmengine config: its work dir, test images, evaluator files."""
    dataset = cfg.test_dataloader.dataset
    evaluator = cfg.get("test_evaluator") or {}
    prefix = evaluator.get("outfile_prefix") if isinstance(evaluator, dict) else None
    backbone_init = cfg.model.get("backbone", {}).get("init_cfg")
    train = cfg.get("train_dataloader") or {}
    extra = {"backbone_init": (backbone_init.get("checkpoint") or backbone_init.get("type")) if backbone_init
             else "none (from scratch)",
             "train_ann_file": train.get("dataset", {}).get("ann_file") if train else None}
    thermal_folder = dataset.data_prefix.get("thermal")
    if thermal_folder:
        extra["thermal_folder"] = thermal_folder.rstrip("/")
    return write_test_record(cfg.work_dir, metrics, config_path, checkpoint, dataset.data_root,
                             dataset.data_prefix.img.rstrip("/"), seed=seed,
                             predictions=f"{prefix}.bbox.json" if prefix else None,
                             ann_file=evaluator.get("ann_file") if isinstance(evaluator, dict) else None,
                             input_name=cfg.get("input_name"), extra=extra)


@dataclass
class Run:
    """One tested detector: the input it belongs to (row name) and its test record."""

    name: str
    record: dict[str, Any]

    @property
    def metrics(self) -> dict[str, float]:
        return self.record["metrics"]

    @property
    def seed(self) -> int | None:
        return self.record.get("seed")


def _read(name: str | None, record_path: Path) -> Run:
    record = json.loads(record_path.read_text())
    return Run(name or record.get("input") or record["img_folder"], record)


def load_runs(name: str | None, path: str | Path) -> list[Run]:
    """The runs in a work dir: its own record, or one per ``seed<N>/`` folder (by seed), or a record file.

    Rows are named after the recorded input (the image folder, or the config's ``input_name``) unless ``name``
    is given.

    Raises:
        FileNotFoundError: no record there (the message says how to make one).
    """
    path = Path(path)
    if path.is_file():
        return [_read(name, path)]
    if (path / RECORD_NAME).is_file():
        return [_read(name, path / RECORD_NAME)]
    seeds = sorted(path.glob(f"seed*/{RECORD_NAME}"),
                   key=lambda p: int(re.sub(r"\D", "", p.parent.name) or 0))
    if seeds:
        return [_read(name, record) for record in seeds]
    raise FileNotFoundError(f"no {RECORD_NAME} in {path} nor in its seed*/ folders: run tools/test_det.py "
                            "CONFIG CHECKPOINT --work-dir <that folder> (or --seed N) first")


def fusion_weights_sha256(meta: dict) -> str | None:
    """The sha256 of the fusion weights recorded in a fused folder's ``meta.json`` (None: training-free)."""
    return (meta.get("checkpoint") or {}).get("sha256")


def provenance(run: Run) -> str:
    """Where a run came from: config, checkpoint (sha256 prefix), fusion method and its checkpoint."""
    record = run.record
    parts = [f"config {Path(record['config']).name}", f"checkpoint {Path(record['checkpoint']).name}"]
    if record.get("checkpoint_sha256"):
        parts[-1] += f" ({record['checkpoint_sha256'][:12]})"
    meta = record.get("fused_meta")
    if record.get("thermal_folder"):
        parts.append(f"pairs {record['img_folder']}/ + {record['thermal_folder']}/ ({record.get('input')})")
    elif meta:
        fusion = f"images {record['img_folder']}/ by {meta.get('method', '?')}"
        if fusion_weights_sha256(meta):
            fusion += f" (weights {fusion_weights_sha256(meta)[:12]})"
        parts.append(fusion)
    else:
        parts.append(f"images {record['img_folder']}/ (no meta.json)")
    return ", ".join(parts)
