"""Train a detector of configs/detection (GFLv2 R50 on a KAIST image folder) with MMDetection 3.x.

Usage:
    python tools/train_det.py gflv2_fused.py [--work-dir DIR] [--data-root DIR] [--amp] [--resume [CKPT]]
        [--cfg-options KEY=VALUE ...] [--launcher {none,pytorch,slurm,mpi}]

Without internet, choose the backbone's ImageNet weights explicitly (configs/detection/README.md):
    --cfg-options model.backbone.init_cfg.checkpoint=/path/resnet50.pth   or   model.backbone.init_cfg=None
"""
from __future__ import annotations

import argparse

from detection.config import build_parser, build_runner, export_local_rank, training_config


def parse_args() -> argparse.Namespace:
    parser = build_parser(__doc__.split("\n")[0], "tools/train_det.py")
    parser.add_argument("--resume", nargs="?", const="auto", metavar="CKPT",
                        help="resume from CKPT, or without a value from the latest checkpoint in the work dir")
    parser.add_argument("--amp", action="store_true", help="automatic mixed precision (GPU)")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    export_local_rank(args.local_rank)
    cfg = training_config(args.config, work_dir=args.work_dir, cfg_options=args.cfg_options, resume=args.resume,
                          amp=args.amp, launcher=args.launcher, data_root=args.data_root)
    build_runner(cfg).train()


if __name__ == "__main__":
    main()
