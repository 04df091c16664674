"""Step records and a phase's status (fusion.jobs.device_run.steps)."""
from __future__ import annotations

from fusion.jobs.device_run.steps import append_step, phase_status, read_steps


def test_append_step_records_each_outcome(tmp_path):
    steps = tmp_path / "phase" / "steps.jsonl"
    append_step(steps, "a", 0, 1.234, ["echo", "hi"])
    append_step(steps, "b", 124, 60, ["sleep", "99"])
    append_step(steps, "c", None, 0, ["train", "--amp"], note="needs a GPU", skipped="n/a")
    append_step(steps, "d", None, 0, ["late"])
    with open(steps, "a") as handle:
        handle.write('{"step": "torn')  # a writer killed mid-line
    records = read_steps(steps)
    assert [r["step"] for r in records] == ["a", "b", "c", "d"]
    assert records[0] == {"step": "a", "rc": 0, "wall_s": 1.23, "command": "echo hi"}
    assert records[1]["timed_out"] is True
    assert records[2]["skipped"] == "n/a" and records[2]["note"] == "needs a GPU" and records[3]["skipped"] == "time"


def test_read_steps_of_a_phase_without_steps(tmp_path):
    assert read_steps(tmp_path / "steps.jsonl") == []


def test_phase_status():
    assert phase_status([{"rc": 0}, {"rc": None, "skipped": "n/a"}]) == "ok"
    assert phase_status([{"rc": 0}, {"rc": None, "skipped": "time"}]) == "partial"
    assert phase_status([{"rc": 0}, {"rc": 124}]) == "timeout"
    assert phase_status([{"rc": 124}, {"rc": 1}]) == "failed"
    assert phase_status([{"rc": 0}], rc=1) == "failed"
    assert phase_status([{"rc": None, "skipped": "time"}]) == "skipped"
