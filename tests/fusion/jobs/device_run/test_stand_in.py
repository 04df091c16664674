"""Stand-in data for a dry run (fusion.jobs.device_run.stand_in)."""
from __future__ import annotations

import json

import cv2

from fusion.jobs.device_run.phase_data import named_pairs, whole_sets
from fusion.jobs.device_run.stand_in import tiny_fusion_data


def test_tiny_fusion_data_has_every_pair_the_configs_read(tmp_path):
    manifest = tiny_fusion_data(tmp_path, size=16, pairs_per_set=1)
    sets = whole_sets()
    assert manifest["pairs"] == len(named_pairs()) + len(sets)
    assert json.loads((tmp_path / "device_data.json").read_text()) == manifest
    for name in sorted(named_pairs())[:3] + [f"{s}/00000" for s in sets]:
        set_name, stem = name.split("/")
        image = cv2.imread(str(tmp_path / "fusion" / set_name / "ir" / f"{stem}.png"), cv2.IMREAD_UNCHANGED)
        assert image.shape == (16, 16)
    assert len(list((tmp_path / "kaist" / "images").rglob("*.jpg"))) == 2
