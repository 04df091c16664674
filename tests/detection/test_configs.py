"""configs/detection: every file loads, the four leaves of each dataset (KAIST, LLVIP, MSRS) differ only in the
image folder, the model builds, and detection.runs.config resolves names and applies the tools' options;
configs/demo's detectors are these leaves with one set of demo settings."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope

from detection.runs.config import (CONFIG_DIR, build_parser, export_local_rank, load_config, resolve_config,
                                   training_config)
from detection.runs.demo import DETECTORS
from tests.nested_keys import flatten

DEMO_DIR = CONFIG_DIR.parent / "demo"

LEAVES = {"gflv2_visible.py": "visible", "gflv2_infrared.py": "lwir", "gflv2_fused_baseline.py": "nestfuse",
          "gflv2_fused.py": "msfam"}
DATASETS = ("", "llvip_", "msrs_")  # leaf name prefixes: KAIST, LLVIP, MSRS
FOLDER_KEYS = {"img_folder", "train_dataloader.dataset.data_prefix.img", "val_dataloader.dataset.data_prefix.img",
               "test_dataloader.dataset.data_prefix.img"}


@pytest.mark.parametrize("path", sorted(CONFIG_DIR.rglob("*.py")), ids=lambda p: str(p.relative_to(CONFIG_DIR)))
def test_every_config_loads(path):
    cfg = Config.fromfile(str(path))
    assert len(cfg.keys()) > 0


#: KAIST leaves fusing on the fly (fusion/integrations/mmdet_fusion.py) -> their derived-folder twins.
ON_THE_FLY = {"gflv2_fused_onthefly.py": "gflv2_fused.py",
              "gflv2_fused_baseline_onthefly.py": "gflv2_fused_baseline.py",
              "gflv2_fused_onthefly_batched.py": "gflv2_fused.py"}


#: Leaves fed both bands (configs/detection/_base_/pair_input.py) -> their row name (input_name).
PAIR_LEAVES = {"gflv2_early.py": "early_fusion", "gflv2_halfway.py": "halfway_fusion"}


#: Leaves with MSFAM in the detector's loop (FusionDetector) -> their coupling; and the detector retrained on the
#: tuned network's images.
TUNED_LEAVES = {"gflv2_tuned_frozen.py": "frozen", "gflv2_tuned_joint.py": "joint",
                "gflv2_tuned_alternating.py": "alternating", "gflv2_llvip_tuned_joint.py": "joint",
                "gflv2_msrs_tuned_joint.py": "joint"}
TUNED_IMAGES = {"gflv2_fused_tuned.py": "msfam_tuned"}


def test_every_dataset_has_the_four_leaves_and_the_two_pair_leaves():
    names = {p.name for p in CONFIG_DIR.glob("gflv2_*.py")}
    each = {name.replace("gflv2_", f"gflv2_{dataset}") for dataset in DATASETS for name in {*LEAVES, *PAIR_LEAVES}}
    assert names == each | set(ON_THE_FLY) | set(TUNED_LEAVES) | set(TUNED_IMAGES)


@pytest.mark.parametrize("leaf", sorted(TUNED_LEAVES))
def test_tuned_leaves_wrap_their_datasets_gflv2_and_read_the_pair(leaf):
    dataset = leaf.removeprefix("gflv2_").split("tuned")[0]
    tuned = Config.fromfile(str(CONFIG_DIR / leaf))
    visible = Config.fromfile(str(CONFIG_DIR / f"gflv2_{dataset}visible.py"))
    assert tuned.model.type == "FusionDetector" and tuned.model.coupling == TUNED_LEAVES[leaf]
    wrapped, own = flatten(tuned.model.detector.to_dict()), flatten(visible.model.to_dict())
    differing = {k for k in wrapped.keys() | own.keys() if wrapped.get(k) != own.get(k)}
    frozen_init = {"backbone.init_cfg", "backbone.init_cfg.type", "backbone.init_cfg.checkpoint"}
    assert differing <= (frozen_init if TUNED_LEAVES[leaf] == "frozen" else set()), differing
    for loop in ("train", "val", "test"):
        dataset_cfg = tuned[f"{loop}_dataloader"].dataset
        assert dataset_cfg.type == "PairedCocoDataset" and dataset_cfg.pipeline[0].type == "LoadImagePair"
        assert dataset_cfg.ann_file == visible[f"{loop}_dataloader"].dataset.ann_file
    assert tuned.train_cfg == visible.train_cfg and tuned.input_name == "msfam_in_the_loop"


def test_the_tuned_images_leaf_differs_from_msfams_only_in_the_folder():
    tuned = flatten(Config.fromfile(str(CONFIG_DIR / "gflv2_fused_tuned.py")).to_dict())
    fused = flatten(Config.fromfile(str(CONFIG_DIR / "gflv2_fused.py")).to_dict())
    assert {k for k in tuned if tuned[k] != fused[k]} == FOLDER_KEYS and tuned["img_folder"] == "msfam_tuned"


@pytest.mark.parametrize("dataset", DATASETS, ids=lambda d: d.rstrip("_") or "kaist")
@pytest.mark.parametrize("leaf", sorted(PAIR_LEAVES))
def test_pair_leaves_differ_from_the_visible_leaf_in_input_and_backbone_only(dataset, leaf):
    name = leaf.replace("gflv2_", f"gflv2_{dataset}")
    pair = flatten(Config.fromfile(str(CONFIG_DIR / name)).to_dict())
    visible = flatten(Config.fromfile(str(CONFIG_DIR / f"gflv2_{dataset}visible.py")).to_dict())
    differing = {k for k in pair.keys() | visible.keys() if pair.get(k, "absent") != visible.get(k, "absent")}
    allowed_prefixes = ("model.data_preprocessor.", "model.backbone.", "model.neck.in_channels",
                        "model.neck.start_level", "input_name", "pair_", "rgb_", "band_", "early_fusion_model",
                        "halfway_fusion_model",
                        *(f"{loop}_dataloader.dataset.{key}" for loop in ("train", "val", "test")
                          for key in ("type", "pipeline", "data_prefix.thermal")))
    assert all(key.startswith(allowed_prefixes) for key in differing), sorted(
        k for k in differing if not k.startswith(allowed_prefixes))
    assert pair["input_name"] == PAIR_LEAVES[leaf]
    for loop in ("train", "val", "test"):
        assert pair[f"{loop}_dataloader.dataset.type"] == "PairedCocoDataset"
        assert pair[f"{loop}_dataloader.dataset.data_prefix.img"] == "visible/"
        assert pair[f"{loop}_dataloader.dataset.data_prefix.thermal"] == "lwir/"
        assert pair[f"{loop}_dataloader.dataset.pipeline.0.type"] == "LoadImagePair"
        step = f"{loop}_dataloader.dataset.pipeline."
        steps = [v for k, v in pair.items() if k.startswith(step) and k.endswith("type")]
        assert steps[1:] == [v for k, v in visible.items() if k.startswith(step) and k.endswith("type")][1:]
    for key in ("model.bbox_head.type", "train_cfg.max_epochs", "optim_wrapper.optimizer.lr",
                "model.backbone.depth", "model.backbone.frozen_stages", "model.backbone.init_cfg.checkpoint"):
        assert pair[key] == visible[key], key


@pytest.mark.parametrize("leaf", sorted(ON_THE_FLY))
def test_on_the_fly_leaves_differ_from_the_folder_ones_only_in_the_loading(leaf):
    on_the_fly = flatten(Config.fromfile(str(CONFIG_DIR / leaf)).to_dict())
    folder = flatten(Config.fromfile(str(CONFIG_DIR / ON_THE_FLY[leaf])).to_dict())
    differing = {k for k in on_the_fly.keys() | folder.keys() if on_the_fly.get(k, "absent") != folder.get(k, "absent")}
    loader = {f"{loop}_dataloader.dataset.pipeline.0.{key}" for loop in ("train", "val", "test")
              for key in ("type", "kaist_root", "fusion", "backend_args")}
    allowed = (loader | {f"{loop}_dataloader.dataset.data_prefix.img" for loop in ("train", "val", "test")}
               | {f"{pipeline}.0.{key}" for pipeline in ("train_pipeline", "test_pipeline")
                  for key in ("type", "kaist_root", "fusion", "backend_args")}
               | {"custom_imports.imports", "kaist_root", "load_pair.type", "load_pair.kaist_root", "load_pair.fusion",
                  "model.data_preprocessor.type", "model.data_preprocessor.fusion"})
    assert differing <= allowed, differing - allowed
    assert {f"{loop}_dataloader.dataset.data_prefix.img" for loop in ("train", "val", "test")} <= differing
    assert on_the_fly["train_dataloader.dataset.pipeline.1.type"] == folder["train_dataloader.dataset.pipeline.1.type"]


@pytest.mark.parametrize("dataset", DATASETS, ids=lambda d: d.rstrip("_") or "kaist")
def test_the_four_leaves_differ_only_in_the_image_folder(dataset):
    leaves = {name.replace("gflv2_", f"gflv2_{dataset}"): folder for name, folder in LEAVES.items()}
    flat = {name: flatten(Config.fromfile(str(CONFIG_DIR / name)).to_dict()) for name in leaves}
    reference = flat[f"gflv2_{dataset}visible.py"]
    for name, folder in leaves.items():
        assert flat[name].keys() == reference.keys(), name
        differing = {k for k in reference if flat[name][k] != reference[k]}
        assert differing == (set() if folder == "visible" else FOLDER_KEYS), name
        assert flat[name]["img_folder"] == folder
        for key in FOLDER_KEYS - {"img_folder"}:
            assert flat[name][key] == f"{folder}/", (name, key)


def test_leaf_holds_the_reference_hyperparameters():
    cfg = Config.fromfile(str(CONFIG_DIR / "gflv2_fused.py"))
    head = cfg.model.bbox_head
    assert head.type == "GFLV2Head" and head.num_classes == 1
    assert (head.reg_max, head.reg_topk, head.reg_channels, head.add_mean) == (16, 4, 64, True)
    assert head.loss_cls == dict(type="QualityFocalLoss", use_sigmoid=True, activated=True, beta=2.0, loss_weight=1.0)
    assert head.loss_dfl.loss_weight == 0.25 and head.loss_bbox == dict(type="GIoULoss", loss_weight=2.0)
    assert cfg.model.train_cfg.assigner == dict(type="ATSSAssigner", topk=9)
    assert cfg.model.test_cfg.nms.iou_threshold == 0.6 and cfg.model.test_cfg.score_thr == 0.05
    assert cfg.model.backbone.init_cfg == dict(type="Pretrained", checkpoint="torchvision://resnet50")
    assert cfg.optim_wrapper.optimizer == dict(type="SGD", lr=0.01, momentum=0.9, weight_decay=0.0001)
    assert cfg.auto_scale_lr == dict(enable=True, base_batch_size=16)
    warmup, steps = cfg.param_scheduler
    assert (warmup.start_factor, warmup.end, warmup.by_epoch) == (0.001, 500, False)
    assert steps.milestones == [16, 22] and cfg.train_cfg.max_epochs == 24
    assert cfg.train_dataloader.dataset.metainfo == dict(classes=("person",))
    assert cfg.train_dataloader.dataset.ann_file == "annotations/train-all-02.json"
    assert cfg.test_evaluator == dict(type="KaistMetric", ann_file="data/kaist_fused/annotations/test-all-20.json")
    assert cfg.custom_imports == dict(imports=["detection"], allow_failed_imports=False)


def test_leaf_model_builds_with_the_gflv2_head():
    from mmdet.registry import MODELS

    cfg = load_config("gflv2_fused", cfg_options={"model.backbone.init_cfg": None})
    init_default_scope(cfg.default_scope)
    model = MODELS.build(cfg.model)
    assert type(model.bbox_head).__name__ == "GFLV2Head"
    assert model.bbox_head.dgqp.layers[0].in_channels == 20


@pytest.mark.parametrize("words, expected", [
    (["model.backbone.init_cfg=None"], None),
    (["model.backbone.init_cfg.checkpoint=/weights/resnet50.pth"],
     dict(type="Pretrained", checkpoint="/weights/resnet50.pth")),
])
def test_imagenet_switch_documented_in_the_readme(words, expected):
    args = build_parser("t", "tools/train_det.py").parse_args(["gflv2_fused.py", "--cfg-options", *words])
    cfg = load_config(args.config, cfg_options=args.cfg_options)
    assert cfg.model.backbone.init_cfg == expected
    assert words[0].split("=")[0] + "=" in (CONFIG_DIR / "README.md").read_text()


def test_resolve_config_by_name_stem_and_path(tmp_path):
    by_name = resolve_config("gflv2_fused.py")
    assert by_name == CONFIG_DIR / "gflv2_fused.py"
    assert resolve_config("gflv2_fused") == by_name
    assert resolve_config(str(by_name)) == by_name
    own = tmp_path / "mine.py"
    own.write_text("x = 1\n")
    assert resolve_config(own) == own
    with pytest.raises(FileNotFoundError, match="gflv2_visible.py"):
        resolve_config("gflv3.py")


def test_work_dir_data_root_resume_and_amp(tmp_path):
    cfg = training_config("gflv2_infrared.py", data_root=str(tmp_path), resume="auto", amp=True)
    assert cfg.work_dir == str(Path("work_dirs") / "gflv2_infrared")
    for split in ("train", "val", "test"):
        assert cfg[f"{split}_dataloader"].dataset.data_root == f"{tmp_path}/"
    assert cfg.test_evaluator.ann_file == f"{tmp_path}/annotations/test-all-20.json"
    assert cfg.val_evaluator.ann_file == cfg.test_evaluator.ann_file
    assert cfg.resume is True and cfg.load_from is None
    assert cfg.optim_wrapper.type == "AmpOptimWrapper"
    cfg = training_config("gflv2_infrared.py", work_dir=str(tmp_path / "w"), resume="ckpt.pth")
    assert (cfg.work_dir, cfg.resume, cfg.load_from) == (str(tmp_path / "w"), True, "ckpt.pth")
    assert cfg.optim_wrapper.type == "OptimWrapper"
    with pytest.raises(ValueError, match="launcher"):
        load_config("gflv2_fused.py", launcher="torchrun")


def test_help_documents_distributed_runs_and_local_rank(monkeypatch):
    parser = build_parser("t", "tools/train_det.py")
    assert "torchrun --nproc_per_node" in parser.epilog and "--launcher slurm" in parser.epilog
    args = parser.parse_args(["gflv2_fused.py", "--launcher", "pytorch", "--local_rank", "3"])
    monkeypatch.delenv("LOCAL_RANK", raising=False)
    export_local_rank(args.local_rank)
    assert os.environ["LOCAL_RANK"] == "3" and args.launcher == "pytorch"


def demo_changes(name: str) -> dict:
    """What configs/demo/<name>.py changes in configs/detection/<name>.py."""
    demo = flatten(Config.fromfile(str(DEMO_DIR / f"{name}.py")).to_dict())
    base = flatten(Config.fromfile(str(CONFIG_DIR / f"{name}.py")).to_dict())
    return {key: demo.get(key, "<absent>") for key in {*base, *demo}
            if base.get(key, "<absent>") != demo.get(key, "<absent>")}


def test_every_demo_detector_is_its_leaf_with_the_same_demo_settings():
    assert {f"{name}.py" for name in DETECTORS} == set(LEAVES) | set(PAIR_LEAVES)
    changes = {name: demo_changes(name) for name in DETECTORS}
    assert all(changes[name] == changes[DETECTORS[0]] for name in DETECTORS)
    assert {"model.backbone.init_cfg.checkpoint", "train_cfg.max_epochs", "param_scheduler.0.end",
            "train_dataloader.dataset.ann_file"} <= set(changes[DETECTORS[0]])
    assert not any("img" in key for key in changes[DETECTORS[0]])  # the image folder stays the leaf's
