"""Does fusion tuned with the detector's loss help a detector? Retrained detectors judge it, on a 2-core CPU.

On a synthetic KAIST whose bands disagree as in the real world (fusion.datasets.synthetic_kaist,
``disagreeing_bands``: faint people in thermal by day, dark ones in visible by night, hot objects that are not
people, people-like shapes in one band only):

1. fuse it with the shipped NestFuse and MSFAM (and copy both bands): ``<out>/kaist_fused``;
2. train and test the demo's GFLv2 from scratch on visible, infrared, NestFuse and MSFAM images, ``--seeds``
   seeds each;
3. for each ``--modes`` coupling: fine-tune MSFAM in the loop (configs/demo/gflv2_tuned_<mode>.py; ``frozen``
   against the MSFAM detector of seed 0), export it (tools/export_tuned_fusion.py's function), re-fuse the
   dataset with it (``<out>/kaist_fused/msfam_tuned_<mode>``), and retrain the same GFLv2 from scratch on those
   images with every seed (row ``msfam_tuned_<mode>``);
4. compare every input with visible, each tuned fusion with MSFAM (paired bootstrap over test images and seeds):
   ``<out>/detection.{md,csv,png}``, and write ``<out>/timings.json``;
5. with ``--real``: the real labelled pairs of ``--data-root`` (KAIST test-mini-9, LLVIP's 15 + 9 and MSRS's 25
   pairs with person boxes) fused by NestFuse, the shipped and each tuned MSFAM, and ``<out>/real_pairs.md``: the
   infrared contrast each keeps on the annotated people (``person_target_contrast``), with the pair and box counts;
6. with ``--quality``: the fusion quality report (tools/fusion_report.py quality: held-out, TNO-21, MSRS from
   ``--data-root``) of the shipped MSFAM and of each tuned one, and ``<out>/quality.md``: the paper's six metrics
   and ITC side by side, with each tuned network's relative difference from the shipped one.

Each finished step is kept: rerunning resumes (a run with a test record is not trained again).

Examples:
    python bench/bench_tuned_fusion.py --out outputs/tuned_bench --pairs-per-set 24 --epochs 6 --seeds 3 \\
        --real --quality
    # at KAIST's size on a GPU (written for CUDA, not yet run on a GPU)
    python bench/bench_tuned_fusion.py --out outputs/tuned_bench_gpu --size 640x512 --pairs-per-set 200 \
        --epochs 12 --tune-epochs 12 --device cuda --real --quality
"""
from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np
from mmengine.config import DictAction
from tqdm import tqdm

from detection.checkpoint import load_local_checkpoint
from detection.runs.comparison import BootstrapSetup, compare_inputs, default_pairs, group_by_input
from detection.runs.comparison_report import ComparisonReport, verdict_sentence, write_report
from detection.runs.config import build_runner, training_config
from detection.runs.demo import demo_options, train_and_test
from detection.runs.quiet import output_to
from detection.runs.records import load_runs
from fusion.datasets.synthetic_kaist import make_synthetic_kaist
from fusion.integrations.tuned_fusion import export_tuned_fusion
from fusion.jobs.demo import SPLITS, fuse_demo_dataset, shipped_weights
from fusion.jobs.fuse_dataset import ADAPTERS, KaistAdapter, PixelOptions, RunOptions, fuse_dataset
from fusion.metrics import PAPER_METRICS, person_target_contrast
from fusion.utils.cli import image_size

REPO = Path(__file__).resolve().parents[1]
CONFIGS = REPO / "configs" / "demo"
#: The retrained detectors of the starting inputs: configs/demo leaf -> row name.
BASELINES = {"gflv2_visible": "visible", "gflv2_infrared": "lwir", "gflv2_fused_baseline": "nestfuse",
             "gflv2_fused": "msfam"}
MODES = ("frozen", "joint", "alternating")

