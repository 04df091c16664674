"""tools/train_fusion_all.sh: which config trains into which work directory, in which order, with which options
(DRY_RUN), argument errors, finished phases skipped and unfinished ones resumed or reported (no training here)."""
from __future__ import annotations

import json
import os
import shlex
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "tools" / "train_fusion_all.sh"
#: Every phase in training order, as the script runs them by default (stage2_msfam only when named).
PHASE_ORDER = ["stage1_msfam", "classifier", "stage1_nestfuse", "stage2_msfam_target", "ablation_full",
               "ablation_neither", "ablation_no_pushpull", "ablation_no_constraint", "ablation_conv5",
               "ablation_no_stage1", "ablation_literal_pushpull", "ablation_no_warm_start", "ablation_feature_fit",
               "ablation_unbounded_constraint", "ablation_l1_max", "ablation_target_contrast",
               "ablation_pushpull_target", "ablation_frozen_decoder", "ablation_pushpull_target_frozen"]
SCHEDULE_CONFIGS = {"paper": "configs/fusion", "gpu": "configs/fusion", "cpu": "configs/fusion/cpu"}
ENV_KNOBS = ("SCHEDULE", "PHASES", "DATA", "DEVICE", "TIME_BUDGET_MIN", "MIN_CLASSIFIER_ACCURACY", "CFG_OPTIONS",
             "PYTHON", "DRY_RUN", "MSFAM_WORK_ROOT", "STAGE1_MIN", "CLASSIFIER_MIN", "STAGE2_MIN", "EXTRA_MIN",
             "STAGE2_ITERS")


def run_script(tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in ENV_KNOBS}
    return subprocess.run(["bash", str(SCRIPT)], capture_output=True, text=True, timeout=60,
                          env=dict(base, OUT=str(tmp_path / "runs"), **env))


def planned(tmp_path: Path, **env: str) -> list[list[str]]:
    """The commands a dry run prints, each split into words (the MSFAM_WORK_ROOT=... prefix first)."""
    result = run_script(tmp_path, DRY_RUN="1", **env)
    assert result.returncode == 0, result.stderr
    return [shlex.split(line) for line in result.stdout.splitlines()]


def option(words: list[str], name: str) -> str | None:
    return words[words.index(name) + 1] if name in words else None


def cfg_options(words: list[str]) -> list[str]:
    return words[words.index("--cfg-options") + 1:] if "--cfg-options" in words else []


def test_unknown_schedule_and_phase_are_refused(tmp_path):
    result = run_script(tmp_path, SCHEDULE="fast")
    assert result.returncode == 2 and "SCHEDULE must be paper or cpu, got 'fast'" in result.stderr
    for phase in ("stage3", "_base_/data", "../stage1_msfam"):
        result = run_script(tmp_path, SCHEDULE="cpu", PHASES=f"stage1_msfam {phase}")
        assert result.returncode == 2 and f"unknown phase '{phase}'" in result.stderr
        assert not result.stdout  # refused before anything ran


@pytest.mark.parametrize("schedule", ["paper", "cpu", "gpu"])
def test_every_phase_is_one_config_into_one_work_dir_in_training_order(tmp_path, schedule):
    runs = tmp_path / "runs"
    commands = planned(tmp_path, SCHEDULE=schedule)
    assert len(commands) == len(PHASE_ORDER)
    for phase, words in zip(PHASE_ORDER, commands):
        assert words[:3] == [f"MSFAM_WORK_ROOT={runs}", "python", "tools/train_fusion.py"]
        config = f"{SCHEDULE_CONFIGS[schedule]}/{phase}.py"
        assert words[3] == config and (REPO / config).is_file()
        assert option(words, "--work-dir") == str(runs / phase)
        assert "--amp" in words and "--resume" not in words and "--cfg-options" not in words  # no per-phase options
        assert not {"--data-root", "--device", "--time-budget"} & set(words)
    # the paper's own stage 2 is a phase too, run only when named
    named = planned(tmp_path, SCHEDULE=schedule, PHASES="stage2_msfam\nablation_full")
    assert [words[3] for words in named] == [f"{SCHEDULE_CONFIGS[schedule]}/{p}.py" for p in ("stage2_msfam",
                                                                                              "ablation_full")]


