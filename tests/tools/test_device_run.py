"""tools/device_run.sh (the GPU machine's script) in its dry run: every phase on the CPU, tiny, with the same
commands and the same outputs; plus argument errors and tools/device_run.py's data packing and statuses.

The dry run needs no real data (a 64x64 stand-in of the fusion data and the built-in synthetic KAIST) and
takes about 1.5-2.5 minutes on 2 cores."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
import torch
from mmengine.config import Config

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "tools" / "device_run.sh"
PHASES = ["fusion", "bench", "fuse", "det"]
FUSION_RUNS = ["stage1_msfam", "classifier", "stage2_msfam", "stage1_nestfuse"]


def load_helper():
    import importlib.util

    spec = importlib.util.spec_from_file_location("device_run", REPO / "tools" / "device_run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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
    assert fusion["results"]["stage2_msfam"]["val"]  # stage 2 validates at iteration 0

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


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the refusal on a machine without a GPU")
def test_cuda_without_gpu_is_refused(tmp_path):
    result = run_script(tmp_path, PHASES="bench", INSTALL="never", timeout=120)
    assert result.returncode == 2 and "torch sees no GPU" in result.stderr
    assert json.loads((tmp_path / "out" / "summary.json").read_text())["environment"]["cuda_available"] is False


def test_pack_data_fits_the_budget(tmp_path):
    helper = load_helper()
    names = sorted({n for split in helper.split_names().values() for n in split})
    data = tmp_path / "data"
    for name in names + [f"{s}/{i}" for s in helper.whole_sets() for i in range(3)]:
        set_name, stem = name.split("/")
        for band in ("ir", "vi"):
            (data / "fusion" / set_name / band).mkdir(parents=True, exist_ok=True)
            (data / "fusion" / set_name / band / f"{stem}.png").write_bytes(os.urandom(1000))
    (data / "fusion" / "msrs" / "labels").mkdir()  # not read by training: left out
    (data / "fusion" / "msrs" / "labels" / "0.txt").write_text("0 0.5 0.5 0.1 0.1\n")
    per_file = helper._packed_bytes(next((data / "fusion").rglob("*.png")))  # the packer's estimate of one image
    named = len(names) * 2 * per_file + 4096
    out = tmp_path / "data.tgz"
    manifest = helper.pack_data(data, out, carry=[], budget=named + 2 * 2 * per_file + per_file // 2)  # 2 more pairs
    assert manifest["named_pairs"] == len(names) and not manifest["complete"]
    assert sum(s["packed"] for s in manifest["sets"].values()) == 2
    assert out.stat().st_size <= manifest["budget_bytes"]
    with tarfile.open(out) as tar:
        members = tar.getnames()
    assert "device_data.json" in members and "kaist/images" in members
    assert len([m for m in members if m.startswith("fusion/")]) == 2 * (len(names) + 2)
    with pytest.raises(SystemExit, match="alone take"):
        helper.pack_data(data, out, carry=[], budget=named // 2)


def test_phase_status():
    status = load_helper().phase_status
    assert status([{"rc": 0}, {"rc": None, "skipped": "n/a"}]) == "ok"
    assert status([{"rc": 0}, {"rc": None, "skipped": "time"}]) == "partial"
    assert status([{"rc": 0}, {"rc": 124}]) == "timeout"
    assert status([{"rc": 124}, {"rc": 1}]) == "failed"
    assert status([{"rc": 0}], rc=1) == "failed"
    assert status([{"rc": None, "skipped": "time"}]) == "skipped"
