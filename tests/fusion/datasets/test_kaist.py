"""KAIST index: frame lists, splits, the image/annotation index and where annotation files are found."""
import pytest

from fusion.datasets.kaist import FrameProblem, find_annotations, index_frames, read_image_list, resolve_split
from fusion.utils.kaist_sets import DAY_SETS, TEST_SETS, TRAIN_SETS, period_of


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_read_image_list_tolerates_layouts(tmp_path, newline):
    path = tmp_path / "list.txt"
    lines = ["set06/V000/I00019", "", "  set06/V000/I00039.jpg  ", "set09/V001/I01959", ""]
    path.write_bytes(("\ufeff" + newline.join(lines)).encode("utf-8"))
    assert read_image_list(path) == ["set06/V000/I00019", "set06/V000/I00039", "set09/V001/I01959"]


def test_read_image_list_names_bad_line(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_text("set06/V000/I00019\r\n\r\nset06/V000/I0039\r\n")
    with pytest.raises(ValueError, match=r"bad\.txt:3: .*'set06/V000/I0039'"):
        read_image_list(path)


def test_real_image_lists(kaist):
    test = read_image_list(kaist / "imageSets" / "test-all-20.txt")
    assert len(test) == 2252 and test[0] == "set06/V000/I00019"
    periods = [period_of(f[:5]) for f in test]
    assert periods.count("day") == 1455 and periods.count("night") == 797
    train = read_image_list(kaist / "imageSets" / "train-all-02.txt")
    assert len(train) == 25086 and len(set(train)) == 25086
    assert {f[:5] for f in train} == set(TRAIN_SETS)


def test_resolve_split(synthetic, tmp_path):
    root, frame_ids = synthetic
    name, frames = resolve_split(root, "synthetic-test")
    assert name == "synthetic-test" and frames == [f for f in frame_ids if f[:5] in TEST_SETS]
    custom = tmp_path / "my-list.txt"
    custom.write_text(f"{frame_ids[0]}\n")
    assert resolve_split(root, custom) == ("my-list", frame_ids[:1])
    with pytest.raises(FileNotFoundError, match="synthetic-all, synthetic-test, synthetic-train"):
        resolve_split(root, "test-all-20")
    (tmp_path / "empty.txt").write_text("\n\n")
    with pytest.raises(ValueError, match="no frame ids"):
        resolve_split(root, tmp_path / "empty.txt")


def test_index_frames_synthetic(synthetic):
    root, frame_ids = synthetic
    frames, problems = index_frames(root, frame_ids)
    assert problems == [] and [f.frame_id for f in frames] == frame_ids
    for frame in frames:
        assert frame.visible_path.is_file() and frame.lwir_path.is_file() and frame.annotation_path.is_file()
        assert frame.relative_path == f"{frame.set_id}/{frame.video}/{frame.image}.jpg" == f"{frame.frame_id}.jpg"
        assert frame.period == ("day" if frame.set_id in DAY_SETS else "night")
    no_lwir, no_xml, no_visible = frames[0], frames[1], frames[2]
    no_lwir.lwir_path.unlink()
    no_xml.annotation_path.unlink()
    no_visible.visible_path.unlink()
    frames, problems = index_frames(root, frame_ids)
    assert problems == [FrameProblem(no_lwir.frame_id, "missing_lwir", no_lwir.lwir_path),
                        FrameProblem(no_xml.frame_id, "missing_annotation", no_xml.annotation_path),
                        FrameProblem(no_visible.frame_id, "missing_visible", no_visible.visible_path)]
    assert [f.frame_id for f in frames] == [f for f in frame_ids if f not in (no_lwir.frame_id, no_visible.frame_id)]
    assert frames[0].frame_id == no_xml.frame_id and frames[0].annotation_path is None
    frames, problems = index_frames(root, frame_ids, annotation_dir=None)
    assert len(frames) == len(frame_ids) - 2 and all(f.annotation_path is None for f in frames)
    assert {p.kind for p in problems} == {"missing_lwir", "missing_visible"}


def test_index_frames_rejects_unknown_set(synthetic):
    root, _ = synthetic
    with pytest.raises(ValueError, match="set12"):
        index_frames(root, ["set12/V000/I00000"])


def test_find_annotations_flat_txt_folder(tmp_path):
    flat = tmp_path / "txt"
    flat.mkdir()
    (flat / "set06_V000_I00019.txt").write_text("% bbGt version=3\n")
    nested = tmp_path / "xml" / "set06" / "V000"
    nested.mkdir(parents=True)
    (nested / "I00039.xml").write_text("<annotation/>")
    frames = ["set06/V000/I00019", "set06/V000/I00039"]
    assert find_annotations(flat, frames) == {frames[0]: flat / "set06_V000_I00019.txt"}
    assert find_annotations(tmp_path / "xml", frames) == {frames[1]: nested / "I00039.xml"}


def test_index_frames_real_pairs(kaist):
    _, mini = resolve_split(kaist, "test-mini-9")
    frames, problems = index_frames(kaist, mini)
    assert problems == [] and len(frames) == 9
    assert all(f.visible_path.is_file() and f.lwir_path.is_file() and f.annotation_path.is_file() for f in frames)
    assert sorted(f.period for f in frames) == ["day"] * 4 + ["night"] * 5


def test_index_frames_real_partial_download(kaist):
    visible_only = sorted(f"set06/V000/{p.stem}" for p in (kaist / "images/set06/V000/visible").glob("*.jpg"))
    lwir_dir = kaist / "images/set06/V001"
    thermal_only = sorted(f"set06/V001/{p.stem}" for p in (lwir_dir / "lwir").glob("*.jpg")
                          if not (lwir_dir / "visible" / p.name).exists())
    assert len(visible_only) == 76 and len(thermal_only) == 133
    frames, problems = index_frames(kaist, visible_only + thermal_only)
    assert frames == []
    assert [(p.frame_id, p.kind) for p in problems] == (
        [(f, "missing_lwir") for f in visible_only] + [(f, "missing_visible") for f in thermal_only])
    assert all(not p.path.exists() for p in problems)
