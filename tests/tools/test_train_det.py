"""tools/train_det.py and tools/test_det.py end to end on a tiny synthetic KAIST (ResNet-18, 96x80 images):
train 2 iterations with a checkpoint, resume from it (weights-only loading) for 1 more, test with --out;
train with --quiet (a progress bar and a line; the logs in the work dir)."""
from __future__ import annotations

import importlib.util
import json
import pickle
import shutil
import sys
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from mmengine.hooks import Hook

from detection.checkpoint import TRUST_ENV, load_local_checkpoint
from detection.runs.config import build_runner, training_config
from fusion.datasets.synthetic_kaist import make_synthetic_kaist

REPO_ROOT = Path(__file__).resolve().parents[2]
WIDTH, HEIGHT = 96, 80

#: A tiny model and a fast loop: everything else comes from configs/detection/gflv2_visible.py.
TINY = {
    "model.backbone.depth": 18,
    "model.backbone.init_cfg": None,
    "model.neck.in_channels": [64, 128, 256, 512],
    "model.neck.out_channels": 32,
    "model.bbox_head.in_channels": 32,
    "model.bbox_head.feat_channels": 64,  # GN 32 groups of 2 channels (1x1 maps at stride 128)
    "model.bbox_head.stacked_convs": 1,
    "model.test_cfg.score_thr": 0.0,
    "train_dataloader.batch_size": 2,
    "train_dataloader.num_workers": 0,
    "train_dataloader.persistent_workers": False,
    "test_dataloader.num_workers": 0,
    "test_dataloader.persistent_workers": False,
    "train_cfg.max_epochs": 2,  # 2 training images, batch 2: one iteration an epoch
    "val_cfg": None,
    "val_dataloader": None,
    "val_evaluator": None,
    "default_hooks.logger.interval": 1,
    "randomness.seed": 0,
}


