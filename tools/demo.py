"""The README's demo: the whole pipeline on a built-in synthetic dataset in the KAIST layout, on the CPU.

1. Write a small synthetic KAIST (colour/thermal pairs, day and night, annotated warm figures).
2. Fusion weights: the shipped MSFAM and NestFuse weights, or, while none are shipped, small demo weights
   trained here for a few iterations on the synthetic pairs (stage 1, then stage 2 without the classifier).
   They show the pipeline working; they are not the paper's models.
3. ``fuse_dataset kaist``: fuse the train and test lists with msfam and nestfuse, copy the visible and lwir
   bands; write the COCO annotations.
4. Score the fused test images with the fusion metrics.
5. Train the four GFLv2 detectors (visible, infrared, NestFuse-fused, MSFAM-fused) for a few iterations at a
   small input size, from scratch (no ImageNet weights), test them, and write the comparison report.

Outputs under ``--out``: ``synthetic_kaist/``, ``weights/``, ``kaist_fused/``, ``fusion_quality.{md,csv,json}``,
``work_dirs/<config>/``, ``detection.{md,csv,png}``. Rerunning resumes finished steps where the tools do.

Example:
    python tools/demo.py --out outputs/demo
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

from mmengine.config import Config

from fusion.apis import default_checkpoint
from fusion.datasets.synthetic_kaist import make_synthetic_kaist
from fusion.engine import Trainer
from fusion.fused_dataset import PixelOptions, RunOptions, fuse_kaist
from fusion.metrics import METRICS, evaluate_pair, read_gray
from fusion.metrics.report import FusionReport
from fusion.utils.cli import image_size

REPO = Path(__file__).resolve().parents[1]
DEMO_WIDTHS = (16, 28, 40, 52)  # a quarter of the paper's widths: the demo weights train in seconds
DETECTORS = {"gflv2_visible": "visible", "gflv2_infrared": "lwir", "gflv2_fused_baseline": "nestfuse",
             "gflv2_fused": "msfam"}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="\n".join(__doc__.splitlines()[1:]))
    parser.add_argument("--out", default="outputs/demo", help="output folder (default: outputs/demo)")
    parser.add_argument("--pairs-per-set", type=int, default=6, help="frames in each of the 4 synthetic sets")
    parser.add_argument("--size", type=image_size, default=(320, 256), metavar="WxH", help="synthetic image size WxH (default 320x256; KAIST: 640x512)")
    parser.add_argument("--fusion-iters", type=int, default=60, help="iterations of each demo-weights phase")
    parser.add_argument("--det-epochs", type=int, default=2, help="training epochs of each demo detector")
    parser.add_argument("--device", default="cpu", help="device for fusion (cpu, cuda, ...)")
    return parser.parse_args(argv)


def train_demo_weights(root: Path, out: Path, iters: int, device: str) -> dict[str, Path]:
    """Small MSFAM (stage 1 + stage 2, no classifier) and NestFuse weights from the synthetic pairs."""
    train_pairs = len((root / "imageSets" / "synthetic-train.txt").read_text().split())
    common = dict(seed=0, device=device, amp=dict(enabled=False), optimizer=dict(type="Adam", lr=1e-3),
                  train_cfg=dict(by_epoch=False, max_iters=iters, log_interval=10, checkpoint_interval=iters))
    singles = dict(batch_size=4, num_workers=0, dataset=dict(
        type="SingleImageDataset", roots=[str(root / "images")], crop_size=(96, 80), flip=True))
    runs = {
        "stage1_msfam": dict(task=dict(type="ReconstructionTask",
                                       model=dict(type="msfam_handcrafted", widths=DEMO_WIDTHS)),
                             train_dataloader=singles),
        "nestfuse": dict(task=dict(type="ReconstructionTask", model=dict(type="nestfuse", widths=DEMO_WIDTHS)),
                         train_dataloader=singles),
        "msfam": dict(task=dict(type="FusionTask", model=dict(type="msfam", widths=DEMO_WIDTHS),
                                stage1_checkpoint=str(out / "stage1_msfam" / "final.pth"),
                                loss=dict(type="FusionTotalLoss", alpha2=0.0, beta=2.0,
                                          push_pull_cfg=dict(levels=3, win_size=5)),
                                lr_mult=dict(encoder=0.0, fusions=1.0, decoder=0.5)),
                      train_dataloader=dict(batch_size=min(4, train_pairs), num_workers=0, dataset=dict(
                          type="KaistPairDataset", root=str(root), split="synthetic-train", crop_size=(96, 80)))),
    }
    for phase, cfg in runs.items():
        work = out / phase
        if not (work / "final.pth").is_file():
            print(f"demo weights: {phase}, {iters} iterations")
            Trainer(Config(dict(phase=f"demo_{phase}", **common, **cfg)), work, progress=False).run()
    return {"msfam": out / "msfam" / "final.pth", "nestfuse": out / "nestfuse" / "final.pth"}


def fusion_weights(root: Path, out: Path, iters: int, device: str) -> dict[str, Path]:
    """Shipped weights where they exist, else demo weights."""
    shipped = {name: default_checkpoint(name) for name in ("msfam", "nestfuse")}
    if all(shipped.values()):
        return shipped  # type: ignore[return-value]
    print("no shipped MSFAM/NestFuse weights yet: training small demo weights (not the paper's models)")
    return train_demo_weights(root, out, iters, device)


def score_fusion(root: Path, fused_root: Path, frames: list[str], methods: list[str], out: Path) -> None:
    """Fusion metrics of every method on the test frames (greyscale luminance of the written files)."""
    per_image: dict[str, dict[str, dict[str, float]]] = {method: {} for method in methods}
    for frame in frames:
        set_id, video, image = frame.split("/")
        ir = read_gray(root / "images" / set_id / video / "lwir" / f"{image}.jpg")
        vis = read_gray(root / "images" / set_id / video / "visible" / f"{image}.jpg")
        for method in methods:
            per_image[method][frame] = evaluate_pair(ir, vis, read_gray(fused_root / method / f"{frame}.jpg"))
    report = FusionReport(list(METRICS), {m: str(fused_root / m) for m in methods}, frames, per_image)
    print(report.to_markdown())
    report.write(out / "fusion_quality")


def run_tool(*args: str) -> None:
    """Run one of the project's tools as a user would, echoing the command."""
    command = [sys.executable, str(REPO / "tools" / args[0]), *args[1:]]
    print("$ " + " ".join(command[1:]), flush=True)
    subprocess.run(command, check=True)


