"""tools/train_fusion.py and configs/fusion: paper settings, a CLI run with resume, every config on real data."""
from __future__ import annotations

import errno
import importlib.util
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config

from fusion.apis import load_fuser, read_fusion_checkpoint, save_fusion_checkpoint
from fusion.engine.logger import read_log
from fusion.registry import FUSION_MODELS, NETWORKS

REPO = Path(__file__).resolve().parents[2]
CONFIGS = REPO / "configs" / "fusion"
TOOL = REPO / "tools" / "train_fusion.py"
TINY = dict(widths=(4, 6, 8, 10), stem_channels=4)
TINY_CLASSIFIER = dict(type="SemanticConstraintClassifier", widths=(4, 4, 8, 8))
STAGE2_CONFIGS = ["stage2_msfam", "ablation_full", "ablation_conv5", "ablation_neither", "ablation_no_constraint",
                  "ablation_no_pushpull", "ablation_no_stage1", "ablation_literal_pushpull", "ablation_no_warm_start",
                  "ablation_feature_fit", "ablation_unbounded_constraint", "ablation_l1_max", "stage2_msfam_target",
                  "ablation_target_contrast", "ablation_pushpull_target", "ablation_frozen_decoder",
                  "ablation_pushpull_target_frozen"]

pytestmark = pytest.mark.filterwarnings("ignore:MS-SSIM on")


