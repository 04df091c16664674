"""fuse_dataset with the KAIST adapter on a tiny synthetic KAIST: layout, records, resume, bad inputs, shards,
refusals."""
import contextlib
import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from fusion.apis import load_fuser
from fusion.datasets.synthetic_kaist import make_synthetic_kaist
from fusion.jobs.fuse_dataset import (BadFrameError, KaistAdapter, PixelOptions, RunOptions, SettingsMismatch, Shard,
                                      fuse_dataset)
from fusion.jobs.fuse_dataset.pixels import encode_jpeg

SPLIT = "synthetic-all"
QUIET = dict(progress=False)


@pytest.fixture
def kaist(tmp_path):
    root = tmp_path / "kaist"
    make_synthetic_kaist(root, pairs_per_set=3, width=96, height=80)
    return root


def frame_ids(root):
    return (root / "imageSets" / f"{SPLIT}.txt").read_text().split()


def images(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*.jpg"))}


def mtimes(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns for p in folder.rglob("*.jpg")}


def run(root, out, methods=("average",), pixels=PixelOptions(), **options):
    return fuse_dataset(KaistAdapter(root), out, list(methods), split=SPLIT, pixels=pixels,
                        options=RunOptions(**{"workers": 0, "batch_size": 4, **QUIET, **options}), log=lambda _: None)


def test_layout_annotations_and_meta(kaist, tmp_path):
    out = tmp_path / "out"
    runs = run(kaist, out, ("average", "visible", "lwir"))
    ids = frame_ids(kaist)
    for method in ("average", "visible", "lwir"):
        assert sorted(images(out / method)) == sorted(f"{f}.jpg" for f in ids)
    for f in ids:  # passthroughs are the source files, unchanged
        set_id, video, image = f.split("/")
        for band in ("visible", "lwir"):
            assert (out / band / f"{f}.jpg").read_bytes() == \
                (kaist / "images" / set_id / video / band / f"{image}.jpg").read_bytes()
    coco = json.loads((out / "annotations" / f"{SPLIT}.json").read_text())
    assert [im["file_name"] for im in coco["images"]] == [f"{f}.jpg" for f in ids]
    assert [im["id"] for im in coco["images"]] == list(range(len(ids)))
    assert all((im["width"], im["height"]) == (96, 80) for im in coco["images"]) and coco["annotations"]
    report = json.loads((out / "annotations" / f"{SPLIT}.bad_frames.json").read_text())
    assert report["usable_frames"] == len(ids) and report["problems"] == [] and report["counts"] == {}

    meta = json.loads((out / "average" / "meta.json").read_text())
    assert meta["method"] == "average" and meta["checkpoint"] is None
    assert meta["settings"] == {"method": "average", "model": {"type": "average"}, "checkpoint_sha256": None,
                                "colour": True, "output": "minmax", "dtype": "float32", "encoding": "jpeg",
                                "jpeg_quality": 95}
    assert meta["code"]["fusion_version"]
    split = meta["splits"][SPLIT]
    assert split["status"] == "complete" and split["fused_frames"] == split["usable_frames"] == len(ids)
    (record,) = meta["runs"]
    assert record == runs[0]
    assert record["status"] == "finished" and record["shard"] == "0/1"
    assert (record["fused"], record["skipped_existing"], record["failed"], record["frames"]) == (len(ids), 0, 0, 12)
    assert record["pairs_per_s"] > 0 and record["seconds"] > 0
    visible = json.loads((out / "visible" / "meta.json").read_text())["settings"]
    assert visible["encoding"] == "copy of JPEG sources, other formats as jpeg"


def test_colour_output_is_the_inference_api_result(kaist, tmp_path):
    run(kaist, tmp_path / "out", ("laplacian",), batch_size=1)
    fuser = load_fuser("laplacian")
    for f in frame_ids(kaist)[:3]:
        set_id, video, image = f.split("/")
        vis = cv2.imread(str(kaist / "images" / set_id / video / "visible" / f"{image}.jpg"), cv2.IMREAD_COLOR)
        ir = cv2.imread(str(kaist / "images" / set_id / video / "lwir" / f"{image}.jpg"), cv2.IMREAD_GRAYSCALE)
        assert (tmp_path / "out" / "laplacian" / f"{f}.jpg").read_bytes() == encode_jpeg(fuser.fuse(vis, ir), 95)


def test_grey_and_clip_options(kaist, tmp_path):
    run(kaist, tmp_path / "out", ("average", "visible"), pixels=PixelOptions(colour=False, output="clip",
                                                                             jpeg_quality=80))
    for method in ("average", "visible"):
        image = cv2.imread(str(next((tmp_path / "out" / method).rglob("*.jpg"))), cv2.IMREAD_UNCHANGED)
        assert image.ndim == 2 and image.shape == (80, 96)
    settings = json.loads((tmp_path / "out" / "average" / "meta.json").read_text())["settings"]
    assert (settings["colour"], settings["output"], settings["jpeg_quality"]) == (False, "clip", 80)


def test_workers_do_not_change_the_bytes_and_batch_size_only_rounding(kaist, tmp_path):
    run(kaist, tmp_path / "a", ("laplacian", "visible"), workers=0, batch_size=5)
    run(kaist, tmp_path / "b", ("laplacian", "visible"), workers=2, batch_size=5)
    run(kaist, tmp_path / "c", ("laplacian",), workers=0, batch_size=1)
    for method in ("laplacian", "visible"):
        assert images(tmp_path / "a" / method) == images(tmp_path / "b" / method)
    assert len(images(tmp_path / "b" / "laplacian")) == 12
    for name in images(tmp_path / "c" / "laplacian"):
        decoded = [cv2.imread(str(tmp_path / run_dir / "laplacian" / name)).astype(int) for run_dir in "ac"]
        assert np.abs(decoded[0] - decoded[1]).max() <= 2


def test_rerun_skips_everything_and_resume_finishes(kaist, tmp_path):
    out = tmp_path / "out"
    run(kaist, out, ("laplacian",))
    reference, stamps = images(out / "laplacian"), mtimes(out / "laplacian")
    coco_stamp = (out / "annotations" / f"{SPLIT}.json").stat().st_mtime_ns
    (record,) = run(kaist, out, ("laplacian",))
    assert (record["fused"], record["skipped_existing"]) == (0, 12)
    assert mtimes(out / "laplacian") == stamps
    assert (out / "annotations" / f"{SPLIT}.json").stat().st_mtime_ns == coco_stamp

    removed = sorted(reference)[::5]  # single frames out of batches: the rest of each batch stays
    for name in removed:
        (out / "laplacian" / name).unlink()
    stale = out / "laplacian" / "set03" / "V000" / ".I00020.jpg.999999.tmp"
    stale.write_bytes(b"half a jpeg")
    (record,) = run(kaist, out, ("laplacian",))
    assert (record["fused"], record["skipped_existing"]) == (len(removed), 12 - len(removed))
    assert not stale.exists() and images(out / "laplacian") == reference
    assert {k: v for k, v in mtimes(out / "laplacian").items() if k not in removed} == \
        {k: v for k, v in stamps.items() if k not in removed}
    assert len(json.loads((out / "laplacian" / "meta.json").read_text())["runs"]) == 3


def _break_inputs(root):
    """One frame per problem kind; returns the frame ids by kind."""
    images_dir = root / "images"
    (images_dir / "set00/V000/lwir/I00020.jpg").unlink()
    truncated = images_dir / "set03/V000/visible/I00000.jpg"
    truncated.write_bytes(truncated.read_bytes()[:600])
    small = images_dir / "set06/V000/lwir/I00040.jpg"
    cv2.imwrite(str(small), cv2.resize(cv2.imread(str(small)), (48, 40)))
    (images_dir / "set09/V000/lwir/I00040.jpg").write_bytes(b"this is not a jpeg")
    (root / "annotations-xml-new/set09/V000/I00020.xml").unlink()
    return {"missing_lwir": "set00/V000/I00020", "truncated": "set03/V000/I00000",
            "size_mismatch": "set06/V000/I00040", "unreadable": "set09/V000/I00040",
            "missing_annotation": "set09/V000/I00020"}


def test_bad_inputs_are_reported_and_the_run_goes_on(kaist, tmp_path):
    broken = _break_inputs(kaist)
    out = tmp_path / "out"
    (record,) = run(kaist, out, workers=2)
    excluded = {f for kind, f in broken.items() if kind != "missing_annotation"}
    fused = {name[:-4] for name in images(out / "average")}
    assert fused == set(frame_ids(kaist)) - excluded  # the frame without annotation is still fused
    assert (record["fused"], record["failed"], record["frames"]) == (8, 0, 8)
    report = json.loads((out / "annotations" / f"{SPLIT}.bad_frames.json").read_text())
    assert report["counts"] == {kind: 1 for kind in broken}
    assert report["excluded_frames"] == 4 and report["usable_frames"] == 8
    by_kind = {p["kind"]: p for p in report["problems"]}
    assert {kind: p["frame"] for kind, p in by_kind.items()} == broken
    assert by_kind["missing_lwir"]["path"] == "images/set00/V000/lwir/I00020.jpg"
    assert by_kind["truncated"]["path"] == "images/set03/V000/visible/I00000.jpg"
    assert "48x40" in by_kind["size_mismatch"]["detail"]
    coco = json.loads((out / "annotations" / f"{SPLIT}.json").read_text())
    assert {im["frame_id"] for im in coco["images"]} == fused - {broken["missing_annotation"]}
    assert {a["image_id"] for a in coco["annotations"]} <= {im["id"] for im in coco["images"]}
    split = json.loads((out / "average" / "meta.json").read_text())["splits"][SPLIT]
    assert split["status"] == "complete" and (split["usable_frames"], split["excluded_frames"]) == (8, 4)


def test_strict_stops_at_the_first_bad_frame_before_fusing(kaist, tmp_path):
    _break_inputs(kaist)
    with pytest.raises(BadFrameError, match="images/set00/V000/lwir/I00020.jpg") as info:
        run(kaist, tmp_path / "out", strict=True)
    assert info.value.problem.kind == "missing_lwir"
    assert not (tmp_path / "out").exists()


def test_frame_that_fails_to_decode_after_the_checks(kaist, tmp_path):
    # a JPEG with a valid frame header and end marker but no image data: passes the checks, fails to decode
    header = b"\xff\xd8\xff\xc0\x00\x11\x08\x00\x50\x00\x60\x03\x01\x22\x00\x02\x11\x01\x03\x11\x01\xff\xd9"
    (kaist / "images/set06/V000/visible/I00020.jpg").write_bytes(header)
    (record,) = run(kaist, tmp_path / "out", ("average",))
    assert (record["fused"], record["failed"]) == (11, 1)
    assert record["failed_frames"][0]["frame"] == "set06/V000/I00020"
    split = json.loads((tmp_path / "out" / "average" / "meta.json").read_text())["splits"][SPLIT]
    assert split["status"] == "incomplete"
    with pytest.raises(BadFrameError, match="I00020.jpg"):
        run(kaist, tmp_path / "strict", ("average",), strict=True)


def test_two_shards_into_one_folder_equal_one_run(kaist, tmp_path):
    run(kaist, tmp_path / "single", ("laplacian", "visible"), batch_size=2)
    (first,) = run(kaist, tmp_path / "sharded", ("laplacian",), shard=Shard(0, 2), batch_size=2)
    assert first["fused"] == first["frames"] == 6
    meta = json.loads((tmp_path / "sharded" / "laplacian" / "meta.json").read_text())
    assert meta["splits"][SPLIT]["status"] == "incomplete"
    (second,) = run(kaist, tmp_path / "sharded", ("laplacian",), shard=Shard(1, 2), batch_size=2)
    assert second["fused"] == 6
    run(kaist, tmp_path / "sharded", ("visible",), shard=Shard(1, 2), workers=2, batch_size=2)
    run(kaist, tmp_path / "sharded", ("visible",), shard=Shard(0, 2), batch_size=2)
    for method in ("laplacian", "visible"):
        assert images(tmp_path / "sharded" / method) == images(tmp_path / "single" / method)
        meta = json.loads((tmp_path / "sharded" / method / "meta.json").read_text())
        assert meta["splits"][SPLIT]["status"] == "complete"
        assert sorted(r["shard"] for r in meta["runs"]) == ["0/2", "1/2"]
    assert (tmp_path / "sharded" / "annotations" / f"{SPLIT}.json").read_bytes() == \
        (tmp_path / "single" / "annotations" / f"{SPLIT}.json").read_bytes()


def test_other_settings_into_a_folder_are_refused(kaist, tmp_path):
    out = tmp_path / "out"
    run(kaist, out, ("average",), limit=2)
    meta_before = (out / "average" / "meta.json").read_bytes()
    for pixels in (PixelOptions(colour=False), PixelOptions(output="clip"), PixelOptions(jpeg_quality=90),
                   PixelOptions(dtype="bfloat16")):
        with pytest.raises(SettingsMismatch, match="other settings") as info:
            run(kaist, out, ("visible", "average"), pixels=pixels)
        assert str(out / "average") in str(info.value)
    assert (out / "average" / "meta.json").read_bytes() == meta_before
    assert not (out / "visible").exists()  # nothing started: every folder is checked first
    (out / "laplacian").mkdir()
    (out / "laplacian" / "meta.json").write_text((out / "average" / "meta.json").read_text())
    with pytest.raises(SettingsMismatch, match="method: folder 'average', this run 'laplacian'"):
        run(kaist, out, ("laplacian",))
    run(kaist, out, ("average",))  # the same settings resume
    assert len(images(out / "average")) == 12


def test_limit_and_argument_errors(kaist, tmp_path):
    (record,) = run(kaist, tmp_path / "out", limit=5)
    assert record["fused"] == 5 and len(images(tmp_path / "out" / "average")) == 5
    coco = json.loads((tmp_path / "out" / "annotations" / f"{SPLIT}.json").read_text())
    assert [im["frame_id"] for im in coco["images"]] == frame_ids(kaist)[:5]
    with pytest.raises(KeyError, match="available: .*visible"):
        run(kaist, tmp_path / "x", ("nosuch",))
    with pytest.raises(ValueError, match="takes no checkpoint"):
        fuse_dataset(KaistAdapter(kaist), tmp_path / "x", ["visible"], split=SPLIT, checkpoints={"visible": "w.pth"})
    with pytest.raises(ValueError, match="not among the method folders"):
        fuse_dataset(KaistAdapter(kaist), tmp_path / "x", ["average"], split=SPLIT, checkpoints={"msfam": "w.pth"})
    with pytest.raises(FileNotFoundError, match="no list"):
        fuse_dataset(KaistAdapter(kaist), tmp_path / "x", ["average"], split="nosuch-list")


def test_no_usable_frame_is_an_error(kaist, tmp_path):
    for path in (kaist / "images").rglob("lwir/*.jpg"):
        path.unlink()
    with pytest.raises(ValueError, match="none of the 12 frames .*missing_lwir 12"):
        run(kaist, tmp_path / "out")


def test_network_records_its_checkpoint(kaist, tmp_path):
    from fusion.apis import file_sha256, save_fusion_checkpoint
    from fusion.registry import FUSION_MODELS
    weights = tmp_path / "nestfuse.pth"
    save_fusion_checkpoint(weights, FUSION_MODELS.build(dict(type="nestfuse")), {"type": "nestfuse"})
    fuse_dataset(KaistAdapter(kaist), tmp_path / "out", ["nestfuse"], split=SPLIT, checkpoints={"nestfuse": weights},
               options=RunOptions(workers=0, limit=1, **QUIET), log=lambda _: None)
    meta = json.loads((tmp_path / "out" / "nestfuse" / "meta.json").read_text())
    assert meta["checkpoint"] == {"path": str(weights), "sha256": file_sha256(weights)}
    assert meta["settings"]["checkpoint_sha256"] == file_sha256(weights)
    assert meta["settings"]["model"] == {"type": "nestfuse"}
    assert np.asarray(cv2.imread(str(next((tmp_path / "out" / "nestfuse").rglob("*.jpg"))))).shape == (80, 96, 3)


def test_code_version_is_recorded():
    import fusion
    from fusion.jobs.fuse_dataset.record import code_version
    version = code_version()
    assert version["fusion_version"] == fusion.__version__
    assert version["git_commit"] is None or len(version["git_commit"]) == 40


def test_the_last_shard_to_finish_marks_the_split_complete(kaist, tmp_path, monkeypatch):
    """Shard 0 finishes first, then waits for the record's lock while shard 1 finishes: its count of the images
    is taken under the lock, so it sees shard 1's images and the split ends complete, not incomplete."""
    from fusion.jobs.fuse_dataset import job

    out, real_locked, calls = tmp_path / "out", job.locked, []

    @contextlib.contextmanager
    def locked(path):
        calls.append(path)
        if len(calls) == 2:  # shard 0's finish (its first call was at its start): shard 1 runs meanwhile
            monkeypatch.setattr(job, "locked", real_locked)
            run(kaist, out, shard=Shard(1, 2), batch_size=2)
        with real_locked(path):
            yield

    monkeypatch.setattr(job, "locked", locked)
    run(kaist, out, shard=Shard(0, 2), batch_size=2)
    meta = json.loads((out / "average" / "meta.json").read_text())
    assert [r["shard"] for r in meta["runs"]] == ["1/2", "0/2"]
    assert meta["splits"][SPLIT]["status"] == "complete"
