"""tools/reproduce_gpu.sh: its dry run (every step's commands on the CPU, tiny: about 2-4 minutes on 2 cores), its
argument errors, and that one failed command neither stops the next nor hides in the exit status."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "tools" / "reproduce_gpu.sh"
FUSION_PHASES = ["stage1_msfam", "classifier", "stage1_nestfuse", "stage2_msfam_target"]
VARIABLES = ("STEPS", "DEVICE", "DATA", "DRY_RUN", "FUSION_PHASES", "TIME_BUDGET_MIN", "STEP_TIMEOUT_MIN", "PYTHON")


def run_script(out: Path, *args: str, timeout: float = 60, **env: str) -> subprocess.CompletedProcess:
    variables = {k: v for k, v in os.environ.items() if k not in VARIABLES}
    variables.update(OUT=str(out), PYTHON=sys.executable)
    variables.update(env)
    return subprocess.run(["bash", str(SCRIPT), *args], capture_output=True, text=True, timeout=timeout,
                          env=variables)


def steps(out: Path) -> list[dict[str, str]]:
    header, *lines = (out / "steps.tsv").read_text().splitlines()
    assert header.split("\t") == ["step", "exit_status", "seconds", "command"]
    return [dict(zip(header.split("\t"), line.split("\t"))) for line in lines]


@pytest.fixture(scope="module")
def dry_run(tmp_path_factory) -> tuple[subprocess.CompletedProcess, Path]:
    out = tmp_path_factory.mktemp("reproduce_gpu") / "out"
    return run_script(out, "--dry-run", timeout=900), out


@pytest.mark.slow
def test_dry_run_runs_every_step(dry_run):
    result, out = dry_run
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    recorded = steps(out)
    assert [s["step"] for s in recorded] == [
        *(f"fusion_{phase}" for phase in FUSION_PHASES), "bench_models_float32", "bench_models_bfloat16",
        "synthetic_kaist", "bench_fuse_dataset", "fuse_visible", "train_det_fp32", "train_det_amp"]
    assert {s["step"]: s["exit_status"] for s in recorded if s["exit_status"] != "0"} == {"train_det_amp": "skipped"}
    for step in recorded:  # every command's output is in its log, headed by the command
        assert (out / "logs" / f"{step['step']}.log").read_text().startswith(f"== {step['step']}: ")
    assert f"torch {torch.__version__}" in (out / "environment.txt").read_text()


@pytest.mark.slow
def test_dry_run_outputs(dry_run):
    _, out = dry_run
    for phase in FUSION_PHASES:  # the paper's config, untouched, into OUT/fusion (train_fusion_all.sh's DRY_RUN)
        log = (out / "logs" / f"fusion_{phase}.log").read_text()
        assert "SCHEDULE=paper" in log and f"PHASES={phase} " in log
        assert f"tools/train_fusion.py configs/fusion/{phase}.py --work-dir {out}/fusion/{phase}" in log
        assert "--time-budget" not in log and "--cfg-options" not in log
    for dtype in ("float32", "bfloat16"):
        report = json.loads((out / "bench" / f"bench_models_{dtype}.json").read_text())
        assert report["dtype"] == dtype
        assert {(r["method"], r["width"], r["height"], r["batch"]) for r in report["rows"]} == {
            ("msfam", 64, 64, 2), ("nestfuse", 64, 64, 2)}
    rows = json.loads((out / "bench" / "bench_fuse_dataset.json").read_text())["rows"]
    assert [(r["method"], r["pairs"]) for r in rows] == [("msfam", 16), ("nestfuse", 16)]  # 8 frames x 2
    assert all(r["end_to_end_pairs_per_s"] > 0 and r["model_only_pairs_per_s"] > 0 for r in rows)
    (scalars,) = (out / "det" / "fp32").glob("*/vis_data/scalars.json")
    records = [json.loads(line) for line in scalars.read_text().splitlines()]
    assert [r["iter"] for r in records] == [1, 2] and all(r["time"] > 0 for r in records)  # 8 frames / 4
    assert "--amp" in steps(out)[-1]["command"] and not (out / "det" / "amp").exists()


def test_help_names_the_variables(tmp_path):
    result = run_script(tmp_path / "out", "--help")
    assert result.returncode == 0 and not (tmp_path / "out").exists()
    for name in ("--dry-run", "STEPS", "FUSION_PHASES", "DATA", "TIME_BUDGET_MIN", "STEP_TIMEOUT_MIN", "BENCH_BATCHES",
                 "SYN_PAIRS", "DET_EPOCHS", "Untested on a GPU"):
        assert name in result.stdout


@pytest.mark.parametrize(("args", "env", "message"), [
    (["--fast"], {}, "unknown argument '--fast'"),
    (["--dry-run"], {"STEPS": "fusion train"}, "unknown step 'train'"),
    (["--dry-run"], {"DET_EPOCHS": "two"}, "DET_EPOCHS must be a whole number"),
    (["--dry-run"], {"TIME_BUDGET_MIN": "5m"}, "TIME_BUDGET_MIN must be a number of minutes"),
])
def test_usage_errors(tmp_path, args, env, message):
    result = run_script(tmp_path / "out", *args, **env)
    assert result.returncode == 2 and message in result.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the refusal on a machine without a GPU")
def test_cuda_without_gpu_is_refused(tmp_path):
    result = run_script(tmp_path / "out")
    assert result.returncode == 2 and "torch sees no GPU" in result.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(("budget", "status"), [("", 1), ("5", 0)])
def test_a_failed_command_neither_stops_the_next_nor_hides(tmp_path, budget, status):
    """PYTHON=echo: every training "runs" (prints its command) and stops unfinished (train_fusion_all.sh: status
    3), which is no failure only under TIME_BUDGET_MIN; an unknown phase fails (status 2), the next still runs."""
    out = tmp_path / "out"
    result = run_script(out, STEPS="fusion", DEVICE="cpu", PYTHON="echo", TIME_BUDGET_MIN=budget,
                        FUSION_PHASES="no_such_phase stage1_msfam")
    recorded = steps(out)
    assert [(s["step"], s["exit_status"]) for s in recorded] == [("fusion_no_such_phase", "2"),
                                                                 ("fusion_stage1_msfam", "3")]
    assert result.returncode == 1  # the unknown phase
    result = run_script(out, STEPS="fusion", DEVICE="cpu", PYTHON="echo", TIME_BUDGET_MIN=budget,
                        FUSION_PHASES="stage1_msfam")
    assert result.returncode == status, result.stdout + result.stderr
    assert ("--time-budget 5" in (out / "logs" / "fusion_stage1_msfam.log").read_text()) == bool(budget)
