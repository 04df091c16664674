"""KAIST reader: frame lists, the image/annotation index, xml / bbGt / tarball annotations."""
import io
import tarfile

import pytest

from fusion.datasets.kaist import (DAY_SETS, NIGHT_SETS, TEST_SETS, TRAIN_SETS, FrameProblem, KaistObject,
                                   find_annotations, index_frames, iter_tar_annotations, load_annotations,
                                   parse_bbgt_annotation, parse_xml_annotation, period_of, read_annotation,
                                   read_image_list, resolve_split)
from fusion.datasets.synthetic_kaist import make_synthetic_kaist

XML_OBJECT = ("<object><name>{label}</name><bndbox><x>{x}</x><y>{y}</y><w>{w}</w><h>{h}</h></bndbox>"
              "<occlusion>{occ}</occlusion></object>")


@pytest.fixture
def synthetic(tmp_path):
    """A small synthetic KAIST (4 sets x 2 frames, 96x80) and its frame ids."""
    root = tmp_path / "kaist"
    return root, make_synthetic_kaist(root, pairs_per_set=2, width=96, height=80)


@pytest.fixture
def kaist(shared_data):
    root = shared_data / "kaist"
    if not (root / "imageSets").is_dir():
        pytest.skip(f"KAIST not found at {root}")
    return root


def test_sets_and_periods():
    assert set(DAY_SETS) | set(NIGHT_SETS) == set(TRAIN_SETS) | set(TEST_SETS) == {f"set{i:02d}" for i in range(12)}
    assert not set(DAY_SETS) & set(NIGHT_SETS) and not set(TRAIN_SETS) & set(TEST_SETS)
    assert [period_of(s) for s in ("set00", "set02", "set03", "set06", "set08", "set09", "set11")] == [
        "day", "day", "night", "day", "day", "night", "night"]
    with pytest.raises(ValueError, match="set12"):
        period_of("set12")


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


def test_real_xml_equals_improved_txt(kaist):
    xml_files = find_annotations(kaist / "annotations-xml-new", read_image_list(kaist / "imageSets/test-all-20.txt"))
    assert len(xml_files) >= 9
    for frame_id, xml_path in xml_files.items():
        txt_path = kaist / "annotations-txt-improved-test" / f"{frame_id.replace('/', '_')}.txt"
        assert read_annotation(xml_path) == read_annotation(txt_path), frame_id
    objects = read_annotation(kaist / "annotations-xml-new/set08/V000/I02159.xml")
    assert objects == [KaistObject("person", (64.0, 241.0, 71.0, 189.0), 0),
                       KaistObject("person", (120.0, 233.0, 67.0, 184.0), 0)]


def test_parse_xml_annotation():
    objects = parse_xml_annotation(
        "<annotation><size><width>640</width></size>"
        + XML_OBJECT.format(label="person?", x=1.5, y=2, w=3, h=4, occ=2)
        + "<object><name> people </name><bndbox><x>0</x><y>0</y><w>9</w><h>9</h></bndbox></object></annotation>")
    assert objects == [KaistObject("person?", (1.5, 2.0, 3.0, 4.0), 2), KaistObject("people", (0.0, 0.0, 9.0, 9.0), 0)]
    assert parse_xml_annotation("<annotation><filename>x</filename></annotation>") == []


@pytest.mark.parametrize("text, message", [
    ("<annotation><object>", "malformed xml"),
    ("<doc/>", "expected <annotation>"),
    ("<annotation><object><name>person</name></object></annotation>", "object 1 lacks"),
    ("<annotation>" + XML_OBJECT.format(label="person", x="a", y=0, w=1, h=1, occ=0) + "</annotation>", "<x>"),
    ("<annotation>" + XML_OBJECT.format(label="person", x="nan", y=0, w=1, h=1, occ=0) + "</annotation>", "finite"),
    ("<annotation>" + XML_OBJECT.format(label="person", x=0, y=0, w=1, h=1, occ=3) + "</annotation>", "occlusion"),
])
def test_parse_xml_annotation_errors(text, message):
    with pytest.raises(ValueError, match=f"frame.xml.*{message}"):
        parse_xml_annotation(text, "frame.xml")