#: The real labelled pairs: name -> (fuse_dataset adapter, root under --data-root, split, adapter options).
REAL_SETS = {
    "kaist": ("kaist", "kaist", "test-mini-9", {}),
    "llvip_test": ("llvip", "fusion/llvip", "test", {"annotations": "fusion/llvip/lwir_test_annotations.json"}),
    "llvip_train": ("llvip", "fusion/llvip_train", "train", {}),
    "msrs": ("msrs", "fusion/msrs", "test", {})}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="\n".join(__doc__.splitlines()[1:]))
    parser.add_argument("--out", default="outputs/tuned_bench", help="output folder (default: outputs/tuned_bench)")
    parser.add_argument("--pairs-per-set", type=int, default=20, help="frames in each of the 4 synthetic sets")
    parser.add_argument("--size", type=image_size, default=(320, 256), metavar="WxH", help="image size (320x256)")
    parser.add_argument("--epochs", type=int, default=6, help="epochs of every detector trained from scratch")
    parser.add_argument("--tune-epochs", type=int, default=6, help="epochs of the fine-tuning in the loop")
    parser.add_argument("--seeds", type=int, default=3, help="seeds of every retrained detector (default 3)")
    parser.add_argument("--modes", default=",".join(MODES), help="couplings to tune with (default: all three)")
    parser.add_argument("--cfg-options", nargs="+", action=DictAction, default={}, metavar="KEY=VALUE",
                        help="extra overrides of the tuning configs (e.g. model.fusion_loss_weight=0.5)")
    parser.add_argument("--device", default="cpu",
                        help="where the fusion networks fuse the datasets (cpu, cuda, ...; the detectors train where "
                             "mmengine finds a GPU)")
    parser.add_argument("--real", action="store_true", help="also the real labelled pairs (step 5)")
    parser.add_argument("--real-sets", default=",".join(REAL_SETS),
                        help=f"the real sets of --real (default: {','.join(REAL_SETS)})")
    parser.add_argument("--quality", action="store_true", help="also the fusion quality reports (step 6)")
    parser.add_argument("--no-leaderboards", action="store_true",
                        help="--quality without ranking among the published methods (much quicker)")
    parser.add_argument("--data-root", default="../shared/data", help="data of --real and --quality (../shared/data)")
    return parser.parse_args(argv)


def trained(work_dir: Path, seed: int) -> bool:
    return (work_dir / f"seed{seed}" / "test_record.json").is_file()


def retrain(config: str, data_root: Path, work_dir: Path, options: dict, seeds: int, bar: tqdm) -> Path:
    """Train and test ``config`` from scratch with every seed (skipping tested ones); returns the work dir."""
    for seed in range(seeds):
        if not trained(work_dir, seed):
            train_and_test(CONFIGS / f"{config}.py", data_root, work_dir, options, seed, bar)
        else:
            bar.update(2)
    return work_dir


def tune(mode: str, fused_root: Path, out: Path, options: dict, extra: dict) -> Path:
    """Fine-tune MSFAM in the loop with ``mode`` (seed 0) and export it; returns the fusion checkpoint."""
    exported = out / "tuned" / f"msfam_{mode}.pth"
    if exported.is_file():
        return exported
    config = CONFIGS / f"gflv2_tuned_{mode}.py"
    cfg_options = {**options, **extra}
    if mode == "frozen":
        cfg_options["model.detector_checkpoint"] = str(_last_checkpoint(out / "work_dirs" / "gflv2_fused" / "seed0"))
    work_dir = out / "tuning" / mode
    cfg = training_config(config, work_dir=str(work_dir), cfg_options=cfg_options, data_root=str(fused_root), seed=0)
    runner = build_runner(cfg)
    runner.train()
    checkpoint = _last_checkpoint(Path(runner.work_dir))
    training = {"config": str(config), "checkpoint": str(checkpoint),
                "train_data": {"data_root": str(fused_root), "ann_file": cfg.train_dataloader.dataset.ann_file}}
    export_tuned_fusion(cfg.model, load_local_checkpoint(str(checkpoint), map_location="cpu"), exported, training)
    return exported


def _last_checkpoint(work_dir: Path) -> Path:
    checkpoints = sorted(work_dir.glob("epoch_*.pth"), key=lambda p: int(p.stem.split("_")[1]))
    if not checkpoints:
        raise FileNotFoundError(f"no epoch_*.pth in {work_dir}")
    return checkpoints[-1]


