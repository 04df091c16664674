"""tools/eval_kaist.py end to end: a tiny ground truth, a KAIST-format result file, the printed table and
PREFIX.md / PREFIX.json."""
import importlib.util
import json
from pathlib import Path

import pytest

TOOL = Path(__file__).resolve().parents[2] / "tools" / "eval_kaist.py"

GT = {"images": [{"id": 0, "im_name": "set06/V000/I00019"}, {"id": 1, "im_name": "set09/V000/I00019"}],
      "annotations": [{"id": 0, "image_id": 0, "category_id": 1, "bbox": [100, 100, 40, 100], "height": 100,
                       "occlusion": 0, "ignore": 0},
                      {"id": 1, "image_id": 1, "category_id": 1, "bbox": [200, 150, 50, 120], "height": 120,
                       "occlusion": 0, "ignore": 0}],
      "categories": [{"id": 1, "name": "person"}]}


@pytest.fixture(scope="module")
def eval_kaist():
    spec = importlib.util.spec_from_file_location("eval_kaist", TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_scores_a_kaist_text_file(eval_kaist, tmp_path, capsys):
    ann = tmp_path / "gt.json"
    ann.write_text(json.dumps(GT))
    results = tmp_path / "dets.txt"
    results.write_text("1,100,100,40,100,0.9\n")  # day found, night missed
    eval_kaist.main(["--ann", str(ann), "--results", str(results), "--out", str(tmp_path / "report")])
    printed = capsys.readouterr().out
    header = "| AP | AP50 | AP75 | APS | APM | APL | MR_all (%) | MR_day (%) | MR_night (%) |"
    assert header in " ".join(printed.split())
    assert "| 50.00 | 0.00 | 100.00 |" in " ".join(printed.split())
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["metrics"]["MR_all"] == pytest.approx(50.0) and report["detections"] == 1
    assert report["metrics"]["APL"] is None  # no large box: n/a
    assert "| 50.00 | 0.00 | 100.00 |" in " ".join((tmp_path / "report.md").read_text().split())


def test_bad_input_exits_with_a_message(eval_kaist, tmp_path):
    ann = tmp_path / "gt.json"
    ann.write_text(json.dumps(GT))
    results = tmp_path / "dets.txt"
    results.write_text("7,1,1,5,5,0.5\n")  # the ground truth has 2 images
    with pytest.raises(SystemExit, match=r"error: .*1\.\.2"):
        eval_kaist.main(["--ann", str(ann), "--results", str(results)])
