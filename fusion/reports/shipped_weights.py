"""Install trained networks as the shipped weights (``fusion/weights``) with their model cards.

Reads the runs of ``tools/train_fusion_all.sh`` (``stage1_msfam``, ``classifier``, ``stage2_msfam``,
``stage1_nestfuse``), copies MSFAM's stage-2 network (``best.pth``, chosen on the validation split) and
NestFuse's auto-encoder, scores the Semantic Constraint classifier on the held-out test split, and writes
``README.md`` from the checkpoints' metadata.
"""
from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path

from torch.utils.data import DataLoader

from ..datasets.paired import PairedFolderDataset
from ..engine.tasks.classifier import evaluate_classifier
from ..utils.files import atomic_write, atomic_write_text
from .model_card import model_card, read_meta

#: The stage-2 run of ``tools/train_fusion_all.sh`` whose network is shipped as MSFAM.
SHIPPED_MSFAM_RUN = "stage2_msfam_target"

STAGE1_DATA = ("every image below ../shared/data/fusion (TNO, RoadScene, MSRS, LLVIP) and ../shared/data/kaist/images "
               "as single greyscale images, minus those of the 26 held-out test pairs")
STAGE2_DATA = ("the training side of the TNO + RoadScene split, configs/fusion/splits/train.txt (217 pairs); "
               "classifier: those pairs plus MSRS and LLVIP; model selection: splits/val.txt (24 pairs carved from "
               "the training side); reported on: splits/test.txt (26 pairs, chooses nothing)")
INTRODUCTION = (
    "Inference networks in the `fusion.apis` checkpoint format, loaded by `load_fuser(method)`, "
    "`tools/fuse_folder.py` and `tools/fuse_dataset.py` when no checkpoint is given. Trained on a 2-core CPU "
    "with the shortened schedule of `tools/train_fusion_all.sh` (`SCHEDULE=cpu`: `configs/fusion/cpu/`): far fewer "
    "iterations and smaller stage-1 crops than the paper's (10,000 stage-1 iterations of 320x256, 20 stage-2 "
    "epochs), which `SCHEDULE=paper` trains (`configs/fusion/`, a GPU's work). Quality report: `report/quality.md`; "
    "ablations: `report/ablations.md`. Training times are wall time on that CPU.")
#: The classifier is scored as stage 2 uses it: on one seeded 320x256 crop of each held-out pair.
CLASSIFIER_CROP = (320, 256)


def run_outputs(runs: Path, msfam_run: str = SHIPPED_MSFAM_RUN) -> dict[str, Path | None]:
    """The files of each phase this installs from (``None`` for a missing classifier); MSFAM from the stage-2
    run ``msfam_run``."""
    stage2 = runs / msfam_run / "best.pth"
    classifier = runs / "classifier" / "best.pth"
    return {"msfam": stage2 if stage2.is_file() else runs / msfam_run / "final.pth",
            "nestfuse": runs / "stage1_nestfuse" / "final.pth", "stage1": runs / "stage1_msfam" / "final.pth",
            "classifier": classifier if classifier.is_file() else None}


def heldout_pairs(fusion_root: str | Path, test_list: str | Path) -> DataLoader:
    """The held-out pairs the classifier's card scores it on, as stage 2 shows them: one seeded crop of
    :data:`CLASSIFIER_CROP` of each pair, no flips, batch 1."""
    pairs = PairedFolderDataset(fusion_root, file_list=test_list, crop_size=CLASSIFIER_CROP, flip=False)
    return DataLoader(pairs, batch_size=1)


def weights_readme(installed: Mapping[str, Path], sources: Mapping[str, Path | None], command: str,
                   classifier_heldout: Mapping[str, float] | None, note: str = "") -> str:
    """``README.md`` of the weights folder: the introduction, ``note``, and the cards of MSFAM (with its
    stage 1 and classifier) and NestFuse, from the checkpoints' metadata."""
    classifier = sources["classifier"]
    cards = [
        "# Shipped fusion weights", "", INTRODUCTION, "", *([note, ""] if note else []),
        model_card("MSFAM (HIN nest encoder/decoder, four attention fusion blocks)", installed["msfam"],
                   read_meta(installed["msfam"]), f"stage 1: {STAGE1_DATA}; stage 2: {STAGE2_DATA}.", command,
                   read_meta(sources["stage1"]), read_meta(classifier) if classifier else None, classifier_heldout),
        model_card("NestFuse baseline (auto-encoder, hand-designed fusion at inference)", installed["nestfuse"],
                   read_meta(installed["nestfuse"]), f"{STAGE1_DATA} (the same images, loss and schedule as MSFAM's "
                   "stage 1).", command),
    ]
    return "\n".join(cards)


def install_weights(runs: str | Path, out: str | Path, command: str, fusion_root: str | Path,
                    test_list: str | Path, note: str = "", msfam_run: str = SHIPPED_MSFAM_RUN) -> dict[str, Path]:
    """Copy the networks into ``out`` and write ``out/README.md``; returns the installed files.

    Args:
        runs: folder of the training runs.
        out: the weights folder.
        command: the command that trained the runs, quoted in the cards.
        fusion_root: folder of the paired sets (``../shared/data/fusion``).
        test_list: the held-out pairs the classifier is scored on for its card (:func:`heldout_pairs`).
        note: a paragraph added under the title.
        msfam_run: the stage-2 run whose network is shipped as MSFAM.

    Raises:
        FileNotFoundError: a run output is missing (the message lists them).
    """
    runs, out = Path(runs), Path(out)
    sources = run_outputs(runs, msfam_run)
    missing = [str(sources[k]) for k in ("msfam", "nestfuse", "stage1") if not sources[k].is_file()]
    if missing:
        raise FileNotFoundError(f"missing run outputs: {', '.join(missing)} "
                                "(train them with tools/train_fusion_all.sh)")
    classifier = sources["classifier"]
    heldout = evaluate_classifier(classifier, heldout_pairs(fusion_root, test_list)) if classifier else None
    out.mkdir(parents=True, exist_ok=True)
    installed = {}
    for name in ("msfam", "nestfuse"):
        installed[name] = out / f"{name}.pth"
        atomic_write(installed[name], lambda tmp, source=sources[name]: shutil.copyfile(source, tmp))
    installed["README"] = out / "README.md"
    atomic_write_text(installed["README"], weights_readme(installed, sources, command, heldout, note))
    return installed
