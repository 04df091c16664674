"""Detection comparison: seeds grouped per input, means and spreads, paired bootstrap intervals in the report,
the paper's Table 7 beside ours, and the tool."""
from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import numpy as np
import pytest

from detection.runs.comparison import (COLUMNS, BootstrapSetup, compare_inputs, default_pairs, group_by_input)
from detection.runs.comparison_report import ComparisonReport, to_markdown, write_report
from detection.evaluation import evaluate_kaist, load_ground_truth, write_coco_json
from detection.runs.records import load_runs, write_test_record
from tests.detection.evaluation.conftest import random_test_set
from tools import compare_det


def make_run(tmp_path: Path, folder: str, metrics: dict[str, float], seed: int | None = None,
             meta: dict | None = None, predictions: Path | None = None, ann_file: Path | None = None) -> Path:
    """A tested run of ``folder``'s images in ``tmp_path/<folder>[/seed<N>]``."""
    data_root = tmp_path / "data"
    (data_root / folder).mkdir(parents=True, exist_ok=True)
    if meta is not None:
        (data_root / folder / "meta.json").write_text(json.dumps(meta))
    work_dir = tmp_path / folder / (f"seed{seed}" if seed is not None else "")
    checkpoint = work_dir / "epoch_2.pth"
    checkpoint.parent.mkdir(parents=True, exist_ok=True)
    checkpoint.write_bytes(f"{folder}{seed}".encode())
    write_test_record(work_dir, {f"kaist/{k}": v for k, v in metrics.items()}, "configs/detection/gflv2_x.py",
                      checkpoint, data_root, folder, seed=seed, predictions=predictions, ann_file=ann_file)
    return tmp_path / folder


def flat(ap: float, mr: float) -> dict[str, float]:
    return {c: (mr if c.startswith("MR") else ap) for c in COLUMNS}


def test_seeds_are_grouped_into_inputs_with_mean_and_spread(tmp_path):
    for seed, ap in ((0, 0.70), (1, 0.74), (2, 0.72)):
        make_run(tmp_path, "visible", flat(ap, 20.0 + seed), seed)
    make_run(tmp_path, "msfam", flat(0.75, 15.0), None,
             meta={"method": "msfam", "checkpoint": {"path": "w.pth", "sha256": "ab" * 32}})
    runs = load_runs(None, tmp_path / "visible") + load_runs(None, tmp_path / "msfam")
    assert [run.seed for run in runs] == [0, 1, 2, None]
    inputs = group_by_input(runs)
    visible, msfam = inputs
    assert visible.name == "visible" and visible.seeds == [0, 1, 2] and msfam.seeds == [None]
    assert visible.mean("AP") == pytest.approx(0.72) and visible.spread("AP") == pytest.approx(0.02)
    assert math.isnan(msfam.spread("AP"))
    markdown = to_markdown(ComparisonReport(inputs, [], BootstrapSetup(), bootstrap_note="because"))
    assert "| visible | 0, 1, 2      | 0.720 ± 0.020" in markdown and "21.00 ± 1.00" in markdown
    assert "| msfam   | not recorded |         0.750 |" in markdown  # one seed: no spread
    assert "No intervals: because." in markdown
    assert "| Visible     | visible     | 0.756      | 0.720 ± 0.020" in markdown  # the paper beside ours
    assert "| MSFAM       | msfam       | 0.768      | 0.750 " in markdown and "| SEDR        | -" in markdown
    assert "images msfam/ by msfam (weights abababababab)" in markdown
    with pytest.raises(ValueError, match="seed 1 twice"):
        group_by_input(runs + load_runs(None, tmp_path / "visible" / "seed1"))
    with pytest.raises(FileNotFoundError, match="tools/test_det.py"):
        load_runs(None, tmp_path / "absent")


def test_default_pairs():
    assert default_pairs(["visible", "lwir", "nestfuse", "msfam"], "visible") == [
        ("lwir", "visible"), ("nestfuse", "visible"), ("msfam", "visible"), ("msfam", "nestfuse")]
    assert default_pairs(["lwir", "msfam"], "visible") == []
    six = ["visible", "lwir", "nestfuse", "msfam", "early_fusion", "halfway_fusion"]
    assert default_pairs(six, "visible")[4:] == [
        ("halfway_fusion", "visible"), ("msfam", "nestfuse"), ("early_fusion", "msfam"), ("halfway_fusion", "msfam")]
    assert ("early_fusion", "msfam") in default_pairs(["early_fusion", "msfam"], "msfam")
    tuned = default_pairs(["visible", "msfam", "msfam_tuned", "msfam_tuned_frozen"], "visible")
    assert tuned[3:] == [("msfam_tuned", "msfam"), ("msfam_tuned_frozen", "msfam")]


@pytest.fixture(scope="module")
def predictions(tmp_path_factory):
    """Ground truth of 90 random images and two seeds each of a good and a half-blind detector."""
    root = tmp_path_factory.mktemp("predictions")
    data, good = random_test_set(90, seed=11)
    ann_file = root / "test.json"
    ann_file.write_text(json.dumps(data))
    gt = load_ground_truth(data)
    rng = np.random.default_rng(0)
    files = {}
    for seed in (0, 1):
        rescored = {i: np.column_stack([r[:, :4], r[:, 4] * rng.uniform(0.9, 1.0, len(r))]) for i, r in good.items()}
        blind = {i: r[rng.random(len(r)) < 0.5] for i, r in rescored.items()}
        for name, dets in (("visible", rescored), ("msfam", blind)):
            path = root / f"{name}{seed}.bbox.json"
            write_coco_json(path, dets, gt.person_category_id)
            files[name, seed] = (path, evaluate_kaist(gt, dets))
    return ann_file, files


