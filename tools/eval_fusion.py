"""Score fused images against their infrared and visible sources with the fusion metrics.

Images are paired by file name stem (extensions may differ). One row per method (mean over the
images), written as PREFIX.md (with the metric conventions), PREFIX.csv and PREFIX.json (also per image).

Example:
    python tools/eval_fusion.py --ir data/tno21/ir --vis data/tno21/vi \
        --fused msfam=outputs/msfam/tno21 --fused nestfuse=outputs/nestfuse/tno21 --out outputs/eval_tno21
"""
from __future__ import annotations

import argparse
import sys
import time

import torch
from tqdm import tqdm

from fusion.metrics.table import METRICS, check_metric_names
from fusion.reports.folder_scores import evaluate_folders
from fusion.utils.cli import name_value


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ir", required=True, help="folder of infrared source images")
    parser.add_argument("--vis", required=True, help="folder of visible source images")
    parser.add_argument("--fused", required=True, action="append", type=name_value, metavar="NAME=DIR",
                        help="a method's folder of fused images; repeat for several methods (one row each)")
    parser.add_argument("--metrics", default=",".join(METRICS),
                        help=f"comma-separated metric names (default: all): {','.join(METRICS)}")
    parser.add_argument("--out", help="output prefix: writes PREFIX.md, PREFIX.csv, PREFIX.json "
                                      "(default: print the Markdown table only)")
    parser.add_argument("--workers", type=int, default=1, help="processes scoring images in parallel")
    parser.add_argument("--skip-missing", action="store_true",
                        help="leave out images missing from any folder instead of stopping")
    args = parser.parse_args(argv)
    names = [name for name, _ in args.fused]
    if len(set(names)) != len(names):
        parser.error(f"method names must be unique, got {names}")
    try:
        args.metrics = check_metric_names(name.strip() for name in args.metrics.split(",") if name.strip())
    except ValueError as error:
        parser.error(str(error))
    if args.workers < 1:
        parser.error("--workers must be at least 1")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    torch.set_num_threads(1)  # per-image ops are small: parallelise over images (--workers) instead
    progress = lambda results, total: tqdm(results, total=total, desc="scoring", unit="image")  # noqa: E731
    start = time.perf_counter()
    try:
        report = evaluate_folders(args.ir, args.vis, dict(args.fused), args.metrics, args.skip_missing,
                                  args.workers, progress)
    except (FileNotFoundError, ValueError) as error:
        sys.exit(f"error: {error}")
    elapsed = time.perf_counter() - start
    print(report.to_markdown())
    if args.out:
        for path in report.write(args.out):
            print(f"wrote {path}")
    print(f"scored {len(report.images)} image(s) x {len(report.methods)} method(s) in {elapsed:.1f} s "
          f"({elapsed / (len(report.images) * len(report.methods)):.2f} s per fused image, {args.workers} worker(s))")


if __name__ == "__main__":
    main()
