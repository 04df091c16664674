"""configs/fusion: one runtime and data header (_base_), the wiring between phases through work_root, and the CPU
schedule (configs/fusion/cpu) as leaves that change the paper's configs in schedule keys alone."""
from __future__ import annotations

import ast
from fnmatch import fnmatch
from pathlib import Path

import pytest
from mmengine.config import Config

from tests.nested_keys import flatten

REPO = Path(__file__).resolve().parents[2]
CONFIGS = REPO / "configs" / "fusion"
PAPER = sorted(p.stem for p in CONFIGS.glob("*.py"))
#: What a CPU leaf may change in the paper's config of its phase: the schedule, never the method.
SCHEDULE_KEYS = ("train_cfg.*", "optimizer.lr", "train_dataloader.num_workers", "train_dataloader.dataset.crop_size",
                 "val_dataloader.num_workers")
#: The header every phase takes from configs/fusion/_base_ instead of repeating it.
HEADER = {"seed", "device", "amp", "work_root", "data_root", "splits"}


@pytest.fixture(autouse=True)
def _default_roots(monkeypatch):
    for name in ("MSFAM_DATA", "MSFAM_WORK_ROOT"):
        monkeypatch.delenv(name, raising=False)


def assigned_names(path: Path) -> set[str]:
    return {target.id for node in ast.parse(path.read_text()).body if isinstance(node, ast.Assign)
            for target in node.targets if isinstance(target, ast.Name)}


def base_files(path: Path) -> list[str]:
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "_base_" for t in node.targets):
            return ast.literal_eval(node.value)
    return []


def test_every_phase_has_both_schedules_and_its_own_name():
    assert PAPER and sorted(p.stem for p in (CONFIGS / "cpu").glob("*.py")) == PAPER
    for name in PAPER:
        assert Config.fromfile(CONFIGS / f"{name}.py").phase == name
        assert Config.fromfile(CONFIGS / "cpu" / f"{name}.py").phase == name
    full, stage2 = (flatten(Config.fromfile(CONFIGS / f"{n}.py").to_dict()) for n in ("ablation_full", "stage2_msfam"))
    assert {k for k in full.keys() | stage2.keys() if full.get(k) != stage2.get(k)} == {"phase"}


@pytest.mark.parametrize("name", PAPER)
def test_the_cpu_leaf_changes_the_schedule_alone(name):
    leaf_file = CONFIGS / "cpu" / f"{name}.py"
    assert base_files(leaf_file) == [f"../{name}.py"]
    paper = Config.fromfile(CONFIGS / f"{name}.py")
    leaf = Config.fromfile(leaf_file)
    if leaf.get("val_dataloader", "absent") is None:  # validation off (the ablations' CPU schedule)
        assert paper.get("val_dataloader") is not None
        paper.val_dataloader = leaf.val_dataloader = None
    a, b = flatten(paper.to_dict()), flatten(leaf.to_dict())
    changed = {k for k in a.keys() | b.keys() if a.get(k, "absent") != b.get(k, "absent")}
    assert changed and all(any(fnmatch(k, pattern) for pattern in SCHEDULE_KEYS) for k in changed), changed


def test_the_cpu_schedule_of_the_shipped_weights():
    def load(name):
        return Config.fromfile(CONFIGS / "cpu" / f"{name}.py")

    for name in ("stage1_msfam", "stage1_nestfuse"):
        cfg = load(name)
        assert cfg.train_cfg.max_iters == 1000 and cfg.train_dataloader.dataset.crop_size == (128, 128)
        assert cfg.optimizer.lr == 1e-3 and cfg.train_cfg.lr_schedule.type == "cosine"
    classifier = load("classifier")
    assert not classifier.train_cfg.by_epoch and classifier.train_cfg.max_iters == 6000
    assert classifier.train_cfg.val_interval == 500 and classifier.optimizer.lr == 1e-3
    for name in ("stage2_msfam_target", "stage2_msfam"):
        cfg = load(name)
        assert (cfg.train_cfg.max_iters, cfg.train_cfg.val_interval) == (75, 25) and cfg.train_cfg.validate_at_start
    for name in (n for n in PAPER if n.startswith("ablation_")):
        cfg = load(name)
        assert cfg.train_cfg.max_iters == 60 and cfg.train_dataloader.dataset.crop_size == (176, 176)
        assert cfg.val_dataloader is None


def test_every_phase_takes_its_header_from_base():
    assert assigned_names(CONFIGS / "_base_" / "runtime.py") | assigned_names(CONFIGS / "_base_" / "data.py") >= HEADER
    for path in [*CONFIGS.glob("*.py"), *(CONFIGS / "cpu").glob("*.py")]:
        assert not assigned_names(path) & HEADER, path.name
        cfg = Config.fromfile(path)
        assert HEADER <= set(cfg) and cfg.seed == 0 and not cfg.amp.enabled


def test_data_root_defaults_to_the_repository_data_folder(monkeypatch, tmp_path):
    cfg = Config.fromfile(CONFIGS / "stage1_msfam.py")
    assert Path(cfg.data_root).resolve() == REPO / "data"
    assert Path(cfg.train_dataloader.dataset.roots[0]).resolve() == REPO / "data" / "fusion"
    assert Path(cfg.train_dataloader.dataset.exclude_pairs.file_list).resolve() == CONFIGS / "splits" / "test.txt"
    monkeypatch.setenv("MSFAM_DATA", str(tmp_path))
    for name in PAPER:
        cfg = Config.fromfile(CONFIGS / f"{name}.py")
        datasets = cfg.train_dataloader.dataset.get("pairs", cfg.train_dataloader.dataset).get(
            "datasets", [cfg.train_dataloader.dataset])
        roots = [root for d in datasets for root in d.get("roots", [d.get("root")])]
        assert cfg.data_root == str(tmp_path) and all(root.startswith(f"{tmp_path}/") for root in roots), name


def test_later_phases_read_earlier_runs_below_work_root(monkeypatch, tmp_path):
    monkeypatch.setenv("MSFAM_WORK_ROOT", str(tmp_path))
    for schedule in ("", "cpu/"):
        stage2 = Config.fromfile(CONFIGS / f"{schedule}stage2_msfam.py").task
        assert stage2.stage1_checkpoint == f"{tmp_path}/stage1_msfam/final.pth"
        assert stage2.classifier_checkpoint == f"{tmp_path}/classifier"  # its best.pth, else final.pth
        target = Config.fromfile(CONFIGS / f"{schedule}stage2_msfam_target.py").task
        assert target.floor.checkpoint == f"{tmp_path}/stage1_nestfuse/final.pth"
        assert target.classifier_checkpoint is None
    monkeypatch.delenv("MSFAM_WORK_ROOT")
    assert Config.fromfile(CONFIGS / "stage2_msfam.py").task.stage1_checkpoint == "work_dirs/stage1_msfam/final.pth"


def test_the_stage2_phases_are_named_as_the_script_assumes():
    """tools/train_fusion_all.sh gives MIN_CLASSIFIER_ACCURACY to the phases named stage2_* and ablation_*: the
    fusion tasks, the only ones that take it."""
    for name in PAPER:
        fusion = Config.fromfile(CONFIGS / f"{name}.py").task.type == "FusionTask"
        assert fusion == name.startswith(("stage2_", "ablation_")), name
