"""tools/fusion_report.py: installing weights with model cards, the quality report and the ablation table."""
from __future__ import annotations

import errno
import importlib.util
import json
import shutil
from pathlib import Path

import cv2
import pytest
import torch

from fusion.apis import load_fuser, save_fusion_checkpoint
from fusion.registry import FUSION_MODELS, NETWORKS
from fusion.reports import ABLATION_ROWS
from fusion.utils.files import file_sha256

from ..fusion.conftest import write_pairs

REPO = Path(__file__).resolve().parents[2]
TINY = dict(widths=(4, 6, 8, 10), stem_channels=4)
SHAPE = (168, 176)


def table_rows(text: str) -> list[list[str]]:
    """The cells of every markdown table row in ``text`` (alignment rows included)."""
    return [[cell.strip() for cell in line.strip().strip("|").split("|")]
            for line in text.splitlines() if line.startswith("|")]


@pytest.fixture(scope="module")
def tool():
    spec = importlib.util.spec_from_file_location("fusion_report", REPO / "tools" / "fusion_report.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _export(path: Path, model_type: str, phase: str, metrics: dict | None = None) -> None:
    torch.manual_seed(0)
    cfg = dict(type=model_type, **TINY)
    meta = {"phase": phase, "iteration": 4, "max_iters": 4, "epoch": 0.5, "elapsed_s": 90.0, "metrics": metrics,
            "best": {"key": "score", "iteration": 4} if metrics else None, "device": "cpu",
            "schedule": {"batch_size": 4, "train_samples": 8, "crop_size": [44, 36], "optimizer": {"lr": 1e-3},
                         "lr_schedule": {"type": "cosine"}, "amp": {"enabled": False}, "seed": 0},
            "config": {"train_cfg": {"val_interval": 4}, "val_dataloader": {"x": 1} if metrics else None}}
    save_fusion_checkpoint(path, FUSION_MODELS.build(cfg), cfg, meta=meta)
    if metrics:
        path.with_name("log.jsonl").write_text(json.dumps({"event": "val", "iter": 4, **metrics}) + "\n")


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> Path:
    runs = tmp_path_factory.mktemp("runs")
    metrics = {"EN": 7.0, "MS_SSIM": 0.9, "MI": 3.0, "SCD": 1.6, "CC": 0.5, "VIF": 0.7, "score": 1.1}
    _export(runs / "stage1_msfam" / "final.pth", "msfam_handcrafted", "stage1_msfam")
    _export(runs / "stage1_nestfuse" / "final.pth", "nestfuse", "stage1_nestfuse")
    _export(runs / "stage2_msfam_target" / "best.pth", "msfam", "stage2_msfam_target", metrics)
    _export(runs / "stage2_msfam_target" / "final.pth", "msfam", "stage2_msfam_target", metrics)
    _export(runs / "ablation_full" / "final.pth", "msfam", "stage2_msfam", metrics)
    classifier_cfg = dict(type="SemanticConstraintClassifier", widths=(4, 4, 8, 8))
    meta = {"phase": "classifier", "iteration": 8, "max_iters": 8, "metrics": {"balanced_accuracy": 0.93},
            "config": {"task": {"fusers": [{"type": "average"}],
                                "stage1_checkpoint": str(runs / "stage1_msfam" / "final.pth")}}}
    save_fusion_checkpoint(runs / "classifier" / "best.pth", NETWORKS.build(classifier_cfg), classifier_cfg, meta)
    return runs


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> tuple[Path, Path]:
    """``(data root, test list)``: tiny roadscene, tno21 and msrs pairs; one roadscene pair held out."""
    data = tmp_path_factory.mktemp("data")
    write_pairs(data / "fusion", "roadscene", ["FLIR_1", "FLIR_2"], shape=SHAPE, colour=True)
    write_pairs(data / "fusion", "tno21", ["1"], shape=SHAPE, seed=10)
    write_pairs(data / "fusion", "msrs", ["00001D", "00002N"], shape=SHAPE, seed=20)
    test_list = data / "test.txt"
    test_list.write_text("roadscene/FLIR_2\n")
    for method in ("Copy-IR", "Copy-VI"):  # a stand-in of the published outputs on tno21 (none on msrs)
        (data / "published" / "tno21" / method).mkdir(parents=True)
        band = "ir" if method == "Copy-IR" else "vi"
        shutil.copy(data / "fusion" / "tno21" / band / "1.png", data / "published" / "tno21" / method / "1.png")
    return data, test_list


def test_weights_are_installed_with_model_cards_and_load(tool, runs, data, tmp_path, capsys):
    out = tmp_path / "weights"
    tool.main(["weights", "--runs", str(runs), "--out", str(out), "--data-root", str(data[0]),
               "--test-list", str(data[1])])
    assert file_sha256(out / "msfam.pth") == file_sha256(runs / "stage2_msfam_target" / "best.pth")
    cards = (out / "README.md").read_text()
    for name in ("msfam", "nestfuse"):
        assert f"`{name}.pth`" in cards and file_sha256(out / f"{name}.pth") in cards
    assert "SCHEDULE=cpu bash tools/train_fusion_all.sh" in cards and "Stage 1 (encoder and decoder)" in cards
    rows = table_rows(cards)
    assert ["7.0000", "0.9000", "3.0000", "1.6000", "0.5000", "0.7000", "1.1000"] in rows
    # the classifier: validation accuracy, then the held-out pair's 4 images (visible, infrared, 2 fusions)
    assert ["balanced_accuracy"] in rows and ["0.930"] in rows
    assert "accuracy_fused/stage1" in cards and ["true \\ predicted", "visible", "infrared", "fused", "neither"] in rows
    confusion = [row for row in rows if row[0] in ("visible", "infrared", "fused")]
    assert sum(int(cell) for row in confusion for cell in row[1:]) == 4
    fused = load_fuser("msfam", out / "msfam.pth").fuse_tensors(torch.rand(1, 1, 32, 32), torch.rand(1, 1, 32, 32))
    assert fused.shape == (1, 1, 32, 32)


def test_weights_refuses_incomplete_runs(tool, tmp_path):
    with pytest.raises(SystemExit, match="missing run outputs"):
        tool.main(["weights", "--runs", str(tmp_path), "--out", str(tmp_path / "w")])


def test_quality_and_ablations_write_their_files(tool, runs, data, tmp_path, capsys, monkeypatch):
    data, test_list = data
    out = tmp_path / "report"
    tool.main(["quality", "--data-root", str(data), "--test-list", str(test_list),
               "--methods", "average,nestfuse,msfam",
               "--checkpoint", f"msfam={runs / 'stage2_msfam_target' / 'best.pth'}",
               "--checkpoint", f"nestfuse={runs / 'stage1_nestfuse' / 'final.pth'}",
               "--work-dir", str(tmp_path / "work"), "--out", str(out), "--workers", "1", "--speed-repeats", "1",
               "--min-pairs", "1"])
    text = (out / "quality.md").read_text()
    assert "Regenerate: `python tools/fusion_report.py quality --data-root" in text
    printed = capsys.readouterr().out
    for name in ("heldout", "tno21", "msrs"):
        assert f"  {name}: " in printed and f"- {name}: **" in text
    assert (out / "quality.csv").read_text().splitlines()[0].startswith("set,method,images,EN,")
    assert len((out / "quality.csv").read_text().splitlines()) == 1 + 3 * 3
    assert cv2.imread(str(out / "gallery.png")).shape[0] > 4 * 192
    assert "### tno21: 1 pairs, 5 rows" in text and "### msrs" not in text  # --min-pairs 1, the published stand-in
    assert "  tno21 leaderboard: MSFAM is " in printed
    assert cv2.imread(str(out / "leaderboard_gallery.png")).shape[1] > 6 * 192  # ir, vis, 2 published, 2 ours

    # a full disk while the report is written: a clear error, the finished report kept whole, no temporary
    write_bytes = Path.write_bytes

    def disk_full_for_the_report(self, data):
        if self.name.startswith(".quality.md"):
            write_bytes(self, data[:10])
            raise OSError(errno.ENOSPC, "No space left on device", str(self))
        return write_bytes(self, data)

    with monkeypatch.context() as patch:
        patch.setattr(Path, "write_bytes", disk_full_for_the_report)
        with pytest.raises(SystemExit, match="no space left on the disk writing .*quality.md"):
            tool.main(["quality", "--data-root", str(data), "--test-list", str(test_list), "--methods",
                       "average,nestfuse,msfam", "--checkpoint", f"msfam={runs / 'stage2_msfam_target' / 'best.pth'}",
                       "--checkpoint", f"nestfuse={runs / 'stage1_nestfuse' / 'final.pth'}", "--work-dir",
                       str(tmp_path / "work"), "--out", str(out), "--workers", "1", "--speed-repeats", "1",
                       "--min-pairs", "1"])
    assert (out / "quality.md").read_text() == text and not list(out.glob(".*tmp*"))

    tool.main(["ablations", "--runs", str(runs), "--data-root", str(data), "--test-list", str(test_list),
               "--work-dir", str(tmp_path / "work"), "--workers", "1", "--out", str(out / "ablations.md")])
    table = (out / "ablations.md").read_text()
    assert table.count("(no run in") == len(ABLATION_ROWS) - 3
    assert "`stage1_msfam/final.pth`" in table and "`ablation_full/final.pth`" in table
    # the record keeps the scored rows: with the runs gone, a rerun shows them as recorded
    assert {line.split(",")[0] for line in (out / "ablations.csv").read_text().splitlines()[1:]} == {
        "stage1_msfam", "ablation_full", "stage2_msfam_target"}
    tool.main(["ablations", "--runs", str(tmp_path / "gone"), "--data-root", str(data), "--test-list",
               str(test_list), "--work-dir", str(tmp_path / "work"), "--workers", "1",
               "--out", str(out / "ablations.md")])
    rerun = (out / "ablations.md").read_text()
    assert rerun.count("recorded)") == 3 and rerun.count("(no run in") == len(ABLATION_ROWS) - 3


def test_quality_refuses_a_report_without_both_networks(tool, tmp_path):
    with pytest.raises(SystemExit, match="must include msfam and nestfuse"):
        tool.main(["quality", "--data-root", str(tmp_path), "--methods", "average,msfam",
                   "--out", str(tmp_path)])
