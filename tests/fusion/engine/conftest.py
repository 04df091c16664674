"""Tiny training configs (4-10 channel networks, 44x36 crops) over the tiny pair folders of ``tests/fusion``."""
from __future__ import annotations

from pathlib import Path

import pytest
import torch
from mmengine.config import Config

from fusion.apis import save_fusion_checkpoint
from fusion.registry import FUSION_MODELS, NETWORKS

TINY = dict(widths=(4, 6, 8, 10), stem_channels=4)
TINY_CLASSIFIER = dict(type="SemanticConstraintClassifier", widths=(4, 4, 8, 8))
CROP = (44, 36)
SMALL_PUSH_PULL = dict(levels=2, win_size=3)


def base_cfg(**entries) -> Config:
    """Common entries of the tiny runs (CPU, seed 0, no workers, log every iteration)."""
    cfg = dict(seed=0, device="cpu", amp=dict(enabled=False), optimizer=dict(type="Adam", lr=1e-3),
               train_cfg=dict(by_epoch=False, max_iters=4, log_interval=1, checkpoint_interval=2))
    cfg.update(entries)
    return Config(cfg)


@pytest.fixture
def stage1_cfg(pair_root: Path) -> Config:
    return base_cfg(
        phase="stage1",
        task=dict(type="ReconstructionTask", model=dict(type="msfam_handcrafted", **TINY)),
        train_dataloader=dict(batch_size=4, num_workers=0,
                              dataset=dict(type="SingleImageDataset", roots=[str(pair_root)], crop_size=CROP)))


@pytest.fixture
def checkpoints(tmp_path: Path) -> dict[str, Path]:
    """A (random) tiny stage-1 MSFAM checkpoint and a tiny classifier checkpoint (recorded accuracy 0.95)."""
    torch.manual_seed(1)
    stage1_cfg = dict(type="msfam_handcrafted", **TINY)
    paths = {"stage1": tmp_path / "ckpt" / "stage1.pth", "classifier": tmp_path / "ckpt" / "classifier.pth"}
    save_fusion_checkpoint(paths["stage1"], FUSION_MODELS.build(stage1_cfg), stage1_cfg)
    save_fusion_checkpoint(paths["classifier"], NETWORKS.build(TINY_CLASSIFIER), TINY_CLASSIFIER,
                           {"metrics": {"balanced_accuracy": 0.95}})
    return paths


def val_loader_cfg(pair_root: Path) -> dict:
    return dict(num_workers=0, dataset=dict(type="PairedFolderDataset", root=str(pair_root), sets=["b"],
                                            crop_size=None, flip=False))


@pytest.fixture
def stage2_cfg(pair_root: Path, checkpoints: dict[str, Path]) -> Config:
    return base_cfg(
        phase="stage2",
        task=dict(type="FusionTask", model=dict(type="msfam", **TINY),
                  stage1_checkpoint=str(checkpoints["stage1"]), classifier_checkpoint=str(checkpoints["classifier"]),
                  loss=dict(type="FusionTotalLoss", alpha2=0.84, beta=2.0, push_pull_cfg=SMALL_PUSH_PULL),
                  lr_mult=dict(encoder=0.0, fusions=1.0, decoder=0.5)),
        train_dataloader=dict(batch_size=4, num_workers=0,
                              dataset=dict(type="PairedFolderDataset", root=str(pair_root), sets=["a"],
                                           crop_size=CROP)),
        val_dataloader=val_loader_cfg(pair_root))


@pytest.fixture
def classifier_cfg(pair_root: Path, checkpoints: dict[str, Path]) -> Config:
    pairs = dict(type="PairedFolderDataset", root=str(pair_root), sets=["a"], crop_size=CROP)
    return base_cfg(
        phase="classifier",
        task=dict(type="ClassifierTask", classifier=TINY_CLASSIFIER, stage1_checkpoint=str(checkpoints["stage1"])),
        train_dataloader=dict(batch_size=6, num_workers=0, dataset=dict(type="ClassifierSampleDataset", pairs=pairs)),
        val_dataloader=val_loader_cfg(pair_root))
