"""tools/make_fusion_split.py: the two lists, their header, determinism and the dropped duplicates."""
from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest

from fusion.datasets.paired import read_file_list

TOOL = Path(__file__).resolve().parents[2] / "tools" / "make_fusion_split.py"


@pytest.fixture(scope="module")
def tool():
    spec = importlib.util.spec_from_file_location("make_fusion_split", TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_writes_deterministic_disjoint_lists(tool, tmp_path, capsys):
    rng = np.random.default_rng(0)
    for band in ("ir", "vi"):
        for set_name in ("x", "y"):
            (tmp_path / "d" / set_name / band).mkdir(parents=True)
        for i in range(20):
            cv2.imwrite(str(tmp_path / "d" / "x" / band / f"{i}.png"), rng.integers(0, 256, (24, 24), dtype=np.uint8))
        shutil.copy(tmp_path / "d" / "x" / band / "7.png", tmp_path / "d" / "y" / band / "a.png")
        cv2.imwrite(str(tmp_path / "d" / "y" / band / "b.png"), rng.integers(0, 256, (24, 24), dtype=np.uint8))
    args = ["--data-root", str(tmp_path / "d"), "--sets", "x,y", "--ratio", "0.9", "--seed", "0", "--val-ratio", "0"]
    tool.main([*args, "--out", str(tmp_path / "one")])
    printed = capsys.readouterr().out
    assert "exact duplicates dropped: 1" in printed and "y/a == x/7" in printed
    tool.main([*args, "--out", str(tmp_path / "two")])
    for name in ("train.txt", "test.txt"):
        assert (tmp_path / "one" / name).read_text() == (tmp_path / "two" / name).read_text()
    train, test = read_file_list(tmp_path / "one" / "train.txt"), read_file_list(tmp_path / "one" / "test.txt")
    assert len(train) + len(test) == 21 and not set(train) & set(test) and "y/a" not in train + test
    assert sum(n.startswith("x/") for n in test) == 2
    assert (tmp_path / "one" / "test.txt").read_text().startswith("# tools/make_fusion_split.py --sets x,y")


def test_missing_set_is_an_error(tool, tmp_path):
    with pytest.raises(SystemExit, match="not found"):
        tool.main(["--data-root", str(tmp_path), "--sets", "nope", "--out", str(tmp_path / "o")])


def test_val_is_carved_from_the_training_side(tool, tmp_path, capsys):
    rng = np.random.default_rng(1)
    for band in ("ir", "vi"):
        (tmp_path / "d" / "x" / band).mkdir(parents=True)
        for i in range(40):
            cv2.imwrite(str(tmp_path / "d" / "x" / band / f"{i}.png"), rng.integers(0, 256, (24, 24), dtype=np.uint8))
    args = ["--data-root", str(tmp_path / "d"), "--sets", "x", "--ratio", "0.9", "--seed", "0"]
    tool.main([*args, "--val-ratio", "0", "--out", str(tmp_path / "no_val")])
    tool.main([*args, "--val-ratio", "0.25", "--out", str(tmp_path / "val")])
    assert "val 9 (x 9)" in capsys.readouterr().out
    assert not (tmp_path / "no_val" / "val.txt").exists()
    lists = {name: read_file_list(tmp_path / "val" / f"{name}.txt") for name in ("train", "val", "test")}
    assert read_file_list(tmp_path / "no_val" / "test.txt") == lists["test"]  # the test side does not move
    assert sorted(lists["train"] + lists["val"]) == sorted(read_file_list(tmp_path / "no_val" / "train.txt"))
    assert len(lists["val"]) == 9 and not set(lists["val"]) & set(lists["train"])
    with pytest.raises(SystemExit, match="val-ratio"):
        tool.main([*args, "--val-ratio", "1", "--out", str(tmp_path / "bad")])