def refuse(source: Path, fused_root: Path, folder: str, checkpoint: Path, device: str = "cpu") -> None:
    """The synthetic KAIST fused again with the tuned MSFAM into ``fused_root/<folder>``, beside the other inputs
    (``tools/fuse_dataset.py --methods <folder>=msfam``: every detector is scored on the same annotation file)."""
    for split in SPLITS:
        fuse_dataset(KaistAdapter(source), fused_root, [f"{folder}=msfam"], split=split, pixels=PixelOptions(),
                     options=RunOptions(device=device, batch_size=4, workers=0, progress=False),
                     checkpoints={folder: str(checkpoint)},
                     log=lambda _: None)


def real_pairs_table(checkpoints: dict[str, Path], out: Path, data_root: Path,
                     sets: list[str] | None = None) -> str:
    """Fuse each real labelled set with NestFuse, the shipped MSFAM and the tuned ones (``{folder: checkpoint}``)
    and tabulate the labelled people's infrared contrast each keeps (sum over the set's boxes, as a ratio)."""
    folders = ["nestfuse", "msfam", *checkpoints]
    lines = ["| set | pairs | person boxes | " + " | ".join(folders) + " |", "|---" * (len(folders) + 3) + "|"]
    for name in sets or list(REAL_SETS):
        dataset, root, split, extra = REAL_SETS[name]
        target = out / "real" / name
        options = {key: str(data_root / value) for key, value in extra.items()}
        fuse_dataset(ADAPTERS[dataset](data_root / root, **options), target,
                     ["lwir", "nestfuse", "msfam", *(f"{folder}=msfam" for folder in checkpoints)], split=split,
                     options=RunOptions(batch_size=1, workers=0, progress=False),
                     checkpoints={folder: str(path) for folder, path in checkpoints.items()}, log=lambda _: None)
        coco = json.loads((target / "annotations" / f"{split}.json").read_text())
        boxes: dict[int, list] = {}
        for box in coco["annotations"]:
            if not box.get("ignore") and not box.get("iscrowd"):
                boxes.setdefault(box["image_id"], []).append(box["bbox"])
        sums = {folder: [0.0, 0.0] for folder in folders}
        for image in coco["images"]:
            ir = cv2.imread(str(target / "lwir" / image["file_name"]), cv2.IMREAD_GRAYSCALE).astype(np.float64)
            for folder in folders:
                fused = cv2.imread(str(target / folder / image["file_name"]), cv2.IMREAD_GRAYSCALE).astype(np.float64)
                kept, source = person_target_contrast(ir, fused, boxes.get(image["id"], []))
                sums[folder][0] += kept
                sums[folder][1] += source
        cells = [f"{kept / source:.3f}" if source else "-" for kept, source in sums.values()]
        counts = f"{len(coco['images'])} | {sum(map(len, boxes.values()))}"
        lines.append(f"| {name} | {counts} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def quality_reports(checkpoints: dict[str, Path | None], out: Path, data_root: str,
                    leaderboards: bool = True) -> dict[str, Path]:
    """tools/fusion_report.py quality for each named MSFAM checkpoint (None: the shipped one), fused images cached
    in one folder (keyed by the weights' hash). Returns each report's quality.csv."""
    csvs = {}
    for name, checkpoint in checkpoints.items():
        report = out / "quality" / name
        if not (report / "quality.csv").is_file():
            argv = ["quality", "--methods", "nestfuse,msfam", "--data-root", data_root, "--workers", "2",
                    "--work-dir", str(out / "quality" / "cache"), "--out", str(report), "--speed-repeats", "1"]
            argv += [] if leaderboards else ["--published", str(out / "quality" / "none")]  # absent: no leaderboards
            argv += ["--checkpoint", f"msfam={checkpoint}"] if checkpoint else []
            subprocess.run([sys.executable, str(REPO / "tools" / "fusion_report.py"), *argv], cwd=REPO, check=True)
        csvs[name] = report / "quality.csv"
    return csvs


