"""bench/bench_detectors.py runs end to end on tiny images and prints a row per detector kind (figures are the
bench's business, not the test's)."""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench_detectors.py"


@pytest.mark.slow
def test_the_bench_prints_every_input_kind(tmp_path, capsys):
    spec = importlib.util.spec_from_file_location("bench_detectors", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(["--size", "64x64", "--batch", "1", "--repeats", "1", "--device", "cpu",
                 "--json", str(tmp_path / "b.json")])
    printed = capsys.readouterr().out
    for row in ("| one image ", "| early fusion ", "| halfway fusion "):
        assert row in printed
    figures = json.loads((tmp_path / "b.json").read_text())
    assert set(figures["networks"]) == set(module.NETWORKS) and set(figures["fusion_pairs_s"]) == {"nestfuse", "msfam"}
    assert all(f["train_images_s"] > 0 and f["test_images_s"] > 0 for f in figures["networks"].values())
