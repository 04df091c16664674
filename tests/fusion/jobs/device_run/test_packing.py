"""The fusion data packed to travel with a device call (fusion.jobs.device_run.packing, .budget, .phase_data)."""
from __future__ import annotations

import json
import os
import tarfile

import pytest

from fusion.jobs.device_run.budget import folder_bytes, packed_bytes
from fusion.jobs.device_run.packing import DataDoesNotFit, pack_data
from fusion.jobs.device_run.phase_data import named_pairs, split_names, whole_sets


def test_selection_reads_the_splits_and_configs():
    splits = split_names()
    assert sorted(splits) == ["test", "train", "val"] and all("/" in n for names in splits.values() for n in names)
    assert len(named_pairs()) == sum(len(names) for names in splits.values())  # the splits do not overlap
    assert whole_sets() and not {n.split("/")[0] for n in named_pairs()} & set(whole_sets())


def test_budget_counts(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.bin").write_bytes(b"x" * 100)
    (tmp_path / "y.bin").write_bytes(b"y" * 10)
    assert folder_bytes([tmp_path / "a", tmp_path / "y.bin"]) == 110
    assert 1023 < packed_bytes(tmp_path / "a" / "x.bin") < 1023 + 100  # compressed, plus header and padding


@pytest.fixture()
def data(tmp_path):
    """Random bytes as every named pair and 3 pairs of each set read whole, plus files training does not read."""
    data = tmp_path / "data"
    for name in sorted(named_pairs()) + [f"{s}/{i}" for s in whole_sets() for i in range(3)]:
        set_name, stem = name.split("/")
        for band in ("ir", "vi"):
            (data / "fusion" / set_name / band).mkdir(parents=True, exist_ok=True)
            (data / "fusion" / set_name / band / f"{stem}.png").write_bytes(os.urandom(1000))
    (data / "fusion" / "msrs" / "labels").mkdir()  # not read by training: left out
    (data / "fusion" / "msrs" / "labels" / "0.txt").write_text("0 0.5 0.5 0.1 0.1\n")
    return data


def test_pack_data_fits_the_budget(data, tmp_path):
    names = named_pairs()
    per_file = packed_bytes(next((data / "fusion").rglob("*.png")))  # the packer's estimate of one image
    named = len(names) * 2 * per_file + 4096
    out = tmp_path / "data.tgz"
    manifest = pack_data(data, out, budget=named + 2 * 2 * per_file + per_file // 2)  # room for 2 more pairs
    assert manifest["named_pairs"] == len(names) and not manifest["complete"]
    assert sum(s["packed"] for s in manifest["sets"].values()) == 2
    assert out.stat().st_size == manifest["tarball_bytes"] <= manifest["budget_bytes"]
    with tarfile.open(out) as tar:
        members = tar.getnames()
        packed_manifest = json.load(tar.extractfile("device_data.json"))
    assert "device_data.json" in members and "kaist/images" in members
    assert len([m for m in members if m.startswith("fusion/")]) == 2 * (len(names) + 2)
    assert packed_manifest["files"] == manifest["files"] == 2 * (len(names) + 2)


def test_pack_data_refuses_what_does_not_fit(data, tmp_path):
    with pytest.raises(DataDoesNotFit, match="alone take"):
        pack_data(data, tmp_path / "data.tgz", budget=len(named_pairs()) * 1000)
    with pytest.raises(DataDoesNotFit, match="nothing fits"):
        pack_data(data, tmp_path / "data.tgz", budget=0)
    with pytest.raises(FileNotFoundError, match="no fusion data"):
        pack_data(tmp_path / "nowhere", tmp_path / "data.tgz", budget=10**9)
