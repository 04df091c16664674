"""tools/detect_pairs.py: pairs in (a folder, a KAIST list, two videos), fused or one band, boxes out as drawn
images, an mp4 for video, COCO json and KAIST text that tools/eval_kaist.py scores; clear errors."""
from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch

from detection.runs.config import load_config
from fusion.datasets.pair_sources import folder_pairs, kaist_pairs, video_pairs
from fusion.datasets.synthetic_kaist import make_synthetic_kaist
from tools import detect_pairs, eval_kaist

#: A small GFLv2 (ResNet-18) in place of the configs' R50: the tool only needs a detector of the config.
TINY = {"model.backbone.depth": 18, "model.backbone.init_cfg": None, "model.neck.in_channels": [64, 128, 256, 512],
        "model.neck.out_channels": 32, "model.bbox_head.in_channels": 32, "model.bbox_head.feat_channels": 64,
        "model.bbox_head.stacked_convs": 1, "model.test_cfg.score_thr": 0.0}
TINY_WORDS = [f"{k}={'None' if v is None else v}".replace(" ", "") for k, v in TINY.items()]


@pytest.fixture(scope="module")
def detector(tmp_path_factory) -> Path:
    """An untrained tiny GFLv2 checkpoint of configs/detection/gflv2_fused.py (every weight saved)."""
    from mmdet.registry import MODELS
    from mmdet.utils import register_all_modules

    register_all_modules()
    torch.manual_seed(0)
    model = MODELS.build(load_config("gflv2_fused.py", cfg_options=TINY).model)
    path = tmp_path_factory.mktemp("detector") / "tiny.pth"
    torch.save({"state_dict": model.state_dict(), "meta": {}}, path)
    return path


@pytest.fixture(scope="module")
def kaist(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("kaist")
    make_synthetic_kaist(root, pairs_per_set=1, width=96, height=80)
    return root


def run_tool(detector: Path, out: Path, *inputs: str, fusion: str = "average") -> None:
    detect_pairs.main(["gflv2_fused.py", str(detector), "--out", str(out), "--fusion", fusion, "--draw-thr", "0",
                       *inputs, "--cfg-options", *TINY_WORDS])


def test_a_paired_folder_gives_drawn_images_and_results(detector, kaist, tmp_path, capsys):
    folder = tmp_path / "pairs"
    frames = sorted((kaist / "images").rglob("visible/*.jpg"))
    for band, source in (("vi", "visible"), ("ir", "lwir")):
        (folder / band).mkdir(parents=True)
        for i, path in enumerate(frames):
            image = cv2.imread(str(path.parent.parent / source / path.name), cv2.IMREAD_UNCHANGED)
            cv2.imwrite(str(folder / band / f"{i}.png"), image)
    cv2.imwrite(str(folder / "vi" / "lonely.png"), np.zeros((80, 96, 3), np.uint8))
    run_tool(detector, tmp_path / "out", "--vis", str(folder / "vi"), "--ir", str(folder / "ir"), fusion="msfam")
    out = tmp_path / "out"
    assert "skipping lonely: no partner" in capsys.readouterr().out
    assert sorted(p.name for p in (out / "images").iterdir()) == [f"{i}.jpg" for i in range(len(frames))]
    assert cv2.imread(str(out / "images" / "0.jpg")).shape == (80, 96, 3)
    results = json.loads((out / "detections.bbox.json").read_text())
    assert results and {r["image_id"] for r in results} <= set(range(1, len(frames) + 1))
    lines = (out / "detections.txt").read_text().splitlines()
    assert len(lines) == len(results) and lines[0].count(",") == 5
    assert [e["name"] for e in json.loads((out / "images.json").read_text())] == [str(i) for i in range(len(frames))]


def test_two_videos_round_trip_to_an_mp4(detector, kaist, tmp_path):
    frames = sorted((kaist / "images").rglob("visible/*.jpg"))
    videos = {}
    for band in ("visible", "lwir"):
        videos[band] = tmp_path / f"{band}.mp4"
        writer = cv2.VideoWriter(str(videos[band]), cv2.VideoWriter_fourcc(*"mp4v"), 10.0, (96, 80))
        for path in frames:
            image = cv2.imread(str(path.parent.parent / band / path.name), cv2.IMREAD_COLOR)
            writer.write(image)
        writer.release()
    run_tool(detector, tmp_path / "out", "--vis-video", str(videos["visible"]), "--ir-video", str(videos["lwir"]))
    capture = cv2.VideoCapture(str(tmp_path / "out" / "video.mp4"))
    assert int(capture.get(cv2.CAP_PROP_FRAME_COUNT)) == len(frames)
    assert (int(capture.get(cv2.CAP_PROP_FRAME_WIDTH)), int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT))) == (96, 80)
    assert capture.get(cv2.CAP_PROP_FPS) == pytest.approx(10.0)
    capture.release()

    short = tmp_path / "short.mp4"
    writer = cv2.VideoWriter(str(short), cv2.VideoWriter_fourcc(*"mp4v"), 10.0, (96, 80))
    writer.write(np.zeros((80, 96, 3), np.uint8))
    writer.release()
    with pytest.raises(ValueError, match="not in step"):
        video_pairs(videos["visible"], short)


