"""Detection comparison report: differences from visible-only, provenance, the three output files."""
from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path

import pytest

from detection.comparison import COLUMNS, load_run, to_csv, to_markdown, write_report, write_test_record


def make_run(tmp_path: Path, folder: str, ap: float, mr: float, meta: dict | None = None) -> Path:
    data_root = tmp_path / "data"
    (data_root / folder).mkdir(parents=True, exist_ok=True)
    if meta is not None:
        (data_root / folder / "meta.json").write_text(json.dumps(meta))
    checkpoint = tmp_path / f"{folder}.pth"
    checkpoint.write_bytes(folder.encode())
    metrics = {f"kaist/{c}": (mr if c.startswith("MR") else ap) for c in COLUMNS}
    write_test_record(tmp_path / folder, metrics, "configs/detection/gflv2_x.py", checkpoint, data_root, folder)
    return tmp_path / folder


def test_report_rows_deltas_and_provenance(tmp_path):
    runs = [load_run(None, make_run(tmp_path, "visible", 0.70, 20.0)),
            load_run(None, make_run(tmp_path, "msfam", 0.75, 15.0,
                                    meta={"method": "msfam", "checkpoint": {"path": "w.pth", "sha256": "ab" * 32}}))]
    markdown = to_markdown(runs)
    assert "| msfam | 0.750 (+0.050)" in " ".join(markdown.split()) and "15.00 (-5.00)" in markdown
    assert "images msfam/ by msfam (weights abababababab)" in markdown
    assert "images visible/ (no meta.json)" in markdown
    rows = list(csv.DictReader(io.StringIO(to_csv(runs))))
    assert [r["input"] for r in rows] == ["visible", "msfam"]
    assert math.isclose(float(rows[1]["delta_AP"]), 0.05) and rows[0]["delta_AP"] == ""
    paths = write_report(runs, tmp_path / "report" / "detection")
    assert [p.suffix for p in paths] == [".md", ".csv", ".png"] and all(p.stat().st_size > 0 for p in paths)


def test_named_rows_and_missing_record(tmp_path):
    assert load_run("fused", make_run(tmp_path, "msfam", 0.5, 30.0)).name == "fused"
    with pytest.raises(FileNotFoundError, match="tools/test_det.py"):
        load_run(None, tmp_path / "absent")