def test_paired_intervals_say_which_input_is_worse(tmp_path, predictions):
    ann_file, files = predictions
    for (name, seed), (path, metrics) in files.items():
        make_run(tmp_path, name, metrics, seed, predictions=path, ann_file=ann_file)
    inputs = group_by_input(load_runs(None, tmp_path / "visible") + load_runs(None, tmp_path / "msfam"))
    setup = BootstrapSetup(resamples=200)
    comparisons, n_images = compare_inputs(inputs, [("msfam", "visible")], setup)
    assert n_images == 90 and len(comparisons) == 1
    ap = comparisons[0].intervals["AP"]
    assert ap.difference == pytest.approx(inputs[1].mean("AP") - inputs[0].mean("AP"))
    assert ap.high < 0 and ap.verdict() == "worse" and comparisons[0].intervals["MR_all"].verdict() == "worse"

    paths = write_report(ComparisonReport(inputs, comparisons, setup, n_images), tmp_path / "report" / "det")
    assert [p.name for p in paths] == ["det.md", "det.csv", "det_runs.csv", "det_differences.csv", "det.png"]
    markdown = paths[0].read_text()
    assert "200 resamples of the 90 test images" in markdown
    assert "- msfam vs visible: beyond noise: AP worse (" in markdown
    rows = list(csv.DictReader(paths[3].open()))
    assert {(r["column"], r["verdict"]) for r in rows} >= {("AP", "worse"), ("AP50", "worse")}
    per_input = list(csv.DictReader(paths[1].open()))
    assert [r["input"] for r in per_input] == ["visible", "msfam"] and per_input[0]["seeds"] == "0 1"
    assert float(per_input[0]["mean_AP"]) == pytest.approx(inputs[0].mean("AP"))
    assert len(list(csv.DictReader(paths[2].open()))) == 4 and paths[4].stat().st_size > 0

    with pytest.raises(ValueError, match="no input 'lwir'"):
        compare_inputs(inputs, [("lwir", "visible")], setup)


def test_the_tool_compares_seeds_and_explains_missing_predictions(tmp_path, predictions, capsys):
    ann_file, files = predictions
    runs = tmp_path / "runs"
    for (name, seed), (path, metrics) in files.items():
        make_run(runs, name, metrics, seed, predictions=path, ann_file=ann_file)
    compare_det.main([str(runs / "visible"), f"fused={runs / 'msfam'}", "--out", str(tmp_path / "a" / "det"),
                      "--resamples", "100"])
    text = " ".join((tmp_path / "a" / "det.md").read_text().split())
    assert "| fused | 0, 1 |" in text and "fused vs visible: beyond noise" in text
    assert "wrote" in capsys.readouterr().out

    make_run(tmp_path / "old", "visible", flat(0.7, 20.0))
    make_run(tmp_path / "old", "msfam", flat(0.8, 10.0))
    compare_det.main([str(tmp_path / "old" / "visible"), str(tmp_path / "old" / "msfam"),
                      "--out", str(tmp_path / "b" / "det")])
    assert "No intervals: no predictions recorded for visible (seed None), msfam (seed None)" in \
        (tmp_path / "b" / "det.md").read_text()
    with pytest.raises(SystemExit, match="no test_record.json"):
        compare_det.main([str(tmp_path / "absent"), "--out", str(tmp_path / "c")])


def test_the_chart_of_six_inputs_shows_every_title_and_label_whole():
    from detection.runs.comparison import Comparison, InputRuns
    from detection.runs.comparison_report import chart_figure
    from detection.evaluation.bootstrap import PairedInterval
    from detection.runs.records import Run

    names = ["visible", "lwir", "nestfuse", "msfam", "early_fusion", "halfway_fusion"]
    inputs = [InputRuns(name, [Run(name, {"seed": seed, "metrics": {c: 0.1 * (i + 1) + 0.01 * seed for c in COLUMNS}})
                               for seed in range(3)]) for i, name in enumerate(names)]
    pairs = default_pairs(names, "visible")
    comparisons = [Comparison(a, b, {c: PairedInterval(c, 0.1, -0.05, 0.2, 0.95, 100) for c in COLUMNS})
                   for a, b in pairs]
    figure = chart_figure(ComparisonReport(inputs, comparisons, BootstrapSetup(), 90))
    renderer = figure.canvas.get_renderer()
    figure.canvas.draw()
    bounds = figure.bbox
    texts = [text for axis in figure.axes for text in (axis.title, axis._left_title, *axis.get_xticklabels(),
                                                       *axis.get_yticklabels()) if text.get_text()]
    texts += [text for axis in figure.axes if axis.get_legend() for text in axis.get_legend().get_texts()]
    assert len(texts) > 30
    for text in texts:
        box = text.get_window_extent(renderer)
        assert bounds.x0 - 1 <= box.x0 and box.x1 <= bounds.x1 + 1 and bounds.y0 - 1 <= box.y0 and \
            box.y1 <= bounds.y1 + 1, text.get_text()
    assert {t.get_text() for t in texts} >= {"halfway_fusion - msfam", "halfway_fusion (n=3)"}