def test_kaist_lists_and_sequences_skip_frames_without_a_partner(tmp_path):
    kaist = tmp_path / "kaist"
    make_synthetic_kaist(kaist, pairs_per_set=2, width=96, height=80)
    frames = (kaist / "imageSets" / "synthetic-test.txt").read_text().split()
    reader = kaist_pairs(kaist, "synthetic-test")
    assert reader.names == frames and reader.skipped == []
    set_video, image = frames[0].rsplit("/", 1)
    (kaist / "images" / set_video / "lwir" / f"{image}.jpg").unlink()
    sequence = kaist_pairs(kaist, set_video)
    assert sequence.names == [frames[1]] and sequence.skipped == [f"{frames[0]}: no lwir image"]
    name, vis, ir = next(iter(sequence))
    assert vis.shape[:2] == ir.shape[:2] == (80, 96)
    with pytest.raises(FileNotFoundError, match="neither a sequence folder .* nor a list"):
        kaist_pairs(kaist, "set99/V000")
    (kaist / "images" / set_video / "visible" / f"{frames[1].rsplit('/', 1)[1]}.jpg").unlink()
    with pytest.raises(ValueError, match="none of the 2 frame"):
        kaist_pairs(kaist, set_video)


def test_bad_inputs_are_refused_clearly(detector, tmp_path):
    (tmp_path / "vi").mkdir()
    (tmp_path / "ir").mkdir()
    cv2.imwrite(str(tmp_path / "vi" / "a.png"), np.zeros((80, 96), np.uint8))
    cv2.imwrite(str(tmp_path / "ir" / "a.png"), np.zeros((64, 96), np.uint8))
    with pytest.raises(ValueError, match="differ in size"):
        list(folder_pairs(tmp_path / "vi", tmp_path / "ir"))
    with pytest.raises(SystemExit, match="give one input"):
        run_tool(detector, tmp_path / "out")
    with pytest.raises(SystemExit, match="--vis and --ir go together"):
        run_tool(detector, tmp_path / "out", "--vis", str(tmp_path / "vi"))


def test_the_real_kaist_pairs_give_a_text_file_eval_kaist_scores(detector, shared_data, tmp_path, capsys):
    kaist = shared_data / "kaist"
    if not (kaist / "imageSets" / "test-mini-9.txt").is_file():
        pytest.skip(f"{kaist} has no imageSets/test-mini-9.txt")
    ann = kaist / "KAIST_annotation.json"
    run_tool(detector, tmp_path / "out", "--kaist", str(kaist), "--frames", "test-mini-9", "--ann", str(ann),
             fusion="lwir")
    out = tmp_path / "out"
    assert len(list((out / "images").glob("set*_V*_I*.jpg"))) == 9
    ids = {entry["id"] for entry in json.loads((out / "images.json").read_text())}
    assert {r["image_id"] for r in json.loads((out / "detections.bbox.json").read_text())} <= ids
    capsys.readouterr()
    eval_kaist.main(["--ann", str(ann), "--results", str(out / "detections.txt")])
    assert "on 9 of 2252 image(s)" in capsys.readouterr().out


def test_a_detector_fed_both_bands_takes_the_pairs_themselves(kaist, tmp_path, monkeypatch):
    from mmdet.registry import MODELS

    from detection.runs import inference

    torch.manual_seed(0)
    model = MODELS.build(load_config("gflv2_early.py", cfg_options=TINY).model)
    checkpoint = tmp_path / "early.pth"
    torch.save({"state_dict": model.state_dict(), "meta": {}}, checkpoint)
    seen = []
    monkeypatch.setattr(detect_pairs, "detect", lambda m, images: seen.extend(images) or inference.detect(m, images))
    detect_pairs.main(["gflv2_early.py", str(checkpoint), "--out", str(tmp_path / "out"), "--draw-thr", "0",
                       "--kaist", str(kaist), "--frames", "synthetic-test", "--cfg-options", *TINY_WORDS])
    frame = sorted((kaist / "images").rglob("visible/*.jpg"))[-1]
    visible = cv2.imread(str(frame), cv2.IMREAD_COLOR)
    thermal = cv2.imread(str(frame.parent.parent / "lwir" / frame.name), cv2.IMREAD_GRAYSCALE)
    assert len(seen) == 2 and seen[0].shape == (80, 96, 4)
    assert any(np.array_equal(image, np.dstack([visible, thermal])) for image in seen)
    assert len(list((tmp_path / "out" / "images").glob("*.jpg"))) == 2
    assert json.loads((tmp_path / "out" / "detections.bbox.json").read_text())
    with pytest.raises(SystemExit, match="fed both bands: it takes no --fusion"):
        detect_pairs.main(["gflv2_early.py", str(checkpoint), "--out", str(tmp_path / "o2"), "--fusion", "msfam",
                           "--kaist", str(kaist), "--frames", "synthetic-test", "--cfg-options", *TINY_WORDS])
