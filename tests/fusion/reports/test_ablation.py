"""The ablation table: recorded final validations are reused, runs without one are evaluated, gaps are shown."""
from __future__ import annotations

import json

import pytest
import torch

from fusion.apis import read_fusion_checkpoint, save_fusion_checkpoint
from fusion.engine.evaluation import PAPER_METRICS
from fusion.registry import FUSION_MODELS
from fusion.reports import ABLATION_ROWS, ablation_table
from fusion.reports.ablation import AblationRow
from fusion.reports.markdown import ablation_markdown

from .conftest import TINY

RECORDED = {m: float(i + 1) for i, m in enumerate(PAPER_METRICS)}


def _run(runs, name, model_type, metrics=None, validated_at=None, iteration=5):
    cfg = dict(type=model_type, **TINY)
    torch.manual_seed(0)
    meta = {"iteration": iteration, "max_iters": iteration, "elapsed_s": 60.0, "metrics": metrics,
            "schedule": {"amp": {"enabled": False}}}
    save_fusion_checkpoint(runs / name / "final.pth", FUSION_MODELS.build(cfg), cfg, meta=meta)
    records = [{"event": "start", "iter": 0}]
    if validated_at is not None:
        records.append({"event": "val", "iter": validated_at, **(metrics or {})})
    (runs / name / "log.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))


@pytest.fixture
def runs(tmp_path):
    runs = tmp_path / "runs"
    _run(runs, "stage1_msfam", "msfam_handcrafted")  # never validates
    _run(runs, "ablation_full", "msfam", RECORDED, validated_at=5)
    _run(runs, "ablation_neither", "msfam", RECORDED, validated_at=3)  # stale: validated before its end
    return runs


def test_rows_reuse_final_validations_and_evaluate_the_rest(runs, report_data):
    rows = {r["row"].run: r for r in ablation_table(runs, report_data["fusion_root"], report_data["test_list"])}
    assert [r.run for r in ABLATION_ROWS] == list(rows)
    assert rows["ablation_full"]["values"] == RECORDED and rows["ablation_full"]["source"].startswith("validation")
    for run in ("stage1_msfam", "ablation_neither"):
        assert rows[run]["source"] == "evaluated by the report"
        assert rows[run]["values"] != RECORDED and set(rows[run]["values"]) == set(PAPER_METRICS)
    assert rows["ablation_conv5"]["values"] is None
    assert all(r["score"] > 0 for r in rows.values() if r["values"] is not None)


def test_markdown_marks_missing_runs(runs, report_data):
    rows = ablation_table(runs, report_data["fusion_root"], report_data["test_list"],
                          rows=[ABLATION_ROWS[-1], AblationRow("2", "w/o attention", "conv", "ablation_conv5")])
    text = ablation_markdown(rows, "python tools/fusion_report.py ablations --runs runs", "runs")
    assert "(no run in runs/ablation_conv5)" in text
    assert "`ablation_full` (5 it, 1.0 min)" in text and "**6.0000**" in text
    assert read_fusion_checkpoint(runs / "ablation_full" / "final.pth")["meta"]["iteration"] == 5