def detect(fused_root: Path, out: Path, epochs: int, size: tuple[int, int]) -> list[str]:
    """Train and test the four detectors; returns their work dirs."""
    scale = f"({size[0]},{size[1]})"
    options = ["model.backbone.init_cfg=None", f"train_cfg.max_epochs={epochs}", "train_cfg.val_interval=1000",
               "train_dataloader.batch_size=4", "train_dataloader.num_workers=0",
               "train_dataloader.persistent_workers=False", "val_dataloader.num_workers=0",
               "val_dataloader.persistent_workers=False", "test_dataloader.num_workers=0",
               "test_dataloader.persistent_workers=False", "default_hooks.logger.interval=1",
               "param_scheduler.0.end=5", "model.test_cfg.score_thr=0.0",
               "train_dataloader.dataset.ann_file=annotations/synthetic-train.json",
               "val_dataloader.dataset.ann_file=annotations/synthetic-test.json",
               "test_dataloader.dataset.ann_file=annotations/synthetic-test.json",
               f"val_evaluator.ann_file={fused_root}/annotations/synthetic-test.json",
               f"test_evaluator.ann_file={fused_root}/annotations/synthetic-test.json",
               f"train_dataloader.dataset.pipeline.2.scale={scale}", f"val_dataloader.dataset.pipeline.1.scale={scale}",
               f"test_dataloader.dataset.pipeline.1.scale={scale}"]
    work_dirs = []
    for config in DETECTORS:
        work = out / "work_dirs" / config
        run_tool("train_det.py", f"{config}.py", "--work-dir", str(work), "--data-root", str(fused_root),
                 "--cfg-options", *options)
        run_tool("test_det.py", f"{config}.py", str(work / f"epoch_{epochs}.pth"), "--work-dir", str(work),
                 "--data-root", str(fused_root), "--cfg-options", *options)
        work_dirs.append(str(work))
    return work_dirs


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    width, height = args.size
    out = Path(args.out).resolve()
    start = time.perf_counter()

    root = out / "synthetic_kaist"
    make_synthetic_kaist(root, pairs_per_set=args.pairs_per_set, width=width, height=height)
    print(f"synthetic KAIST: {4 * args.pairs_per_set} pairs at {width}x{height} in {root}")

    checkpoints = fusion_weights(root, out / "weights", args.fusion_iters, args.device)
    fused_root = out / "kaist_fused"
    methods = ["visible", "lwir", "nestfuse", "msfam"]
    for split in ("synthetic-train", "synthetic-test"):
        fuse_kaist(root, fused_root, methods, split=split, pixels=PixelOptions(),
                   options=RunOptions(device=args.device, batch_size=4, workers=0, progress=False),
                   checkpoints={name: str(path) for name, path in checkpoints.items()})
    test_frames = (root / "imageSets" / "synthetic-test.txt").read_text().split()
    score_fusion(root, fused_root, test_frames, ["nestfuse", "msfam"], out)

    work_dirs = detect(fused_root, out, args.det_epochs, (width, height))
    run_tool("compare_det.py", *work_dirs, "--out", str(out / "detection"))
    print(f"demo finished in {time.perf_counter() - start:.0f} s; reports: {out / 'fusion_quality.md'}, "
          f"{out / 'detection.md'}")


if __name__ == "__main__":
    main()
