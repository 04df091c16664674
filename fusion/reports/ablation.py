"""The ablation table (MSFAM Tables 1-3): every variant's held-out metrics after one shared schedule.

Each row is a training run in a work directory (``tools/train_fusion_all.sh`` writes them side by side).
A stage-2 run validates its final network on the held-out split at its last iteration; those values
(``final.pth``'s ``meta["metrics"]``) are the row. The stage-1 row ("Rec": the auto-encoder with NestFuse's
hand-designed fusion) never validates during training, so it is evaluated here with the same function
(:func:`fusion.engine.evaluation.fusion_metrics`), data and precision as the runs' validation.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch.utils.data import DataLoader

from ..apis.checkpoint import build_from_checkpoint, read_fusion_checkpoint
from ..datasets.paired import PairedFolderDataset
from ..engine.evaluation import PAPER_METRICS, fusion_metrics, relative_score
from ..engine.logger import read_log
from ..engine.precision import make_autocast
from ..registry import FUSION_MODELS


@dataclass(frozen=True)
class AblationRow:
    """One variant: the paper's table and row, what it changes, and its run's folder name."""

    table: str
    label: str
    change: str
    run: str


ABLATION_ROWS = (
    AblationRow("1", "Rec", "stage 1 only, NestFuse's hand-designed fusion", "stage1_msfam"),
    AblationRow("1", "Fusion", "no stage 1: whole network from scratch, basic loss", "ablation_no_stage1"),
    AblationRow("1, 2, 3", "Rec and Fusion / w/ attention / neither",
                "stage 1 then stage 2, attention blocks, basic loss (no Push-Pull weights, no Constraint)",
                "ablation_neither"),
    AblationRow("2", "w/o attention", "5x5 conv fusion blocks, basic loss", "ablation_conv5"),
    AblationRow("3", "Push-Pull only", "adaptive Push-Pull weights, no Semantic Constraint", "ablation_no_constraint"),
    AblationRow("3", "Constraint only", "Semantic Constraint, equal MS-SSIM weights", "ablation_no_pushpull"),
    AblationRow("3", "both (MSFAM)", "Push-Pull and Semantic Constraint (stage2_msfam.py)", "ablation_full"),
)


def row_metrics(run_dir: Path, fusion_root: Path, test_list: Path, metrics: Sequence[str]) -> dict[str, Any]:
    """The held-out metrics of a run's ``final.pth`` and how they were obtained (see the module docstring).

    Raises:
        FileNotFoundError: the run has no ``final.pth``.
    """
    checkpoint = run_dir / "final.pth"
    meta = read_fusion_checkpoint(checkpoint).get("meta", {})
    recorded = meta.get("metrics") or {}
    validated_at_end = _last_val_iteration(run_dir) == meta.get("iteration")
    amp = (meta.get("schedule") or {}).get("amp", {"enabled": False})
    if recorded and validated_at_end and all(m in recorded for m in metrics):
        values = {m: recorded[m] for m in metrics}
        source = "validation at the last iteration"
    else:
        model, _ = build_from_checkpoint(checkpoint)
        dataset = PairedFolderDataset(fusion_root, file_list=test_list, crop_size=None, flip=False)
        autocast = make_autocast(torch.device("cpu"), bool(amp.get("enabled")), amp.get("dtype", "bfloat16"))
        values = fusion_metrics(model, DataLoader(dataset, batch_size=1), metrics, torch.device("cpu"), autocast)
        source = "evaluated by the report"
    return {"values": values, "source": source, "iteration": meta.get("iteration"),
            "max_iters": meta.get("max_iters"), "elapsed_s": meta.get("elapsed_s"), "amp": amp}


def _last_val_iteration(run_dir: Path) -> int | None:
    """Iteration of the run's last validation (None if it never validated or has no log)."""
    if not (run_dir / "log.jsonl").is_file():
        return None
    records = read_log(run_dir, "val")
    return records[-1]["iter"] if records else None


def ablation_table(runs_dir: str | Path, fusion_root: str | Path, test_list: str | Path,
                   rows: Sequence[AblationRow] = ABLATION_ROWS, metrics: Sequence[str] = PAPER_METRICS
                   ) -> list[dict[str, Any]]:
    """Every row's metrics and ``score`` (relative to the pixel average on the same pairs, as in validation).

    Rows whose run is missing are returned with ``values=None`` so the table says so.
    """
    runs_dir, fusion_root, test_list = Path(runs_dir), Path(fusion_root), Path(test_list)
    dataset = PairedFolderDataset(fusion_root, file_list=test_list, crop_size=None, flip=False)
    reference = fusion_metrics(FUSION_MODELS.build(dict(type="average")), DataLoader(dataset, batch_size=1), metrics, torch.device("cpu"),
                               make_autocast(torch.device("cpu")))
    table = []
    for row in rows:
        run_dir = runs_dir / row.run
        if not (run_dir / "final.pth").is_file():
            table.append({"row": row, "values": None})
            continue
        result = row_metrics(run_dir, fusion_root, test_list, metrics)
        result["score"] = relative_score(result["values"], reference, metrics)
        table.append({"row": row, **result})
    return table