def quality_table(csvs: dict[str, Path], reference: str = "shipped") -> str:
    """The paper's six metrics and ITC of MSFAM in each report, per set, with the relative difference of each
    other report from ``reference``."""
    rows: dict[str, dict[str, dict[str, float]]] = {}
    for name, path in csvs.items():
        with path.open() as handle:
            for row in csv.DictReader(handle):
                if row["method"] == "msfam":
                    rows.setdefault(row["set"], {})[name] = {m: float(row[m]) for m in (*PAPER_METRICS, "ITC")}
    lines = []
    for set_name, by_name in rows.items():
        lines += [f"### {set_name}", "", "| MSFAM | " + " | ".join((*PAPER_METRICS, "ITC")) + " |",
                  "|---" * (len(PAPER_METRICS) + 2) + "|"]
        for name, values in by_name.items():
            cells = []
            for metric, value in values.items():
                change = 100 * (value / by_name[reference][metric] - 1) if name != reference else None
                cells.append(f"{value:.4f}" + ("" if change is None else f" ({change:+.1f} %)"))
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    modes = [m for m in args.modes.split(",") if m]
    extra = dict(args.cfg_options)
    source, fused_root, log = out / "synthetic_kaist", out / "kaist_fused", out / "bench.log"
    timings: dict[str, float] = {}
    jobs = 2 * args.seeds * (len(BASELINES) + len(modes))
    with tqdm(total=jobs, desc="detectors", unit="run") as bar, output_to(log):
        start = time.perf_counter()
        if not (source / "imageSets").is_dir():
            make_synthetic_kaist(source, pairs_per_set=args.pairs_per_set, width=args.size[0], height=args.size[1],
                                 disagreeing_bands=True)
        weights = shipped_weights()
        if weights is None:
            raise SystemExit("the shipped MSFAM and NestFuse weights are needed (fusion/weights/)")
        fuse_demo_dataset(source, fused_root, weights, args.device)
        timings["dataset_s"] = time.perf_counter() - start
        options = demo_options(args.epochs, args.size)
        work_dirs = []
        for config in BASELINES:
            start = time.perf_counter()
            work_dirs.append(retrain(config, fused_root, out / "work_dirs" / config, options, args.seeds, bar))
            timings[f"{config}_s"] = time.perf_counter() - start
        for mode in modes:
            start = time.perf_counter()
            checkpoint = tune(mode, fused_root, out, demo_options(args.tune_epochs, args.size), extra)
            timings[f"tune_{mode}_s"] = time.perf_counter() - start
            folder = f"msfam_tuned_{mode}"
            if not (fused_root / folder).is_dir():
                refuse(source, fused_root, folder, checkpoint, args.device)
            start = time.perf_counter()
            row = {**options, **{f"{loop}_dataloader.dataset.data_prefix.img": f"{folder}/"
                                 for loop in ("train", "val", "test")}}
            work_dirs.append(retrain("gflv2_fused", fused_root, out / "work_dirs" / folder, row, args.seeds, bar))
            timings[f"retrain_{mode}_s"] = time.perf_counter() - start
    inputs = group_by_input(run for work_dir in work_dirs for run in load_runs(None, work_dir))
    names = [group.name for group in inputs]
    pairs = default_pairs(names, "visible")
    setup = BootstrapSetup()
    comparisons, n_images = compare_inputs(inputs, pairs, setup)
    write_report(ComparisonReport(inputs, comparisons, setup, n_images), out / "detection")
    (out / "timings.json").write_text(json.dumps(timings, indent=2))
    print((out / "detection.md").read_text())
    print("\n".join(f"- {verdict_sentence(c)}" for c in comparisons))
    tuned = {f"msfam_tuned_{m}": out / "tuned" / f"msfam_{m}.pth" for m in modes}
    if args.real:
        table = real_pairs_table(tuned, out, Path(args.data_root), [s for s in args.real_sets.split(",") if s])
        (out / "real_pairs.md").write_text("# Real labelled pairs: infrared contrast kept on annotated people\n\n"
                                           + table)
        print(table)
    if args.quality:
        checkpoints = {"shipped": None, **{f"tuned_{m}": out / "tuned" / f"msfam_{m}.pth" for m in modes}}
        table = quality_table(quality_reports(checkpoints, out, args.data_root, not args.no_leaderboards))
        (out / "quality.md").write_text("# MSFAM fine-tuned in the loop: fusion quality beside the shipped MSFAM\n\n"
                                        + table)
        print(table)


if __name__ == "__main__":
    main()
