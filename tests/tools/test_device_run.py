"""tools/device_run.sh (the GPU machine's script) in its dry run: every phase on the CPU, tiny, with the same
commands and the same outputs; plus argument errors, and tools/device_run.py's record-keeping subcommands where
nothing but the standard library imports (the device machine before the carried wheels are installed). The
library behind it is tested in tests/fusion/jobs/device_run.

The dry run needs no real data (a 64x64 stand-in of the fusion data and the built-in synthetic KAIST) and
takes about 1.5-2.5 minutes on 2 cores."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from mmengine.config import Config

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "tools" / "device_run.sh"
PHASES = ["fusion", "bench", "fuse", "det"]
FUSION_RUNS = ["stage1_msfam", "classifier", "stage1_nestfuse", "stage2_msfam_target"]


def run_script(tmp_path: Path, *args: str, timeout: float = 60, **env: str) -> subprocess.CompletedProcess:
    variables = {k: v for k, v in os.environ.items()
                 if k not in ("PHASES", "DEVICE", "DATA", "DATA_TAR", "DRY_RUN", "WHEELS", "INSTALL", "CALL_MIN")}
    variables.update(OUT=str(tmp_path / "out"), WORK=str(tmp_path / "work"), PYTHON=sys.executable, **env)
    return subprocess.run(["bash", str(SCRIPT), *args], capture_output=True, text=True, timeout=timeout,
                          env=variables)


@pytest.fixture(scope="module")
def dry_run(tmp_path_factory) -> tuple[subprocess.CompletedProcess, Path]:
    tmp = tmp_path_factory.mktemp("device_run")
    return run_script(tmp, "--dry-run", timeout=900), tmp / "out"


@pytest.mark.slow
def test_dry_run_writes_every_phase(dry_run):
    result, out = dry_run
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert files == sorted(["summary.json", "setup/log.txt", *(f"{phase}/log.txt" for phase in PHASES)])
    summary = json.loads((out / "summary.json").read_text())
    assert summary["dry_run"] is True and summary["device"] == "cpu"
    assert summary["phases_requested"] == PHASES and summary["environment"]["torch"] == torch.__version__
    assert summary["data"]["source"].startswith("tiny-fusion-data")
    for phase in PHASES:
        entry = summary["phases"][phase]
        assert entry["status"] == "ok", (phase, entry)
        assert entry["wall_s"] > 0 and entry["budget_s"] > 0 and entry["steps"]
        log = (out / phase / "log.txt").read_text()
        for step in entry["steps"]:  # every command is in the log, with its exit status
            assert f"== {step['step']}" in log and step["command"]


@pytest.mark.slow
def test_dry_run_results(dry_run):
    _, out = dry_run
    phases = json.loads((out / "summary.json").read_text())["phases"]
    fusion = phases["fusion"]
    assert [s["step"] for s in fusion["steps"]] == FUSION_RUNS
    assert all("train_fusion_all.sh" in s["command"] and "SCHEDULE=gpu" in s["command"] for s in fusion["steps"])
    for run in FUSION_RUNS:  # stopped by the tiny time budgets
        result = fusion["results"][run]
        assert result["stopped"] == "time_budget" and result["max_iters"] > 0 and result["device"] == "cpu"
    stage1 = Config.fromfile(str(REPO / "configs" / "fusion" / "stage1_msfam.py"))
    assert fusion["results"]["stage1_msfam"]["max_iters"] == stage1.train_cfg.max_iters  # the config's schedule
    assert fusion["results"]["stage2_msfam_target"]["val"]  # stage 2 validates at iteration 0

    bench = phases["bench"]["results"]
    assert sorted(bench) == ["bench_models_bfloat16", "bench_models_float32"]
    for dtype, report in bench.items():
        assert report["dtype"] == dtype.rsplit("_", 1)[1] and report["ceiling"]["gflops"] > 0
        assert {r["method"] for r in report["rows"]} == {"msfam", "nestfuse"}

    fuse = phases["fuse"]["results"]
    assert sorted(fuse["fuse_dataset"]) == ["msfam", "nestfuse"]
    for runs in fuse["fuse_dataset"].values():
        assert runs[-1]["fused"] == 16 and runs[-1]["pairs_per_s"] > 0  # 8 frames x 2
    rows = fuse["bench_fuse_dataset"]["rows"]
    assert [r["method"] for r in rows] == ["msfam", "nestfuse"] and all(r["model_only_pairs_per_s"] > 0 for r in rows)

    det = phases["det"]
    steps = {s["step"]: s for s in det["steps"]}
    assert steps["train_det_fp32"]["rc"] == 0 and "--amp" not in steps["train_det_fp32"]["command"]
    assert steps["train_det_amp"]["skipped"] == "n/a" and "--amp" in steps["train_det_amp"]["command"]
    fp32 = det["results"]["fp32"]
    assert fp32["iterations"] == 2 and fp32["batch_size"] == 2 and fp32["images_per_s"] > 0


def test_usage_errors(tmp_path):
    result = run_script(tmp_path, PHASES="fusion train")
    assert result.returncode == 2 and "unknown phase 'train'" in result.stderr
    result = run_script(tmp_path, "--fast")
    assert result.returncode == 2 and "unknown argument '--fast'" in result.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the refusal on a machine without a GPU")
def test_cuda_without_gpu_is_refused(tmp_path):
    result = run_script(tmp_path, PHASES="bench", INSTALL="never", timeout=120)
    assert result.returncode == 2 and "torch sees no GPU" in result.stderr
    assert json.loads((tmp_path / "out" / "summary.json").read_text())["environment"]["cuda_available"] is False


def test_records_need_only_the_standard_library(tmp_path):
    """``step``, ``environment`` and ``phase`` under ``python -S`` (no site-packages: no torch, no mmengine)."""
    helper = [sys.executable, "-S", str(REPO / "tools" / "device_run.py")]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    summary, work = tmp_path / "summary.json", tmp_path / "work"

    def run(*args: str) -> str:
        result = subprocess.run([*helper, *args], capture_output=True, text=True, env=env, timeout=60)
        assert result.returncode == 0, result.stderr
        return result.stdout

    run("step", "--steps", str(work / "steps.jsonl"), "--name", "echo", "--rc", "0", "--", "echo", "hi")
    environment = json.loads(run("environment", "--summary", str(summary), "--device", "cuda", "--phases", "bench"))
    assert environment["torch"].startswith("not importable")
    printed = run("phase", "--summary", str(summary), "--work", str(work), "--name", "bench", "--wall", "2")
    assert printed == "bench: ok in 2 s\n"
    recorded = json.loads(summary.read_text())
    assert recorded["phases"]["bench"]["steps"][0]["command"] == "echo hi" and recorded["phases_requested"] == ["bench"]


def test_pack_data_reports_missing_data(tmp_path):
    result = subprocess.run([sys.executable, str(REPO / "tools" / "device_run.py"), "pack-data", "--data",
                             str(tmp_path / "nowhere"), "--out", str(tmp_path / "data.tgz")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and "pack-data: no fusion data in" in result.stderr
    assert not (tmp_path / "data.tgz").exists()
