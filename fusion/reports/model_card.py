"""Model cards of the shipped weights (``fusion/weights/README.md``), written from the checkpoints' metadata."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..apis.checkpoint import read_fusion_checkpoint
from ..engine.tasks.fusion import CLASSIFIER_ACCURACY_GATE
from ..metrics import PAPER_METRICS
from ..utils.files import file_sha256
from ..utils.markdown import markdown_table


def _schedule_lines(meta: Mapping[str, Any]) -> list[str]:
    schedule = meta.get("schedule", {})
    config = meta.get("config", {})
    train_cfg = config.get("train_cfg", {})
    return [
        f"- Phase `{meta.get('phase')}`: {meta.get('iteration')} of {meta.get('max_iters')} iterations "
        f"({meta.get('epoch', 0):.1f} epochs of {schedule.get('train_samples')} samples), batch "
        f"{schedule.get('batch_size')}, crops {schedule.get('crop_size') or 'as the config sets them'}, random flips.",
        f"- Optimiser {schedule.get('optimizer')}, learning-rate schedule {_lr_schedule(schedule.get('lr_schedule'))}, "
        f"autocast {schedule.get('amp')}, seed {schedule.get('seed')}.",
        f"- {_end(meta)}; training time "
        f"{meta.get('elapsed_s', 0) / 60:.1f} min on {meta.get('device', '?')} "
        f"(torch {meta.get('torch_version', '?')}, commit {str(meta.get('git_commit', '?'))[:10]}).",
        f"- Validation every {train_cfg.get('val_interval', '-')} iterations." if config.get("val_dataloader") else
        "- No validation during training (reconstruction phase).",
    ]


def _end(meta: Mapping[str, Any]) -> str:
    """How the exported network's run ended: complete, stopped early, or exported mid-run as the best."""
    if meta.get("stopped"):
        return f"Stopped early ({meta['stopped']})"
    if meta.get("complete"):
        return "Schedule complete"
    return f"Exported at iteration {meta.get('iteration')} as the best by validation (`best.pth`)"


def _lr_schedule(cfg: Mapping[str, Any] | None) -> str:
    if not cfg:
        return "constant"
    if cfg.get("type") == "cosine":
        return f"cosine decay to {cfg.get('min_ratio', 0.01):g} of the base rate"
    return str(dict(cfg))


def _metrics_table(metrics: Mapping[str, float], shown: Sequence[str], digits: int) -> str:
    """One row of ``metrics`` under the ``shown`` names, each with ``digits`` decimals."""
    return markdown_table(shown, [[f"{metrics[k]:.{digits}f}" for k in shown]], numeric_from=0)


def _accuracy_table(metrics: Mapping[str, float]) -> str:
    shown = [k for k in metrics if k.startswith("accuracy") or k == "balanced_accuracy"]
    return _metrics_table(metrics, shown, 3)


def _confusion_table(metrics: Mapping[str, float]) -> str:
    """Rows: the true kind; columns: the label the two thresholded outputs spell."""
    cells = {tuple(k.split("/")[1:]): v for k, v in metrics.items() if k.startswith("confusion/")}
    kinds = list(dict.fromkeys(true for true, _ in cells))
    predicted = list(dict.fromkeys(p for _, p in cells))
    rows = [[kind, *(f"{cells[(kind, p)]:.0f}" for p in predicted)] for kind in kinds]
    return markdown_table(["true \\ predicted", *predicted], rows)


def classifier_card(meta: Mapping[str, Any], heldout: Mapping[str, float] | None = None,
                    heldout_name: str = "held-out", used: bool = True) -> str:
    """The Semantic Constraint classifier of the training pipeline: schedule, validation accuracy and, when given,
    the accuracy per class and confusion matrix on held-out pairs; ``used``: whether this stage 2 ran with it."""
    metrics = meta.get("metrics") or {}
    role = ("frozen in stage 2; not shipped, it is only a training loss" if used else
            "trained by the pipeline; this stage 2 ran without the Semantic Constraint, so it did not use it")
    lines = [f"Semantic Constraint classifier ({role}):", "", *_schedule_lines(meta)]
    if metrics:
        lines += ["", f"Validation accuracy (both outputs thresholded at 0.5) at iteration {meta.get('iteration')}, "
                      "which chose this network:", "", _accuracy_table(metrics)]
    if heldout:
        lines += ["", f"On the {heldout_name} (one seeded 320x256 crop of each pair, the size stage 2 shows it: the "
                      "visible and infrared crop and the fusion by every method the classifier was trained with; "
                      "never used in training or selection):", "",
                  _accuracy_table(heldout), "", "Confusion matrix (images):", "", _confusion_table(heldout)]
    return "\n".join(lines)


def model_card(name: str, path: Path, meta: Mapping[str, Any], data: str, command: str,
               stage1_meta: Mapping[str, Any] | None = None, classifier_meta: Mapping[str, Any] | None = None,
               classifier_heldout: Mapping[str, float] | None = None) -> str:
    """One card: what the file is, its data, the command, the schedule, time, metrics and sha256."""
    network = read_fusion_checkpoint(path)["model"]
    lines = [f"## `{path.name}`: {name}", "",
             f"- sha256 `{file_sha256(path)}`, {path.stat().st_size / 2**20:.1f} MiB; loads with "
             f"`load_fuser('{path.stem}')` (no checkpoint argument); network `{dict(network)}`.",
             f"- Data: {data}", f"- Reproduce: `{command}`", ""]
    if stage1_meta is not None:
        lines += ["Stage 1 (encoder and decoder):", "", *_schedule_lines(stage1_meta), ""]
    task = (meta.get("config") or {}).get("task") or {}
    uses_classifier = "classifier" in (meta.get("sources") or {})  # stage 2 records the classifier it loaded
    if classifier_meta is not None:
        lines += [classifier_card(classifier_meta, classifier_heldout, "held-out test split", uses_classifier), ""]
    if stage1_meta is not None:
        lines += ["Stage 2 (fusion):", ""]
    lines += _schedule_lines(meta)
    if task.get("type") == "FusionTask":
        loss = task.get("loss") or {}
        gate = task.get("min_classifier_accuracy", CLASSIFIER_ACCURACY_GATE)
        accepted = (f"classifier accepted from balanced accuracy {gate} on"
                    if uses_classifier else "no Semantic Constraint classifier")
        lines.append(f"- Loss {dict(loss)}; learning-rate multipliers {task.get('lr_mult')}; warm start "
                     f"{task.get('warm_start')}; {accepted}.")
    metrics = meta.get("metrics") or {}
    if metrics:
        best = meta.get("best") or {}
        shown = [m for m in (*PAPER_METRICS, "ITC", "score") if m in metrics]
        lines += ["", f"Validation (the pairs of `splits/val.txt`; selected as `best.pth` by `{best.get('key')}` at "
                      f"iteration {best.get('iteration')}):", "",
                  _metrics_table(metrics, shown, 4)]
    lines += ["", "Full metrics on the held-out split, TNO-21 and MSRS: `fusion/weights/report/quality.md`.", ""]
    return "\n".join(lines)


def read_meta(path: str | Path) -> dict[str, Any]:
    """The ``meta`` of a fusion checkpoint."""
    return read_fusion_checkpoint(path).get("meta", {})
