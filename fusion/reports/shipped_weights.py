"""Install trained networks as the shipped weights (``fusion/weights``) with their model cards.

Reads the runs of ``tools/train_fusion_all.sh`` (``stage1_msfam``, ``classifier``, ``stage2_msfam``,
``stage1_nestfuse``), copies MSFAM's stage-2 network (``best.pth``, chosen on the validation split) and
NestFuse's auto-encoder, scores the Semantic Constraint classifier on the held-out test split, and writes
``README.md`` from the checkpoints' metadata.
"""
from __future__ import annotations

import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ..engine.tasks.classifier import evaluate_classifier
from .model_card import model_card, read_meta

STAGE1_DATA = ("every image below ../shared/data/fusion (TNO, RoadScene, MSRS, LLVIP) and ../shared/data/kaist/images "
               "as single greyscale images, minus those of the 26 held-out test pairs")
STAGE2_DATA = ("the training side of the TNO + RoadScene split, configs/fusion/splits/train.txt (217 pairs); "
               "classifier: those pairs plus MSRS and LLVIP; model selection: splits/val.txt (24 pairs carved from "
               "the training side); reported on: splits/test.txt (26 pairs, chooses nothing)")
INTRODUCTION = (
    "Inference networks in the `fusion.apis` checkpoint format, loaded by `load_fuser(method)`, "
    "`tools/fuse_folder.py` and `tools/fuse_dataset.py` when no checkpoint is given. Trained on a 2-core CPU "
    "with the shortened schedule of `tools/train_fusion_all.sh` (`SCHEDULE=cpu`): far fewer iterations and "
    "smaller stage-1 crops than the paper's (10,000 stage-1 iterations of 320x256, 20 stage-2 epochs); the GPU "
    "schedule (`SCHEDULE=gpu`) trains the paper's. Quality report: `report/quality.md`; ablations: "
    "`report/ablations.md`. Training times are wall time on that CPU.")


def run_outputs(runs: Path) -> dict[str, Path | None]:
    """The files of each phase this installs from (``None`` for a missing classifier)."""
    stage2 = runs / "stage2_msfam" / "best.pth"
    classifier = runs / "classifier" / "best.pth"
    return {"msfam": stage2 if stage2.is_file() else runs / "stage2_msfam" / "final.pth",
            "nestfuse": runs / "stage1_nestfuse" / "final.pth", "stage1": runs / "stage1_msfam" / "final.pth",
            "classifier": classifier if classifier.is_file() else None}


def install_weights(runs: str | Path, out: str | Path, command: str, heldout: Iterable[Mapping[str, Any]],
                    note: str = "") -> dict[str, Path]:
    """Copy the networks into ``out`` and write ``out/README.md``; returns the installed files.

    Args:
        runs: folder of the training runs.
        out: the weights folder.
        command: the command that trained the runs, quoted in the cards.
        heldout: full-size pairs (batch 1) the classifier is scored on for its card.
        note: a paragraph added under the title.

    Raises:
        FileNotFoundError: a run output is missing (the message lists them).
    """
    runs, out = Path(runs), Path(out)
    sources = run_outputs(runs)
    missing = [str(sources[k]) for k in ("msfam", "nestfuse", "stage1") if not sources[k].is_file()]
    if missing:
        raise FileNotFoundError(f"missing run outputs: {', '.join(missing)} (train them with tools/train_fusion_all.sh)")
    out.mkdir(parents=True, exist_ok=True)
    installed = {}
    for name in ("msfam", "nestfuse"):
        installed[name] = out / f"{name}.pth"
        shutil.copyfile(sources[name], installed[name])
    classifier = sources["classifier"]
    cards = [
        "# Shipped fusion weights", "", INTRODUCTION, "", *([note, ""] if note else []),
        model_card("MSFAM (HIN nest encoder/decoder, four attention fusion blocks)", installed["msfam"],
                   read_meta(installed["msfam"]), f"stage 1: {STAGE1_DATA}; stage 2: {STAGE2_DATA}.", command,
                   read_meta(sources["stage1"]), read_meta(classifier) if classifier else None,
                   evaluate_classifier(classifier, heldout) if classifier else None),
        model_card("NestFuse baseline (auto-encoder, hand-designed fusion at inference)", installed["nestfuse"],
                   read_meta(installed["nestfuse"]), f"{STAGE1_DATA} (the same images, loss and schedule as MSFAM's "
                   "stage 1).", command),
    ]
    installed["README"] = out / "README.md"
    installed["README"].write_text("\n".join(cards))
    return installed
