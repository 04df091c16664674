"""tools/train_fusion_all.sh: argument errors, and finished phases skipped on a rerun (no training here)."""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "tools" / "train_fusion_all.sh"


def run_script(tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(SCRIPT)], capture_output=True, text=True, timeout=60,
                          env=dict(os.environ, OUT=str(tmp_path / "runs"), **env))


def test_unknown_schedule_and_phase_are_refused(tmp_path):
    result = run_script(tmp_path, SCHEDULE="fast")
    assert result.returncode == 2 and "SCHEDULE must be gpu or cpu, got 'fast'" in result.stderr
    result = run_script(tmp_path, SCHEDULE="cpu", PHASES="stage3")
    assert result.returncode == 2 and "unknown phase 'stage3'" in result.stderr


def test_finished_phases_are_skipped(tmp_path):
    for phase in ("stage1_msfam", "ablation_full"):
        work = tmp_path / "runs" / phase
        work.mkdir(parents=True)
        (work / "final.pth").write_bytes(b"")
        (work / "log.jsonl").write_text(json.dumps({"event": "end", "complete": True}) + "\n")
    result = run_script(tmp_path, SCHEDULE="cpu", PHASES="stage1_msfam ablation_full")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [f"stage1_msfam: complete in {tmp_path}/runs/stage1_msfam",
                                          f"ablation_full: complete in {tmp_path}/runs/ablation_full"]
