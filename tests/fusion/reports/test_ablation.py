"""The ablation table: every run's network fused and scored like the quality report, gaps shown."""
from __future__ import annotations

import pytest
import torch

from fusion.apis import save_fusion_checkpoint
from fusion.engine.evaluation import PAPER_METRICS
from fusion.registry import FUSION_MODELS
from fusion.reports import ABLATION_ROWS, ablation_table, evaluation_sets, read_record, write_record
from fusion.reports.ablation import AblationRow
from fusion.reports.quality import score_set
from fusion.reports.render import ablation_markdown

from .conftest import TINY


def _run(runs, name, model_type, files=("final.pth",), seed=0):
    cfg = dict(type=model_type, **TINY)
    for file in files:
        torch.manual_seed(seed + len(file))  # best.pth and final.pth differ
        meta = {"iteration": 5, "max_iters": 5, "elapsed_s": 60.0}
        save_fusion_checkpoint(runs / name / file, FUSION_MODELS.build(cfg), cfg, meta=meta)


@pytest.fixture
def runs(tmp_path):
    runs = tmp_path / "runs"
    _run(runs, "stage1_msfam", "msfam_handcrafted")
    _run(runs, "ablation_full", "msfam", files=("best.pth", "final.pth"))
    _run(runs, "ablation_conv5", "msfam_conv5")
    return runs


@pytest.fixture
def heldout(report_data):
    return evaluation_sets(report_data["fusion_root"], report_data["test_list"])[0]


@pytest.mark.slow
def test_rows_are_scored_from_their_fused_images(runs, heldout, tmp_path):
    work = tmp_path / "work"
    rows = {r["row"].run: r for r in ablation_table(runs, heldout, work)}
    assert [r.run for r in ABLATION_ROWS] == list(rows)
    assert rows["ablation_full"]["checkpoint"] == "best.pth" and rows["ablation_conv5"]["checkpoint"] == "final.pth"
    assert rows["ablation_neither"]["values"] is None
    for run in ("stage1_msfam", "ablation_full", "ablation_conv5"):
        assert set(rows[run]["values"]) == {*PAPER_METRICS, "ITC"} and rows[run]["score"] > 0
    # the same fused files scored directly give the same numbers, and the reference is the pixel average
    folders = {p.name.split("-")[0]: p for p in (work / "fused").iterdir()}
    assert set(folders) == {"average", "stage1_msfam", "ablation_full", "ablation_conv5"}
    means = score_set(heldout, folders, PAPER_METRICS, workers=1).means()
    assert rows["ablation_conv5"]["values"]["VIF"] == pytest.approx(means["ablation_conv5"]["VIF"])
    ratios = [means["ablation_full"][m] / means["average"][m] for m in PAPER_METRICS]
    assert rows["ablation_full"]["score"] == pytest.approx(sum(ratios) / len(ratios))


def test_markdown_marks_missing_runs(runs, heldout, tmp_path):
    rows = ablation_table(runs, heldout, tmp_path / "work",
                          rows=[ABLATION_ROWS[6], AblationRow("2", "w/o attention", "conv", "ablation_neither")])
    text = ablation_markdown(rows, "python tools/fusion_report.py ablations --runs runs", "runs", "heldout")
    assert "(no run in runs/ablation_neither)" in text
    assert "`ablation_full/best.pth` (5 of 5 it, 1.0 min)" in text and "| ITC | score |" in " ".join(text.split())


def test_a_gone_run_keeps_its_recorded_values_and_a_present_run_is_rescored(runs, heldout, tmp_path):
    rows = [ABLATION_ROWS[6], AblationRow("2", "w/o attention", "conv", "ablation_neither")]
    scored = ablation_table(runs, heldout, tmp_path / "work", rows=rows[:1])
    record_file = tmp_path / "ablations.csv"
    write_record(record_file, scored)
    record = read_record(record_file)
    assert record["ablation_full"]["values"] == scored[0]["values"]  # exact: floats written with repr
    assert record["ablation_full"]["iteration"] == 5 and record["ablation_full"]["checkpoint"] == "best.pth"
    # ablation_neither's run is gone but recorded; ablation_full's run is present: scored again, not copied
    record["ablation_neither"] = {**record["ablation_full"], "values": {**record["ablation_full"]["values"], "EN": 1.0}}
    record["ablation_full"] = {**record["ablation_full"], "score": -1.0}
    table = {r["row"].run: r for r in ablation_table(runs, heldout, tmp_path / "work", rows=rows, record=record)}
    assert table["ablation_neither"]["recorded"] and table["ablation_neither"]["values"]["EN"] == 1.0
    assert not table["ablation_full"]["recorded"] and table["ablation_full"]["score"] == scored[0]["score"]
    text = ablation_markdown(list(table.values()), "cmd", "runs", "heldout", record_file.name)
    assert "`ablation_neither/best.pth` (5 of 5 it, 1.0 min, recorded)" in text
    assert "Rows marked `recorded`" in text and "`ablations.csv`" in text


def test_record_reading(tmp_path):
    assert read_record(tmp_path / "none.csv") == {}
    bad = tmp_path / "bad.csv"
    bad.write_text("run,EN\nx,1.0\n")
    with pytest.raises(ValueError, match="bad.csv is not an ablation record: no column checkpoint"):
        read_record(bad)
