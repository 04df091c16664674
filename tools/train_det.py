"""Train a detector of configs/detection (GFLv2 R50 on a KAIST image folder) with MMDetection 3.x.

Usage:
    python tools/train_det.py gflv2_fused.py [--seed N [N ...]] [--work-dir DIR] [--data-root DIR] [--amp]
        [--resume [CKPT]] [--quiet] [--trust-checkpoint] [--cfg-options KEY=VALUE ...] [--launcher ...]

With --seed, each seed trains in turn in <work_dir>/seed<N> (default work_dirs/<config>/seed<N>), seeded
with it; test each with tools/test_det.py ... --seed N and compare them with tools/compare_det.py.

With --quiet the terminal shows a progress bar and a final line; what mmdet prints goes to
<work_dir>/train.log (mmengine's own log, <work_dir>/<timestamp>/<timestamp>.log, is written either way).

Without internet, choose the backbone's ImageNet weights explicitly (configs/detection/README.md):
    --cfg-options model.backbone.init_cfg.checkpoint=/path/resnet50.pth   or   model.backbone.init_cfg=None
"""
from __future__ import annotations

import argparse
import time
from functools import partial
from pathlib import Path

from detection.checkpoint import apply_trust_argument
from detection.runs.config import build_parser, build_runner, export_local_rank, training_config
from detection.runs.data_check import MissingDataError, check_data
from detection.runs.quiet import train_quietly


def parse_args() -> argparse.Namespace:
    parser = build_parser(__doc__.split("\n")[0], "tools/train_det.py")
    parser.add_argument("--resume", nargs="?", const="auto", metavar="CKPT",
                        help="resume from CKPT, or without a value from the latest checkpoint in the work dir")
    parser.add_argument("--amp", action="store_true", help="automatic mixed precision (GPU)")
    parser.add_argument("--seed", type=int, nargs="+", metavar="N",
                        help="training seed(s): one run per seed, in <work_dir>/seed<N>, one after the other")
    parser.add_argument("--quiet", action="store_true",
                        help="a progress bar and a final line; the logs go to <work_dir>/train.log")
    return parser.parse_args()


def train(args: argparse.Namespace, seed: int | None) -> None:
    """Train one run of the command line (of one seed)."""
    load = partial(training_config, args.config, work_dir=args.work_dir, cfg_options=args.cfg_options,
                   resume=args.resume, amp=args.amp, launcher=args.launcher, data_root=args.data_root, seed=seed)
    if not args.quiet:
        build_runner(load()).train()
        return
    start, name = time.perf_counter(), Path(args.config).stem + ("" if seed is None else f" seed {seed}")
    runner, log = train_quietly(load, name)
    if runner.rank == 0:
        print(f"{name}: trained to epoch {runner.epoch} (iteration {runner.iter}) in "
              f"{time.perf_counter() - start:.0f} s; checkpoints in {runner.work_dir}, log {log}")


def main() -> None:
    args = parse_args()
    export_local_rank(args.local_rank)
    apply_trust_argument(args)
    if args.seed and len(set(args.seed)) != len(args.seed):
        raise SystemExit(f"error: --seed lists a seed twice: {args.seed}")
    if args.seed and len(args.seed) > 1 and args.resume not in (None, "auto"):
        raise SystemExit("error: --resume CKPT resumes one run; with several seeds use --resume alone "
                         "(each seed resumes from its own work dir)")
    try:
        check_data(training_config(args.config, cfg_options=args.cfg_options, data_root=args.data_root), "train")
    except MissingDataError as error:
        raise SystemExit(f"error: {error}") from None
    for seed in args.seed or [None]:
        train(args, seed)


if __name__ == "__main__":
    main()