def test_parse_bbgt_annotation():
    text = "% bbGt version=3\r\nperson 64 241 71 189 1 0 0 0 0 0 0\r\n\r\ncyclist 1 2 3 4 0 0 0 0 0 0 0\r\n"
    assert parse_bbgt_annotation(text) == [KaistObject("person", (64.0, 241.0, 71.0, 189.0), 1),
                                           KaistObject("cyclist", (1.0, 2.0, 3.0, 4.0), 0)]
    assert parse_bbgt_annotation("% bbGt version=3\n") == []


@pytest.mark.parametrize("text, message", [
    ("", "first line"),
    ("% bbGt version=2\nperson 1 2 3 4 0 0 0 0 0 0\n", "first line"),
    ("% bbGt version=3\nperson 1 2 3 4 0\n", r"f\.txt:2: expected 12 fields"),
    ("% bbGt version=3\nperson 1 2 x 4 0 0 0 0 0 0 0\n", r"f\.txt:2: w is not a number"),
    ("% bbGt version=3\nperson 1 2 3 4 5 0 0 0 0 0 0\n", "occlusion"),
])
def test_parse_bbgt_annotation_errors(text, message):
    with pytest.raises(ValueError, match=message):
        parse_bbgt_annotation(text, "f.txt")


def test_read_annotation_names_file(tmp_path):
    path = tmp_path / "I00000.xml"
    path.write_text("<annotation>")
    with pytest.raises(ValueError, match="I00000.xml"):
        read_annotation(path)
    with pytest.raises(ValueError, match="expected .xml or .txt"):
        read_annotation(tmp_path / "I00000.json")


def _tar_of(folder, out, extra: dict[str, bytes]):
    """A gzip tarball of ``folder`` (members under its name) plus extra members."""
    with tarfile.open(out, "w:gz") as archive:
        archive.add(folder, arcname=folder.name)
        for name, data in extra.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return out


def test_tar_annotations_match_folder(synthetic, tmp_path):
    root, frame_ids = synthetic
    tar = _tar_of(root / "annotations-xml-new", tmp_path / "ann.tar.gz",
                  {"annotations-xml-new/set00/V000/shortcut - copy.lnk": b"L\x00\x00\x00\x01\x14",
                   "extra/set06_V000_I00999.txt": b"% bbGt version=3\nperson 1 2 3 4 0 0 0 0 0 0 0\n"})
    from_tar = dict(iter_tar_annotations(tar))
    assert sorted(from_tar) == sorted([*frame_ids, "set06/V000/I00999"])
    assert from_tar["set06/V000/I00999"] == [KaistObject("person", (1.0, 2.0, 3.0, 4.0), 0)]
    from_folder = load_annotations(root / "annotations-xml-new", frame_ids)
    assert load_annotations(tar, frame_ids) == from_folder == {f: from_tar[f] for f in frame_ids}
    assert all(from_folder[f] for f in frame_ids)  # every synthetic frame holds at least one person
    assert list(dict(iter_tar_annotations(tar, frame_ids[:2]))) == frame_ids[:2]


def test_tar_annotation_errors(synthetic, tmp_path):
    root, frame_ids = synthetic
    (root / "annotations-xml-new" / f"{frame_ids[0]}.xml").write_text("<annotation><object>")
    tar = _tar_of(root / "annotations-xml-new", tmp_path / "ann.tar", {})
    with pytest.raises(ValueError, match=r"ann\.tar:annotations-xml-new/set00/V000/I00000\.xml: malformed"):
        load_annotations(tar, frame_ids)
    twice = _tar_of(root / "annotations-xml-new" / "set03", tmp_path / "twice.tar",
                    {"flat/set03_V000_I00000.txt": b"% bbGt version=3\n"})
    with pytest.raises(ValueError, match="two annotations of frame set03/V000/I00000"):
        load_annotations(twice, frame_ids)
    with pytest.raises(FileNotFoundError, match="expected a folder or a tarball"):
        load_annotations(tmp_path / "nothing.tar.gz", frame_ids)
