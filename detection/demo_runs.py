"""The demo's detectors (``tools/demo.py``): the four ``configs/demo`` GFLv2 leaves trained and tested in this
process exactly as ``tools/train_det.py`` and ``tools/test_det.py`` run them, then compared as
``tools/compare_det.py`` does."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from tqdm import tqdm

from .comparison import load_run, record_test, write_report
from .config import build_runner, resolve_config, testing_config, training_config
from .quiet import ProgressHook

#: The demo's detectors (``configs/demo/<name>.py``), in the report's row order.
DETECTORS = ("gflv2_visible", "gflv2_infrared", "gflv2_fused_baseline", "gflv2_fused")
#: Runner jobs of :func:`run_detectors`: a training and a test per detector.
JOBS = 2 * len(DETECTORS)


def demo_options(epochs: int, size: tuple[int, int]) -> dict[str, Any]:
    """The settings the demo's command line chooses: epochs, and every pipeline's ``Resize`` to the image size."""
    resize = {f"{loop}_dataloader.dataset.pipeline.Resize.scale": tuple(size) for loop in ("train", "val", "test")}
    return {"train_cfg.max_epochs": epochs, **resize}


def train_and_test(config: Path, data_root: Path, work_dir: Path, options: dict[str, Any], bar: tqdm) -> Path:
    """Train ``config``, test its last checkpoint and write the test record (returned); each run advances
    ``bar`` by one and shows its progress in the bar's postfix."""
    common = dict(work_dir=str(work_dir), cfg_options=options, data_root=str(data_root))
    runner = build_runner(training_config(config, **common))
    runner.register_hook(ProgressHook(bar, config.stem, advance=False))
    runner.train()
    bar.update()
    checkpoint = work_dir / f"epoch_{runner.epoch}.pth"
    cfg = testing_config(config, str(checkpoint), **common)
    runner = build_runner(cfg)
    runner.register_hook(ProgressHook(bar, config.stem, advance=False))
    metrics = runner.test()
    bar.update()
    return record_test(cfg, metrics, resolve_config(config), checkpoint)


def run_detectors(configs: Path, data_root: Path, out: Path, epochs: int, size: tuple[int, int],
                  bar: tqdm) -> list[Path]:
    """Train and test the :data:`DETECTORS` on ``data_root`` (work dirs ``out/work_dirs/<name>``); ``bar``
    counts the :data:`JOBS`. Returns the work dirs."""
    options = demo_options(epochs, size)
    work_dirs = [out / "work_dirs" / name for name in DETECTORS]
    for name, work_dir in zip(DETECTORS, work_dirs):
        train_and_test(configs / f"{name}.py", data_root, work_dir, options, bar)
    return work_dirs


def compare(work_dirs: list[Path], prefix: Path) -> list[Path]:
    """The comparison report of tested work dirs: ``PREFIX.{md,csv,png}`` (returned)."""
    return write_report([load_run(None, work_dir) for work_dir in work_dirs], prefix)