def test_the_environment_reaches_every_phase(tmp_path):
    commands = planned(tmp_path, PHASES="stage1_msfam stage2_msfam ablation_neither", DATA="/data dir",
                       DEVICE="cuda:1", TIME_BUDGET_MIN="7.5", MIN_CLASSIFIER_ACCURACY="0.85",
                       CFG_OPTIONS="train_dataloader.num_workers=8  seed=3", PYTHON="/venv/bin/python")
    for words in commands:
        assert words[1] == "/venv/bin/python"
        assert option(words, "--data-root") == "/data dir" and option(words, "--device") == "cuda:1"
        assert option(words, "--time-budget") == "7.5"
    stage1, stage2, ablation = (cfg_options(words) for words in commands)
    assert stage1 == ["train_dataloader.num_workers=8", "seed=3"]  # a stage-1 task takes no classifier gate
    for options in (stage2, ablation):
        assert options == ["train_dataloader.num_workers=8", "seed=3", "task.min_classifier_accuracy=0.85"]


def test_the_work_root_defaults_to_msfam_work_root(tmp_path):
    base = {k: v for k, v in os.environ.items() if k not in (*ENV_KNOBS, "OUT")}
    result = subprocess.run(["bash", str(SCRIPT)], capture_output=True, text=True, timeout=60,
                            env=dict(base, DRY_RUN="1", PHASES="classifier", MSFAM_WORK_ROOT=str(tmp_path / "w")))
    assert shlex.split(result.stdout)[0] == f"MSFAM_WORK_ROOT={tmp_path / 'w'}"
    assert option(shlex.split(result.stdout), "--work-dir") == str(tmp_path / "w" / "classifier")


def test_the_former_time_budgets_are_reported_unread(tmp_path):
    result = run_script(tmp_path, DRY_RUN="1", SCHEDULE="gpu", PHASES="stage1_msfam", STAGE1_MIN="5")
    assert result.returncode == 0 and "STAGE1_MIN is no longer read" in result.stderr
    assert "--time-budget" not in result.stdout  # gpu is paper: each phase runs to completion


def _finished(work: Path, complete: bool = True) -> None:
    work.mkdir(parents=True)
    (work / "final.pth").write_bytes(b"")
    (work / "log.jsonl").write_text(json.dumps({"event": "end", "complete": complete}) + "\n")


def test_finished_phases_are_skipped(tmp_path):
    for phase in ("stage1_msfam", "ablation_full"):
        _finished(tmp_path / "runs" / phase)
    result = run_script(tmp_path, SCHEDULE="cpu", PHASES="stage1_msfam ablation_full")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [f"stage1_msfam: complete in {tmp_path}/runs/stage1_msfam",
                                          f"ablation_full: complete in {tmp_path}/runs/ablation_full"]


def test_unfinished_phases_are_resumed(tmp_path):
    _finished(tmp_path / "runs" / "stage1_msfam", complete=False)  # stopped by a time budget
    (tmp_path / "runs" / "stage1_msfam" / "last.pth").write_bytes(b"")
    first, second = planned(tmp_path, SCHEDULE="cpu", PHASES="stage1_msfam classifier")
    assert "--resume" in first and "--resume" not in second


def test_a_phase_that_stops_early_ends_the_run(tmp_path):
    # "python" that trains nothing: the phase ends without a complete run, so the next one must not start
    result = run_script(tmp_path, SCHEDULE="cpu", PHASES="stage1_msfam classifier", PYTHON="true")
    assert result.returncode == 3
    assert "stage1_msfam: stopped before the end of its schedule" in result.stderr and "classifier" not in result.stderr
