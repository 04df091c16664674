"""LLVIP and MSRS adapters: layouts, label formats, person boxes to COCO, bad frames; real files when present."""
import json
import shutil

import pytest

from fusion.jobs.fuse_dataset import BadFrameError, LlvipAdapter, MsrsAdapter, RunOptions, fuse_dataset, select_split

QUIET = {"workers": 0, "progress": False}


def _quiet(_: str) -> None:
    pass


def test_llvip_native_layout_keeps_persons_only(tiny_llvip):
    selection = select_split(LlvipAdapter(tiny_llvip), "test", log=_quiet)
    assert selection.name == "test" and selection.frame_ids[0] == "test/190001" and not selection.bad
    coco = selection.coco
    assert [im["file_name"] for im in coco["images"]] == [f"test/19000{i}.jpg" for i in range(1, 7)]
    assert len(coco["annotations"]) == 12 and {a["category_id"] for a in coco["annotations"]} == {1}
    assert coco["annotations"][0]["bbox"] == [10.0, 10.0, 20.0, 50.0]
    assert [a["id"] for a in coco["annotations"]] == list(range(1, 13))


def test_llvip_flat_layout_and_coco_json(tiny_llvip, tmp_path):
    flat = tmp_path / "flat"
    shutil.copytree(tiny_llvip / "visible" / "test", flat / "vi")
    shutil.copytree(tiny_llvip / "infrared" / "test", flat / "ir")
    gt = {"images": [{"id": 7, "file_name": "/somewhere/lwir/test/190002.jpg"}],
          "annotations": [{"image_id": 7, "category_id": 0, "bbox": [1, 2, 30, 40]}],
          "categories": [{"id": 0, "name": "person"}]}
    (tmp_path / "gt.json").write_text(json.dumps(gt))
    selection = select_split(LlvipAdapter(flat, annotations=tmp_path / "gt.json"), "test", log=_quiet)
    assert [im["frame_id"] for im in selection.coco["images"]] == ["test/190002"]
    assert selection.coco["annotations"][0]["bbox"] == [1.0, 2.0, 30.0, 40.0]
    assert [b.kind for b in selection.bad] == ["missing_annotation"] * 5
    assert selection.bad[0].path == f"{tmp_path / 'gt.json'}:190001"


def test_llvip_without_annotations_is_refused(tiny_llvip):
    shutil.rmtree(tiny_llvip / "Annotations")
    with pytest.raises(FileNotFoundError, match="pass --annotations"):
        LlvipAdapter(tiny_llvip)


def test_msrs_label_variants_and_classes(tiny_msrs):
    (tiny_msrs / "test" / "labels" / "visible" / "00001N.txt").write_text("0 0.5 0.5 0.5 0.5\n")
    infrared = select_split(MsrsAdapter(tiny_msrs), "test", log=_quiet).coco
    visible = select_split(MsrsAdapter(tiny_msrs, labels="visible"), "test", log=_quiet).coco
    assert len(infrared["annotations"]) == 12 and len(visible["annotations"]) == 11
    assert infrared["annotations"][0]["bbox"] == pytest.approx([14.4, 20.0, 19.2, 40.0])
    assert infrared["info"]["annotations"] == "labels/infrared"
    assert infrared["images"][0]["file_name"] == "test/00001N.jpg"
    with pytest.raises(ValueError, match="infrared, visible, fusion"):
        MsrsAdapter(tiny_msrs, labels="thermal")


def test_msrs_bad_frames_are_reported(tiny_msrs):
    test = tiny_msrs / "test"
    (test / "ir" / "00002N.png").unlink()
    (test / "vi" / "00003N.png").write_bytes((test / "vi" / "00003N.png").read_bytes()[:-20])
    (test / "labels" / "infrared" / "00004N.txt").unlink()
    selection = select_split(MsrsAdapter(tiny_msrs), "test", log=_quiet)
    assert [(b.frame_id, b.kind, b.path) for b in selection.bad] == [
        ("test/00002N", "missing_lwir", "test/ir/00002N.png"), ("test/00003N", "truncated", "test/vi/00003N.png"),
        ("test/00004N", "missing_annotation", "test/labels/infrared/00004N.txt")]
    assert len(selection.usable) == 4 and len(selection.coco["images"]) == 3
    with pytest.raises(BadFrameError, match="00002N"):
        select_split(MsrsAdapter(tiny_msrs), "test", strict=True, log=_quiet)


def test_msrs_malformed_label_names_the_file(tiny_msrs):
    (tiny_msrs / "test" / "labels" / "infrared" / "00001N.txt").write_text("person 0.5 0.5\n")
    with pytest.raises(ValueError, match=r"00001N.txt:1: expected 'class cx cy w h'"):
        select_split(MsrsAdapter(tiny_msrs), "test", log=_quiet)


def test_missing_layout_names_what_was_looked_for(tmp_path):
    with pytest.raises(FileNotFoundError, match="no MSRS image folders"):
        select_split(MsrsAdapter(tmp_path), "test", log=_quiet)


# Real pairs with person boxes in ../shared/data/fusion (see its MANIFEST): counts read off the label files.
REAL = {  # (set, adapter, options, split): (pairs, annotated frames, person boxes)
    "llvip test, COCO json": (15, 15, 44),
    "llvip train, VOC xml": (32, 9, 45),
    "msrs, infrared labels": (25, 25, 111),
    "msrs, visible labels": (25, 25, 38),
    "msrs, fusion labels": (25, 25, 71),
}


def _real_adapter(case: str, data):
    fusion = data / "fusion"
    llvip_json = fusion / "llvip" / "lwir_test_annotations.json"
    return {"llvip test, COCO json": lambda: (LlvipAdapter(fusion / "llvip", llvip_json), "test"),
            "llvip train, VOC xml": lambda: (LlvipAdapter(fusion / "llvip_train"), "train"),
            "msrs, infrared labels": lambda: (MsrsAdapter(fusion / "msrs"), "test"),
            "msrs, visible labels": lambda: (MsrsAdapter(fusion / "msrs", labels="visible"), "test"),
            "msrs, fusion labels": lambda: (MsrsAdapter(fusion / "msrs", labels="fusion"), "test")}[case]()


@pytest.mark.parametrize("case", list(REAL))
def test_real_pairs_counts(case, shared_data):
    adapter, split = _real_adapter(case, shared_data)
    pairs, annotated, boxes = REAL[case]
    selection = select_split(adapter, split, log=_quiet)
    assert len(selection.usable) == pairs
    assert len(selection.coco["images"]) == annotated and len(selection.coco["annotations"]) == boxes
    assert [b.kind for b in selection.bad] == ["missing_annotation"] * (pairs - annotated)


def test_real_msrs_fused_end_to_end(shared_data, tmp_path):
    adapter = MsrsAdapter(shared_data / "fusion" / "msrs")
    fuse_dataset(adapter, tmp_path / "out", ["average", "lwir"], options=RunOptions(**QUIET), log=_quiet)
    for method in ("average", "lwir"):
        assert len(list((tmp_path / "out" / method / "test").glob("*.jpg"))) == 25
    coco = json.loads((tmp_path / "out" / "annotations" / "test.json").read_text())
    assert (coco["images"][0]["width"], coco["images"][0]["height"]) == (640, 480) and len(coco["annotations"]) == 111
