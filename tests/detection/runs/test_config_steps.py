"""detection.runs.config: list items (pipeline steps, schedulers) overridden by their type instead of their index."""
from __future__ import annotations

import pytest

from detection.runs.config import index_named_steps, load_config, step_index

PIPELINE = [dict(type="LoadImageFromFile"), dict(type="LoadAnnotations"), dict(type="Resize", scale=(640, 512)),
            dict(type="PackDetInputs")]


def test_step_index_finds_the_one_step_of_a_type():
    assert step_index(PIPELINE, "Resize") == 2
    assert step_index(PIPELINE, "LoadImageFromFile") == 0


@pytest.mark.parametrize("steps, words", [(PIPELINE, "no step of type 'RandomFlip'"),
                                          (PIPELINE + [dict(type="RandomFlip")] * 2, "more than one step")])
def test_step_index_refuses_a_missing_or_repeated_type(steps, words):
    with pytest.raises(KeyError, match=words) as error:
        step_index(steps, "RandomFlip")
    assert "Resize" in str(error.value)  # the message lists the types there are


def test_named_steps_become_indices_and_other_keys_stay():
    cfg = dict(train_dataloader=dict(dataset=dict(pipeline=PIPELINE)),
               param_scheduler=[dict(type="LinearLR", end=500), dict(type="MultiStepLR")])
    options = {"train_dataloader.dataset.pipeline.Resize.scale": (320, 256), "param_scheduler.LinearLR.end": 5,
               "param_scheduler.1.gamma": 0.5, "train_dataloader.batch_size": 4, "new.key": 1}
    assert index_named_steps(cfg, options) == {
        "train_dataloader.dataset.pipeline.2.scale": (320, 256), "param_scheduler.0.end": 5,
        "param_scheduler.1.gamma": 0.5, "train_dataloader.batch_size": 4, "new.key": 1}


def test_load_config_applies_named_overrides_to_the_real_configs():
    cfg = load_config("gflv2_fused.py", cfg_options={
        "train_dataloader.dataset.pipeline.Resize.scale": (320, 256),
        "test_dataloader.dataset.pipeline.Resize.scale": (320, 256),
        "param_scheduler.LinearLR.end": 5})
    assert dict(type="Resize", scale=(320, 256), keep_ratio=True) in cfg.train_dataloader.dataset.pipeline
    assert dict(type="Resize", scale=(320, 256), keep_ratio=True) in cfg.test_dataloader.dataset.pipeline
    assert [s.type for s in cfg.train_dataloader.dataset.pipeline][0] == "LoadImageFromFile"  # nothing else moved
    assert cfg.param_scheduler[0].type == "LinearLR" and cfg.param_scheduler[0].end == 5
    assert cfg.val_dataloader.dataset.pipeline[1].scale == (640, 512)  # only what was named


def test_load_config_names_the_missing_step():
    with pytest.raises(KeyError, match="no step of type 'Mosaic'"):
        load_config("gflv2_fused.py", cfg_options={"train_dataloader.dataset.pipeline.Mosaic.prob": 0.5})
