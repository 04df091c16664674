"""Every detection config checks its data before a run: what is missing, and the command that makes it, instead
of a FileNotFoundError from deep inside pycocotools (tried as a new user would: an empty --data-root)."""
from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

from detection.runs import config as det_config
from detection.runs.config import CONFIG_DIR, load_config, training_config
from detection.runs.data_check import MissingDataError, check_data, missing_data

REPO = Path(__file__).resolve().parents[3]


def make_derived(root: Path, splits: tuple[str, ...], folders: tuple[str, ...]) -> Path:
    (root / "annotations").mkdir(parents=True, exist_ok=True)
    for split in splits:
        (root / "annotations" / f"{split}.json").write_text(json.dumps({"images": [], "annotations": []}))
    for folder in folders:
        (root / folder).mkdir(parents=True, exist_ok=True)
    return root


@pytest.mark.parametrize("config", sorted(p.name for p in CONFIG_DIR.glob("gflv2_*.py")))
def test_every_config_names_its_missing_data_and_the_command(config, tmp_path):
    cfg = training_config(config, data_root=str(tmp_path / "empty"))
    with pytest.raises(MissingDataError) as error:
        check_data(cfg, "train")
    message = str(error.value)
    assert "missing " + str(tmp_path / "empty") in message
    on_the_fly = "onthefly" in config
    assert ("tools/kaist_to_coco.py" if on_the_fly else "tools/fuse_dataset.py") in message


def test_the_commands_make_what_each_input_reads(tmp_path):
    _, commands = missing_data(training_config("gflv2_early.py", data_root=str(tmp_path)), "train")
    assert commands == [f"python tools/fuse_dataset.py kaist --root data/kaist --out {tmp_path} --split {split} "
                        "--methods visible,lwir" for split in ("train-all-02", "test-all-20")]
    _, commands = missing_data(load_config("gflv2_msrs_fused.py", data_root=str(tmp_path)), "test")
    assert commands == [f"python tools/fuse_dataset.py msrs --root data/msrs --out {tmp_path} --split test "
                        "--methods msfam"]


def test_complete_data_passes_and_testing_needs_the_test_split_only(tmp_path):
    root = make_derived(tmp_path / "d", ("test-all-20",), ("visible", "lwir"))
    check_data(det_config.testing_config("gflv2_halfway.py", "x.pth", data_root=str(root)), "test")
    with pytest.raises(MissingDataError, match="train-all-02.json") as error:
        check_data(training_config("gflv2_halfway.py", data_root=str(root)), "train")
    assert "visible" not in str(error.value).split("make it with")[0]  # the folders are there
    make_derived(root, ("train-all-02",), ())
    check_data(training_config("gflv2_halfway.py", data_root=str(root)), "train")


def test_the_tools_stop_with_the_message(tmp_path, monkeypatch, capsys):
    for tool, argv in (("train_det", ["gflv2_fused.py", "--data-root", str(tmp_path)]),
                       ("test_det", ["gflv2_fused.py", "missing.pth", "--data-root", str(tmp_path)])):
        spec = importlib.util.spec_from_file_location(tool, REPO / "tools" / f"{tool}.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        monkeypatch.setattr(sys, "argv", [f"{tool}.py", *argv])
        with pytest.raises(SystemExit, match=r"error: the config's data is not there[\s\S]*--methods msfam"):
            module.main()
