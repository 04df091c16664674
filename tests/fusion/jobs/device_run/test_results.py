"""Each phase's results from the files its steps wrote (fusion.jobs.device_run.results)."""
from __future__ import annotations

import json

import pytest

from fusion.jobs.device_run.results import det_results, fuse_results, fusion_results, fusion_run, read_json


def write_lines(path, records, torn: str = "") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in records) + torn)


def test_read_json_of_missing_and_torn_files(tmp_path):
    (tmp_path / "torn.json").write_text('{"a": ')
    (tmp_path / "ok.json").write_text('{"a": 1}')
    assert read_json(tmp_path / "missing.json") is None and read_json(tmp_path / "torn.json") is None
    assert read_json(tmp_path / "ok.json") == {"a": 1}


def test_fusion_results_of_a_finished_and_a_killed_run(tmp_path):
    start = {"event": "start", "iter": 0, "max_iters": 4, "device": "cpu", "train_samples": 8}
    train = [{"event": "train", "iter": i, "loss": 0.5 / i, "step_s": 0.1 * i} for i in (1, 2, 3)]
    end = {"event": "end", "iter": 3, "elapsed_s": 1.5, "complete": False, "stopped": "time_budget"}
    write_lines(tmp_path / "stage1" / "log.jsonl", [start, *train, end])
    write_lines(tmp_path / "stage2" / "log.jsonl", [start, *train[:2]], torn='{"event": "tra')
    results = fusion_results(tmp_path)
    done, killed = results["stage1"], results["stage2"]
    assert done["iterations"] == 3 and done["iters_per_s"] == 2.0 and done["stopped"] == "time_budget"
    assert done["median_step_s"] == pytest.approx(0.2) and done["max_iters"] == 4 and done["device"] == "cpu"
    assert done["train_curve"][0] == [1, 0.5, 0.1]
    assert killed["iterations"] == 2 and killed["stopped"].startswith("no end record") and killed["elapsed_s"] is None


def test_fusion_run_without_records():
    run = fusion_run([])
    assert run["iterations"] == 0 and run["max_iters"] is None and run["median_step_s"] is None


def test_det_results_images_per_second(tmp_path):
    run = tmp_path / "fp32"
    scalars = [{"iter": i, "time": t, "data_time": 0.1, "loss": 1.0 / i, "memory": 100 * i}
               for i, t in ((1, 9.0), (2, 1.0), (3, 2.0), (4, 3.0))]
    write_lines(run / "20250101_000000" / "vis_data" / "scalars.json", [{"lr": 0.1}, *scalars])
    (run / "settings.json").write_text(json.dumps({"variant": "fp32", "batch_size": 4}))
    (tmp_path / "kaist_fused").mkdir()  # the fused data beside the runs is not a run
    results = det_results(tmp_path)
    assert list(results) == ["fp32"]
    fp32 = results["fp32"]
    assert fp32["iterations"] == 4 and fp32["median_iter_s"] == 2.0 and fp32["images_per_s"] == 2.0  # first skipped
    assert fp32["max_memory_mib"] == 400 and fp32["variant"] == "fp32" and len(fp32["loss"]) == 4


def test_det_results_of_a_missing_folder(tmp_path):
    assert det_results(tmp_path / "det") == {}


def test_fuse_results(tmp_path):
    work = tmp_path / "fuse"
    (work / "kaist_fused" / "msfam").mkdir(parents=True)
    (work / "kaist_fused" / "msfam" / "meta.json").write_text(json.dumps({"runs": [{"fused": 16}]}))
    (tmp_path / "synthetic_kaist").mkdir()
    (tmp_path / "synthetic_kaist" / "stamp.json").write_text(json.dumps({"repeat": 2}))
    results = fuse_results(work)
    assert results == {"synthetic_kaist": {"repeat": 2}, "fuse_dataset": {"msfam": [{"fused": 16}]},
                       "bench_fuse_dataset": None}
