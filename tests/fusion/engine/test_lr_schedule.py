"""Learning-rate schedules: the cosine factor, its errors, and the rates a run actually sets (resume included)."""
from __future__ import annotations

import math

import pytest

from fusion.engine import Trainer
from fusion.engine.logger import read_log
from fusion.engine.lr_schedule import build_lr_factor


def test_constant_without_a_schedule():
    factor = build_lr_factor(None, 100)
    assert [factor(i) for i in (0, 50, 99)] == [1.0, 1.0, 1.0]


def test_cosine_goes_from_one_to_min_ratio():
    factor = build_lr_factor(dict(type="cosine", min_ratio=0.1), 5)
    values = [factor(i) for i in range(5)]
    assert values[0] == pytest.approx(1.0) and values[-1] == pytest.approx(0.1)
    assert values[2] == pytest.approx(0.55)  # half way: the mean of the two ends
    assert all(a > b for a, b in zip(values, values[1:]))


@pytest.mark.parametrize("cfg, message", [
    (dict(type="step"), "unknown type 'step'"),
    (dict(type="cosine", min_ratio=2.0), r"min_ratio must be in \[0, 1\]"),
    (dict(type="cosine", warmup=3), r"unknown keys \['warmup'\]"),
])
def test_bad_schedules_are_refused(cfg, message):
    with pytest.raises(ValueError, match=message):
        build_lr_factor(cfg, 10)


def test_a_run_logs_the_cosine_rates_and_a_resumed_run_continues_them(stage1_cfg, tmp_path):
    stage1_cfg.train_cfg.lr_schedule = dict(type="cosine", min_ratio=0.0)
    stage1_cfg.train_cfg.max_iters = 5
    stage1_cfg.train_cfg.time_budget = None
    work = tmp_path / "run"
    trainer = Trainer(stage1_cfg, work, progress=False)
    trainer.max_iters = 3  # stop early, as an interruption would, then resume to the configured end
    trainer.run()
    Trainer(stage1_cfg, work, resume=True, progress=False).run()
    rates = [r["lr"]["autoencoder"] for r in read_log(work, "train")]
    expected = [1e-3 * 0.5 * (1 + math.cos(math.pi * i / 4)) for i in range(5)]
    assert rates == pytest.approx(expected)