def load_tool(name: str):
    """A script of tools/ as a module (tools/ is not a package)."""
    spec = importlib.util.spec_from_file_location(name, REPO_ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def coco_from_xml(root: Path, frames: list[str]) -> dict:
    """The annotation layout of the project's KAIST conversion: person boxes, other labels as ignore."""
    images, annotations = [], []
    for image_id, frame in enumerate(frames):
        images.append({"id": image_id, "file_name": f"{frame}.jpg", "width": WIDTH, "height": HEIGHT})
        for obj in ET.parse(root / "annotations-xml-new" / f"{frame}.xml").getroot().iter("object"):
            x, y, w, h = (float(obj.find(f"bndbox/{k}").text) for k in "xywh")
            ignore = int(obj.find("name").text != "person")
            annotations.append({"id": len(annotations) + 1, "image_id": image_id, "category_id": 1,
                                "bbox": [x, y, w, h], "area": w * h, "iscrowd": ignore, "ignore": ignore})
    return {"images": images, "annotations": annotations, "categories": [{"id": 1, "name": "person"}]}


@pytest.fixture(scope="module")
def kaist_root(tmp_path_factory) -> Path:
    """``<root>/visible/setXX/V000/IZZZZZ.jpg`` and ``<root>/annotations/{train-all-02,test-all-20}.json``."""
    source = tmp_path_factory.mktemp("synthetic")
    root = tmp_path_factory.mktemp("kaist_fused")
    make_synthetic_kaist(source, pairs_per_set=1, width=WIDTH, height=HEIGHT)
    (root / "annotations").mkdir()
    for split, json_name in (("train", "train-all-02.json"), ("test", "test-all-20.json")):
        frames = (source / "imageSets" / f"synthetic-{split}.txt").read_text().split()
        for frame in frames:
            target = root / "visible" / f"{frame}.jpg"
            target.parent.mkdir(parents=True, exist_ok=True)
            set_video, name = frame.rsplit("/", 1)
            shutil.copy(source / "images" / set_video / "visible" / f"{name}.jpg", target)
        (root / "annotations" / json_name).write_text(json.dumps(coco_from_xml(source, frames)))
    return root


class FirstIterRecorder(Hook):
    """Remembers the iteration the training loop started from."""

    def __init__(self) -> None:
        self.first_iter = None

    def before_train_iter(self, runner, batch_idx, data_batch=None) -> None:
        if self.first_iter is None:
            self.first_iter = runner.iter


def cfg_options(options: dict) -> list[str]:
    """A dict of overrides as ``--cfg-options`` words."""
    return [f"{k}={'None' if v is None else v}".replace(" ", "") for k, v in options.items()]


@pytest.mark.slow
def test_train_resume_and_test(kaist_root, tmp_path, monkeypatch):
    monkeypatch.delenv(TRUST_ENV, raising=False)  # every load below is weights-only (a refusal would raise)
    work_dir = tmp_path / "work"
    train_det = load_tool("train_det")
    monkeypatch.setattr(sys, "argv", ["train_det.py", "gflv2_visible.py", "--work-dir", str(work_dir),
                                      "--data-root", str(kaist_root), "--cfg-options", *cfg_options(TINY)])
    train_det.main()
    assert (work_dir / "epoch_2.pth").is_file()
    assert (work_dir / "last_checkpoint").read_text().strip().endswith("epoch_2.pth")

    # resume (auto: the latest checkpoint in the work dir) through the same library path, one more iteration
    cfg = training_config("gflv2_visible.py", work_dir=str(work_dir), resume="auto", data_root=str(kaist_root),
                          cfg_options={**TINY, "train_cfg.max_epochs": 3})
    runner = build_runner(cfg)
    recorder = FirstIterRecorder()
    runner.register_hook(recorder)
    runner.train()
    assert recorder.first_iter == 2, "training restarted instead of resuming"
    assert runner.iter == 3 and runner.epoch == 3
    assert (work_dir / "epoch_3.pth").is_file()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the full unpickler's fallback would warn
        assert load_local_checkpoint(str(work_dir / "epoch_3.pth"))["meta"]["epoch"] == 3

    # test the resumed weights with COCO AP (KaistMetric is the configs' evaluator) and dump the predictions
    test_det = load_tool("test_det")
    results = tmp_path / "results.pkl"
    options = {**TINY, "test_evaluator.type": "CocoMetric", "test_evaluator.metric": "bbox"}
    monkeypatch.setattr(sys, "argv", ["test_det.py", "gflv2_visible.py", str(work_dir / "epoch_3.pth"),
                                      "--work-dir", str(tmp_path / "test"), "--data-root", str(kaist_root),
                                      "--out", str(results), "--cfg-options", *cfg_options(options)])
    test_det.main()
    predictions = pickle.loads(results.read_bytes())
    assert len(predictions) == 2
    for prediction in predictions:
        scores = prediction["pred_instances"]["scores"]
        assert len(scores) > 0 and float(scores.max()) <= 1.0
    record = json.loads((tmp_path / "test" / "test_record.json").read_text())
    assert record["img_folder"] == "visible" and record["checkpoint"].endswith("epoch_3.pth")
    assert len(record["checkpoint_sha256"]) == 64 and "bbox_mAP" in record["metrics"]


@pytest.mark.slow
def test_quiet_training_shows_a_bar_and_a_line(kaist_root, tmp_path, monkeypatch, capsys):
    work_dir = tmp_path / "quiet"
    train_det = load_tool("train_det")
    monkeypatch.setattr(sys, "argv", ["train_det.py", "gflv2_visible.py", "--quiet", "--work-dir", str(work_dir),
                                      "--data-root", str(kaist_root),
                                      "--cfg-options", *cfg_options({**TINY, "train_cfg.max_epochs": 1})])
    train_det.main()
    out, err = capsys.readouterr()
    log = work_dir / "train.log"
    assert out.splitlines() == [out.strip()] and "trained to epoch 1 (iteration 1)" in out and str(log) in out
    assert err.count("\n") == 1 and "gflv2_visible" in err and "1/1" in err  # the bar: one line off a terminal
    text = log.read_text()  # what mmdet would have printed
    assert "Epoch(train) [1][1/1]" in text and "Checkpoints will be saved" in text
    assert (work_dir / "epoch_1.pth").is_file()


def test_output_to_moves_mmengine_console_and_puts_it_back(tmp_path, capsys):
    from mmengine.logging import MMLogger

    from detection.runs.quiet import output_to

    before = MMLogger.get_instance("quiet_before")
    with output_to(tmp_path / "run.log"):
        print("printed")
        before.info("logged before")
        MMLogger.get_instance("quiet_within").info("logged within")
    before.info("logged after")
    MMLogger.get_instance("quiet_within").info("within, logged after")
    text = (tmp_path / "run.log").read_text()
    assert "printed" in text and "logged before" in text and "logged within" in text and "after" not in text
    out = capsys.readouterr().out
    assert "logged after" in out and "within, logged after" in out and "printed" not in out


@pytest.mark.slow
def test_seeds_train_apart_and_their_tests_keep_the_predictions(kaist_root, tmp_path, monkeypatch, capsys):
    runs = tmp_path / "runs"
    options = cfg_options({**TINY, "train_cfg.max_epochs": 1})
    monkeypatch.setattr(sys, "argv", ["train_det.py", "gflv2_visible.py", "--quiet", "--seed", "3", "4",
                                      "--work-dir", str(runs), "--data-root", str(kaist_root), "--cfg-options",
                                      *options])
    load_tool("train_det").main()
    assert "seed 3: trained to epoch 1" in capsys.readouterr().out
    for seed in (3, 4):  # each seed in its own work dir, seeded with it
        assert load_local_checkpoint(str(runs / f"seed{seed}" / "epoch_1.pth"))["meta"]["seed"] == seed

    monkeypatch.setattr(sys, "argv", ["test_det.py", "gflv2_visible.py", str(runs / "seed4" / "epoch_1.pth"),
                                      "--seed", "4", "--work-dir", str(runs), "--data-root", str(kaist_root),
                                      "--cfg-options", *options])
    load_tool("test_det").main()
    record = json.loads((runs / "seed4" / "test_record.json").read_text())
    assert record["seed"] == 4 and record["epoch"] == 1 and record["backbone_init"] == "none (from scratch)"
    assert Path(record["predictions"]).name == "test_predictions.bbox.json" and Path(record["predictions"]).is_file()
    assert Path(record["ann_file"]).is_file() and {"AP", "MR_all"} <= set(record["metrics"])

    monkeypatch.setattr(sys, "argv", ["train_det.py", "gflv2_visible.py", "--seed", "1", "1"])
    with pytest.raises(SystemExit, match="a seed twice"):
        load_tool("train_det").main()
