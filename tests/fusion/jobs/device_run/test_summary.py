"""summary.json of a device run (fusion.jobs.device_run.summary) and the environment it starts with."""
from __future__ import annotations

import json

import torch

from fusion.jobs.device_run.environment import probe_environment
from fusion.jobs.device_run.steps import append_step
from fusion.jobs.device_run.summary import record_phase, start_summary


def test_probe_environment():
    env = probe_environment()
    assert env["torch"] == torch.__version__ and env["cuda_available"] == torch.cuda.is_available()
    assert env["python"] and env["cpus"] >= 1 and "torch" in env["module_paths"]


def test_summary_is_started_then_given_each_phase(tmp_path):
    summary_path = tmp_path / "out" / "summary.json"
    manifest = tmp_path / "device_data.json"
    manifest.write_text(json.dumps({"source": "here"}))
    start_summary(summary_path, {"python": "3"}, "cpu", "bench fusion", dry_run=True, data_manifest=manifest)
    append_step(tmp_path / "bench" / "steps.jsonl", "bench_models_float32", 0, 2.0, ["python", "bench"])
    (tmp_path / "bench" / "bench_models_float32.json").write_text(json.dumps({"rows": []}))
    entry = record_phase(summary_path, tmp_path / "bench", "bench", 3.0, 90.0)
    assert entry["status"] == "ok" and entry["results"] == {"bench_models_float32": {"rows": []}}
    (tmp_path / "fusion" / "run").mkdir(parents=True)
    (tmp_path / "fusion" / "run" / "log.jsonl").write_text('{"iter": 1}\n')  # no "event": the collector fails
    entry = record_phase(summary_path, tmp_path / "fusion", "fusion", 1.0, None, rc=1, note="no data")
    assert entry["status"] == "failed" and entry["rc"] == 1 and entry["note"] == "no data"
    assert entry["results_error"].startswith("KeyError")
    summary = json.loads(summary_path.read_text())
    assert summary["phases_requested"] == ["bench", "fusion"] and summary["dry_run"] is True
    assert summary["data"] == {"source": "here"} and list(summary["phases"]) == ["bench", "fusion"]
    assert sorted(p.name for p in summary_path.parent.iterdir()) == ["summary.json"]  # no temporary left
