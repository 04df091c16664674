"""bench/bench_tuned_fusion.py runs end to end on a tiny disagreeing-bands KAIST (one coupling, one seed): the
baselines and the retrained detector on the tuned images are compared, the tuned network exported with its card;
its quality table puts each tuned MSFAM beside the shipped one (the figures are the bench's business)."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import torch

BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench_tuned_fusion.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_tuned_fusion", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_the_bench_tunes_refuses_retrains_and_compares(bench, tmp_path, capsys):
    out = tmp_path / "bench"
    argv = ["--out", str(out), "--pairs-per-set", "2", "--epochs", "1", "--tune-epochs", "1", "--seeds", "1",
            "--size", "192x160", "--modes", "frozen", "--cfg-options", "model.fusion_loss.push_pull_cfg.win_size=7"]
    bench.main(argv)
    report = (out / "detection.md").read_text()
    assert "msfam_tuned_frozen" in report and "| msfam " in report.replace("|  msfam", "| msfam")
    assert "msfam_tuned_frozen vs msfam" in capsys.readouterr().out
    meta = torch.load(out / "tuned" / "msfam_frozen.pth", weights_only=True)["meta"]
    assert meta["settings"]["coupling"] == "frozen" and (out / "tuned" / "msfam_frozen.md").is_file()
    assert len(list((out / "kaist_fused" / "msfam_tuned_frozen").rglob("*.jpg"))) == 8  # 4 sets x 2 frames
    seeds = sorted(p.name for p in (out / "work_dirs").glob("*/seed0/test_record.json"))
    bench.main(argv)  # a rerun trains nothing again
    assert sorted(p.name for p in (out / "work_dirs").glob("*/seed0/test_record.json")) == seeds


def test_the_quality_table_shows_the_relative_change(bench, tmp_path):
    header = "set,method,images,EN,MS_SSIM,MI,SCD,CC,VIF,ITC\n"
    (tmp_path / "a.csv").write_text(header + "msrs,msfam,25,7.0,0.9,2.0,1.5,0.6,0.5,0.600\n")
    (tmp_path / "b.csv").write_text(header + "msrs,nestfuse,25,1,1,1,1,1,1,1\n"
                                    "msrs,msfam,25,7.0,0.9,2.0,1.5,0.6,0.5,0.660\n")
    table = bench.quality_table({"shipped": tmp_path / "a.csv", "tuned_joint": tmp_path / "b.csv"})
    assert "### msrs" in table and "| tuned_joint |" in table and "0.6600 (+10.0 %)" in table
