"""Model cards (fusion.reports.model_card) and the weights folder's README (fusion.reports.shipped_weights)."""
from __future__ import annotations

import pytest

from fusion.reports.model_card import classifier_card, model_card
from fusion.reports.shipped_weights import CLASSIFIER_CROP, heldout_pairs, install_weights, weights_readme
from fusion.utils.files import file_sha256

SCHEDULE = {"phase": "stage2_msfam", "iteration": 4, "max_iters": 8, "epoch": 0.5, "elapsed_s": 120.0,
            "schedule": {"batch_size": 2, "train_samples": 16, "lr_schedule": {"type": "cosine"}}}
HELDOUT = {"accuracy_visible": 0.75, "balanced_accuracy": 0.8125,
           "confusion/visible/visible": 3, "confusion/visible/infrared": 1,
           "confusion/infrared/visible": 0, "confusion/infrared/infrared": 4}


def table_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("|")]


def cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def test_classifier_card_tables():
    card = classifier_card({**SCHEDULE, "metrics": {"balanced_accuracy": 0.9}}, HELDOUT, "test split")
    lines = table_lines(card)
    # validation: one column; held-out: two columns, then the confusion matrix (true kind by predicted label)
    assert cells(lines[0]) == ["balanced_accuracy"] and cells(lines[2]) == ["0.900"]
    assert cells(lines[3]) == ["accuracy_visible", "balanced_accuracy"] and cells(lines[5]) == ["0.750", "0.812"]
    assert all(cell.endswith(":") for cell in cells(lines[1]) + cells(lines[4]))  # numbers right-aligned
    assert cells(lines[6]) == ["true \\ predicted", "visible", "infrared"]
    assert [cells(line) for line in lines[8:]] == [["visible", "3", "1"], ["infrared", "0", "4"]]
    assert "On the test split" in card and "cosine decay" in card


def test_classifier_card_without_metrics_has_no_tables():
    assert table_lines(classifier_card(SCHEDULE)) == []


def test_model_card_quotes_the_file_and_its_validation(tiny_weights):
    path = tiny_weights["msfam"]
    metrics = {"EN": 7.0, "MS_SSIM": 0.9, "score": 1.25}
    card = model_card("MSFAM", path, {**SCHEDULE, "metrics": metrics, "best": {"key": "score", "iteration": 4}},
                      "some pairs", "train it")
    assert card.startswith(f"## `{path.name}`: MSFAM") and file_sha256(path) in card and "`train it`" in card
    lines = table_lines(card)
    assert cells(lines[0]) == ["EN", "MS_SSIM", "score"] and cells(lines[2]) == ["7.0000", "0.9000", "1.2500"]


def test_weights_readme_joins_the_cards(tiny_weights):
    sources = {"stage1": tiny_weights["msfam"], "classifier": None}
    readme = weights_readme(tiny_weights, sources, "train it", None, note="A note.")
    assert readme.startswith("# Shipped fusion weights") and "A note." in readme
    assert "## `msfam.pth`" in readme and "## `nestfuse.pth`" in readme and "Stage 1 (encoder and decoder)" in readme
    assert "Semantic Constraint classifier" not in readme


def test_heldout_pairs_are_single_crops(report_data):
    loader = heldout_pairs(report_data["fusion_root"], report_data["test_list"])
    batches = list(loader)
    assert len(batches) == 2 and all(b["vis"].shape[0] == 1 for b in batches)
    assert tuple(batches[0]["vis"].shape[-2:]) == (CLASSIFIER_CROP[1], CLASSIFIER_CROP[0])


def test_install_weights_checks_the_runs_first(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing run outputs"):
        install_weights(tmp_path / "runs", tmp_path / "out", "train it", tmp_path / "no_data", tmp_path / "none.txt")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(("task", "sources", "used"), [
    ({"type": "FusionTask", "classifier_checkpoint": "c.pth", "loss": {"alpha2": 0.84}},
     {"stage1": {}, "classifier": {"path": "c.pth"}}, True),
    ({"type": "FusionTask", "classifier_checkpoint": None, "loss": {"alpha2": 0.0, "gamma": 0.5}},
     {"stage1": {}}, False)])
def test_model_card_says_whether_stage2_used_the_classifier(tiny_weights, task, sources, used):
    meta = {**SCHEDULE, "config": {"task": task}, "sources": sources}
    card = model_card("MSFAM", tiny_weights["msfam"], meta, "pairs", "train it", stage1_meta=SCHEDULE,
                      classifier_meta={**SCHEDULE, "metrics": {"balanced_accuracy": 0.9}})
    assert ("frozen in stage 2; not shipped" in card) == used
    assert ("this stage 2 ran without the Semantic Constraint" in card) == (not used)
    assert ("classifier accepted from balanced accuracy 0.9 on" in card) == used
    assert ("no Semantic Constraint classifier" in card) == (not used)