@pytest.fixture(scope="module")
def tool():
    spec = importlib.util.spec_from_file_location("train_fusion", TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_configs_hold_the_paper_settings():
    assert sorted(p.stem for p in CONFIGS.glob("*.py")) == sorted(
        ["stage1_msfam", "stage1_nestfuse", "classifier", *STAGE2_CONFIGS])
    stage1 = Config.fromfile(CONFIGS / "stage1_msfam.py")
    assert stage1.task.loss == dict(type="ReconstructionLoss", alpha1=0.84)
    assert stage1.train_dataloader.batch_size == 4 and stage1.optimizer == dict(type="Adam", lr=1e-4)
    assert stage1.train_dataloader.dataset.crop_size == (320, 256) and stage1.train_dataloader.dataset.flip
    assert Config.fromfile(CONFIGS / "stage1_nestfuse.py").task.model.type == "nestfuse"
    classifier = Config.fromfile(CONFIGS / "classifier.py")
    assert classifier.train_dataloader.batch_size == 16
    assert Path(classifier.val_dataloader.dataset.file_list).name == "val.txt"
    stage2 = Config.fromfile(CONFIGS / "stage2_msfam.py")
    assert stage2.task.loss.alpha2 == 0.84 and stage2.task.loss.beta == 2.0
    assert stage2.task.loss.push_pull_cfg.weighting == "negative" and stage2.task.model.residual
    assert stage2.optimizer == dict(type="Adam", lr=1e-4) and stage2.train_dataloader.dataset.crop_size == (320, 256)
    assert Path(stage2.val_dataloader.dataset.file_list).name == "val.txt"  # test.txt chooses nothing
    assert stage2.task.lr_mult == dict(encoder=0.0, fusions=1.0, decoder=0.5)
    assert stage2.train_cfg.max_epochs == 20 and stage2.train_dataloader.batch_size == 4
    assert Path(stage2.train_dataloader.dataset.file_list).is_file()
    assert stage2.val_dataloader.dataset.crop_size is None
    neither = Config.fromfile(CONFIGS / "ablation_neither.py").task
    assert neither.loss.alpha2 == 0 and neither.loss.push_pull_cfg.weighting == "equal"
    assert Config.fromfile(CONFIGS / "ablation_conv5.py").task.model.type == "msfam_conv5"
    scratch = Config.fromfile(CONFIGS / "ablation_no_stage1.py").task
    assert scratch.stage1_checkpoint is None and scratch.lr_mult.encoder == 1.0 and scratch.warm_start is None
    literal = Config.fromfile(CONFIGS / "ablation_literal_pushpull.py").task
    assert literal.loss.push_pull_cfg.weighting == "literal"
    cold = Config.fromfile(CONFIGS / "ablation_no_warm_start.py").task
    assert cold.warm_start is None and not cold.model.residual
    fit = Config.fromfile(CONFIGS / "ablation_feature_fit.py").task
    assert fit.warm_start.iters > 0 and not fit.model.residual
    assert Config.fromfile(CONFIGS / "ablation_l1_max.py").task.loss.l1_mode == "max"
    assert Config.fromfile(CONFIGS / "stage2_msfam.py").task.loss.constraint_cfg.satisfied_at == 0.5
    assert Config.fromfile(CONFIGS / "ablation_unbounded_constraint.py").task.loss.constraint_cfg is None
    # this project's stage 2 (shipped) and its rows: the decoder frozen, no Semantic Constraint
    for name in ("stage2_msfam_target", "ablation_frozen_decoder", "ablation_pushpull_target_frozen"):
        task = Config.fromfile(CONFIGS / f"{name}.py").task
        assert task.lr_mult == dict(encoder=0.0, fusions=1.0, decoder=0.0) and task.loss.alpha2 == 0
    assert Config.fromfile(CONFIGS / "ablation_frozen_decoder.py").task.loss.get("gamma", 0) == 0
    assert Config.fromfile(CONFIGS / "ablation_pushpull_target_frozen.py").task.loss.gamma == 1.0
    classifier = Config.fromfile(CONFIGS / "classifier.py").task
    assert classifier.classifier.kernel_size == 5 and classifier.get("balance_labels", True)


def _write_pairs(root: Path, stems: list[str], shape=(48, 56)) -> None:
    rng = np.random.default_rng(0)
    for band in ("ir", "vi"):
        (root / band).mkdir(parents=True, exist_ok=True)
        for stem in stems:
            small = rng.uniform(0, 255, (6, 7)).astype(np.float32)
            cv2.imwrite(str(root / band / f"{stem}.png"), cv2.resize(small, shape[::-1]).astype(np.uint8))


def test_cli_stage1_run_then_resume(tool, tmp_path, monkeypatch, capsys):
    data = tmp_path / "data"
    _write_pairs(data / "fusion" / "s", [str(i) for i in range(6)])
    (data / "kaist" / "images").mkdir(parents=True)
    listing = tmp_path / "test.txt"
    listing.write_text("s/0\n")
    monkeypatch.setenv("MSFAM_DATA", "unused")  # restored after the test (--data-root sets it)
    work = tmp_path / "work"
    args = [str(CONFIGS / "stage1_msfam.py"), "--work-dir", str(work), "--data-root", str(data), "--device", "cpu",
            "--no-progress", "--cfg-options", "task.model.widths=(4,6,8,10)", "task.model.stem_channels=4",
            "train_dataloader.num_workers=0", "train_dataloader.dataset.crop_size=(40,32)",
            f"train_dataloader.dataset.exclude_pairs.file_list={listing}", "train_cfg.log_interval=1"]
    tool.main([*args, "train_cfg.max_iters=2"])
    assert "complete at iteration 2/2" in capsys.readouterr().out
    assert Config.fromfile(work / "config.py").train_dataloader.dataset.roots[0] == str(data / "fusion")
    with pytest.raises(SystemExit, match="already holds a run"):
        tool.main([*args, "train_cfg.max_iters=3"])
    tool.main([*args, "train_cfg.max_iters=3", "--resume"])
    assert "complete at iteration 3/3" in capsys.readouterr().out
    assert [r["iter"] for r in read_log(work, "train")] == [1, 2, 3]
    meta = read_fusion_checkpoint(work / "final.pth")["meta"]
    assert meta["schedule"]["train_samples"] == 10  # 12 images, the 2 of the held-out pair excluded
    load_fuser("msfam_handcrafted", checkpoint=work / "final.pth")

    # faults: a full disk, then no intact state to resume from; each named, with what to do
    def disk_full(self):
        raise OSError(errno.ENOSPC, "No space left on device", str(work / "last.pth"))

    with monkeypatch.context() as patch:
        patch.setattr(tool.Trainer, "run", disk_full)
        with pytest.raises(SystemExit, match=r"no space left on the disk writing .*last\.pth.*\(with --resume\)"):
            tool.main([*args, "train_cfg.max_iters=4", "--resume"])
    for name in ("last.pth", "last.prev.pth"):
        (work / name).write_bytes(b"truncated")
    with pytest.raises(SystemExit, match=r"last\.pth is damaged .*last\.prev\.pth is damaged .*No intact"):
        tool.main([*args, "train_cfg.max_iters=4", "--resume"])


@pytest.mark.slow
@pytest.mark.parametrize("name", ["stage1_msfam", "stage1_nestfuse", "classifier", *STAGE2_CONFIGS])
def test_every_config_runs_an_iteration_on_the_real_data(name, tool, shared_data, tmp_path, monkeypatch):
    torch.manual_seed(0)
    stage1_cfg = dict(type="msfam_handcrafted", **TINY)
    stage1, classifier = tmp_path / "stage1.pth", tmp_path / "classifier.pth"
    save_fusion_checkpoint(stage1, FUSION_MODELS.build(stage1_cfg), stage1_cfg)
    save_fusion_checkpoint(classifier, NETWORKS.build(TINY_CLASSIFIER), TINY_CLASSIFIER,
                           {"metrics": {"balanced_accuracy": 0.95}})
    cfg = Config.fromfile(CONFIGS / f"{name}.py")
    options = ["train_cfg.by_epoch=False", "train_cfg.max_iters=1", "train_cfg.val_interval=2",
               "train_dataloader.num_workers=0"]
    if cfg.task.type == "ClassifierTask":
        options += ["task.classifier.widths=(4,4,8,8)", "val_dataloader.num_workers=0"]
        options += [f"train_dataloader.dataset.pairs.datasets.{i}.crop_size=(48,40)" for i in range(2)]
    else:
        options += ["task.model.widths=(4,6,8,10)", "task.model.stem_channels=4",
                    "train_dataloader.dataset.crop_size=(48,40)"]
    if cfg.task.type == "FusionTask":
        options += ["task.loss.push_pull_cfg.levels=2", "task.loss.push_pull_cfg.win_size=3",
                    "val_dataloader.num_workers=0"]
        options += [f"task.stage1_checkpoint={stage1}"] if cfg.task.stage1_checkpoint else []
        options += ["task.warm_start.iters=2"] if cfg.task.get("warm_start") else []
        options += [f"task.classifier_checkpoint={classifier}"] if cfg.task.classifier_checkpoint else []
        if cfg.task.get("floor"):
            baseline = tmp_path / "nestfuse.pth"
            save_fusion_checkpoint(baseline, FUSION_MODELS.build(dict(type="nestfuse", **TINY)),
                                   dict(type="nestfuse", **TINY))
            options += [f"task.floor.checkpoint={baseline}"]
    monkeypatch.setenv("MSFAM_DATA", str(shared_data))
    tool.main([str(CONFIGS / f"{name}.py"), "--work-dir", str(tmp_path / "work"), "--device", "cpu", "--no-progress",
               "--cfg-options", *options])
    meta = read_fusion_checkpoint(tmp_path / "work" / "final.pth")["meta"]
    assert meta["phase"] == name and meta["iteration"] == 1
