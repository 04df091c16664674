"""Atomic writes, stale temporaries, write-if-changed."""
import os

import pytest

from fusion.utils.files import atomic_write, atomic_write_bytes, locked, remove_stale_temps, temp_path, write_if_changed


def test_atomic_write_leaves_no_temporary(tmp_path):
    target = tmp_path / "I00001.jpg"
    atomic_write_bytes(target, b"abc")
    assert target.read_bytes() == b"abc" and os.listdir(tmp_path) == ["I00001.jpg"]
    assert temp_path(target).name == f".I00001.jpg.{os.getpid()}.tmp.jpg"


def test_failed_write_removes_its_temporary(tmp_path):
    with pytest.raises(TypeError):
        atomic_write_bytes(tmp_path / "x.jpg", object())  # not bytes: fails while writing
    assert os.listdir(tmp_path) == []


def test_atomic_write_with_a_path_writer_keeps_the_suffix(tmp_path):
    seen = []
    atomic_write(tmp_path / "a.png", lambda tmp: (seen.append(tmp.suffix), tmp.write_bytes(b"png")))
    assert seen == [".png"] and os.listdir(tmp_path) == ["a.png"]
    with pytest.raises(RuntimeError):
        atomic_write(tmp_path / "b.png", lambda tmp: (tmp.write_bytes(b"half"), (_ for _ in ()).throw(RuntimeError())))
    assert os.listdir(tmp_path) == ["a.png"]


def test_remove_stale_temps_only_of_named_files(tmp_path):
    for name in (".I00001.jpg.123.tmp.jpg", ".I00002.jpg.456.tmp.jpg", "I00003.jpg", ".hidden"):
        (tmp_path / name).write_bytes(b"x")
    assert remove_stale_temps(tmp_path, {"I00001.jpg"}) == 1
    assert sorted(os.listdir(tmp_path)) == [".I00002.jpg.456.tmp.jpg", ".hidden", "I00003.jpg"]
    assert remove_stale_temps(tmp_path) == 1
    assert remove_stale_temps(tmp_path / "absent") == 0


def test_write_if_changed_keeps_identical_file(tmp_path):
    path = tmp_path / "sub" / "a.json"
    assert write_if_changed(path, b"1")
    stamp = path.stat().st_mtime_ns
    assert not write_if_changed(path, b"1") and path.stat().st_mtime_ns == stamp
    assert write_if_changed(path, b"2") and path.read_bytes() == b"2"


def test_lock_is_released_after_its_block(tmp_path):
    with locked(tmp_path / ".lock"):
        pass
    with locked(tmp_path / ".lock"):
        assert (tmp_path / ".lock").exists()
