"""The demo's detectors (``tools/demo.py``): the six ``configs/demo`` GFLv2 leaves trained with several seeds
and tested in this process exactly as ``tools/train_det.py --seed`` and ``tools/test_det.py --seed`` run them,
then compared as ``tools/compare_det.py`` does."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from tqdm import tqdm

from .comparison import BootstrapSetup, compare_inputs, default_pairs, group_by_input
from .comparison_report import ComparisonReport, write_report
from .config import build_runner, resolve_config, testing_config, training_config
from .quiet import ProgressHook
from .records import load_runs, record_test

#: The demo's detectors (``configs/demo/<name>.py``), in the report's row order: one band, pre-fused images,
#: then both bands straight into the detector.
DETECTORS = ("gflv2_visible", "gflv2_infrared", "gflv2_fused_baseline", "gflv2_fused", "gflv2_early", "gflv2_halfway")


def jobs(seeds: int) -> int:
    """Runner jobs of :func:`run_detectors`: a training and a test per detector and seed."""
    return 2 * len(DETECTORS) * seeds


def demo_options(epochs: int, size: tuple[int, int]) -> dict[str, Any]:
    """The settings the demo's command line chooses: epochs (one checkpoint, the last: the one tested), and
    every pipeline's ``Resize`` to the image size."""
    resize = {f"{loop}_dataloader.dataset.pipeline.Resize.scale": tuple(size) for loop in ("train", "val", "test")}
    return {"train_cfg.max_epochs": epochs, "default_hooks.checkpoint.interval": epochs, **resize}


def train_and_test(config: Path, data_root: Path, work_dir: Path, options: dict[str, Any], seed: int,
                   bar: tqdm) -> Path:
    """Train ``config`` with ``seed`` in ``work_dir/seed<seed>``, test its last checkpoint and write the test
    record (returned); each run advances ``bar`` by one and shows its progress in the bar's postfix."""
    common = dict(work_dir=str(work_dir), cfg_options=options, data_root=str(data_root), seed=seed)
    runner = build_runner(training_config(config, **common))
    label = f"{config.stem} seed {seed}"
    runner.register_hook(ProgressHook(bar, label, advance=False))
    runner.train()
    bar.update()
    checkpoint = Path(runner.work_dir) / f"epoch_{runner.epoch}.pth"
    cfg = testing_config(config, str(checkpoint), **common)
    runner = build_runner(cfg)
    runner.register_hook(ProgressHook(bar, label, advance=False))
    metrics = runner.test()
    bar.update()
    return record_test(cfg, metrics, resolve_config(config), checkpoint, seed)


def run_detectors(configs: Path, data_root: Path, out: Path, epochs: int, size: tuple[int, int], seeds: int,
                  bar: tqdm) -> list[Path]:
    """Train and test the :data:`DETECTORS` on ``data_root`` with seeds ``0 .. seeds - 1`` (work dirs
    ``out/work_dirs/<name>/seed<N>``); ``bar`` counts the :func:`jobs`. Returns the detectors' work dirs."""
    options = demo_options(epochs, size)
    work_dirs = [out / "work_dirs" / name for name in DETECTORS]
    for name, work_dir in zip(DETECTORS, work_dirs):
        for seed in range(seeds):
            train_and_test(configs / f"{name}.py", data_root, work_dir, options, seed, bar)
    return work_dirs


def compare(work_dirs: list[Path], prefix: Path, setup: BootstrapSetup = BootstrapSetup()) -> ComparisonReport:
    """The comparison report of tested work dirs (their seeds): ``PREFIX.{md,csv,png}`` and the rest of
    :func:`.comparison_report.write_report`, every input against visible and msfam against nestfuse."""
    inputs = group_by_input(run for work_dir in work_dirs for run in load_runs(None, work_dir))
    comparisons, n_images = compare_inputs(inputs, default_pairs([group.name for group in inputs], "visible"),
                                           setup)
    report = ComparisonReport(inputs, comparisons, setup, n_images)
    write_report(report, prefix)
    return report
