"""tools/model_info.py: the markdown table and the JSON rows (meta device, no compute)."""
import importlib.util
import json
import sys
from pathlib import Path

import pytest

TOOL = Path(__file__).resolve().parents[2] / "tools" / "model_info.py"


@pytest.fixture(scope="module")
def model_info():
    spec = importlib.util.spec_from_file_location("model_info", TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_table_and_json(model_info, tmp_path, monkeypatch, capsys):
    out = tmp_path / "info.json"
    monkeypatch.setattr(sys, "argv", ["model_info.py", "--sizes", "64x48", "320x256", "--json", str(out)])
    model_info.main()
    printed = capsys.readouterr().out
    assert "multiply-adds" in printed.lower() and "| GMACs 64x48 | GFLOPs 64x48 |" in " ".join(printed.split())
    rows = {row["network"]: row for row in json.loads(out.read_text())}
    assert {"msfam", "msfam_conv5", "msfam_handcrafted", "nestfuse", "SemanticConstraintClassifier"} <= set(rows)
    nestfuse = rows["nestfuse"]
    assert nestfuse["paper"]["params"] == 2.7e6
    assert nestfuse["macs"]["320x256"] == pytest.approx(95.2e9, rel=0.01)
    assert nestfuse["macs"]["64x48"] < nestfuse["macs"]["320x256"]
    assert "| nestfuse | FUSION_MODELS | 2.733 | 2.7 | 1.01 |" in " ".join(printed.split())
    one, early, halfway = (rows[f"gflv2 {kind}"] for kind in ("one image", "early fusion", "halfway fusion"))
    assert early["params"] - one["params"] == 64 * 7 * 7  # the thermal filters of the first convolution
    assert early["macs"]["320x256"] - one["macs"]["320x256"] == 64 * 7 * 7 * 160 * 128
    assert 1.9 < halfway["params"] / one["params"] < 2.2 and halfway["macs"]["64x48"] > one["macs"]["64x48"]
    assert one["registry"] == "detector (gflv2_visible.py)"
