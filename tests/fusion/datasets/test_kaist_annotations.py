"""KAIST annotation readers: xml / bbGt / tarball annotations, and the real xml against the improved txt."""
import io
import tarfile

import pytest

from fusion.datasets.kaist import find_annotations, read_image_list
from fusion.datasets.kaist_annotations import (KaistObject, iter_tar_annotations, load_annotations,
                                               parse_bbgt_annotation, parse_xml_annotation, read_annotation)

XML_OBJECT = ("<object><name>{label}</name><bndbox><x>{x}</x><y>{y}</y><w>{w}</w><h>{h}</h></bndbox>"
              "<occlusion>{occ}</occlusion></object>")


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
