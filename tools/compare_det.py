"""Compare detector runs: AP and MR^-2 per input over seeds, paired bootstrap intervals, the paper's Table 7.

Each run is a work dir (or its test_record.json) written by tools/test_det.py; a work dir holding seed<N>/
folders gives all its seeds. Runs with the same row name (the image folder: visible, lwir, nestfuse, msfam;
early_fusion, halfway_fusion for the detectors fed both bands; or NAME=DIR) are the seeds of one input: the
report shows their mean and sd. Every input is compared with --reference (default visible), msfam with
nestfuse and early_fusion / halfway_fusion with msfam when both are there (or the --pair list): a paired
bootstrap over the test images (seeds drawn too) gives each difference a 95 % interval, and the report says
which differences are told apart from noise. Writes PREFIX.md, PREFIX.csv (per input), PREFIX_runs.csv,
PREFIX_differences.csv and PREFIX.png (error bars).

Example (three seeds of each input, trained with tools/train_det.py CONFIG --seed 0 1 2):
    python tools/compare_det.py work_dirs/gflv2_visible work_dirs/gflv2_infrared \\
        work_dirs/gflv2_fused_baseline work_dirs/gflv2_fused --out reports/detection
"""
from __future__ import annotations

import argparse
import sys
import time

from tqdm import tqdm

from detection.runs.comparison import BootstrapSetup, compare_inputs, default_pairs, group_by_input
from detection.runs.comparison_report import ComparisonReport, write_report
from detection.runs.records import load_runs


def pair(text: str) -> tuple[str, str]:
    """``CANDIDATE:REFERENCE``."""
    candidate, sep, reference = text.partition(":")
    if not sep or not candidate or not reference:
        raise argparse.ArgumentTypeError(f"expected CANDIDATE:REFERENCE, got {text!r}")
    return candidate, reference


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="\n".join(__doc__.splitlines()[1:]))
    parser.add_argument("runs", nargs="+", metavar="[NAME=]DIR", help="work dirs tested by tools/test_det.py")
    parser.add_argument("--out", required=True, help="output prefix: PREFIX.md, PREFIX.csv, PREFIX.png, ...")
    parser.add_argument("--reference", "--baseline", default="visible",
                        help="input every other is compared with (default: visible)")
    parser.add_argument("--pair", type=pair, action="append", metavar="CANDIDATE:REFERENCE",
                        help="compare these two inputs instead of the default pairs (repeatable)")
    parser.add_argument("--resamples", type=int, default=1000, help="bootstrap resamples (default 1000)")
    parser.add_argument("--confidence", type=float, default=0.95, help="interval confidence (default 0.95)")
    parser.add_argument("--bootstrap-seed", type=int, default=0, help="seed of the resampling (default 0)")
    parser.add_argument("--no-bootstrap", action="store_true", help="means and spreads only")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    try:
        runs = []
        for text in args.runs:
            name, sep, path = text.partition("=")
            runs += load_runs(name, path) if sep else load_runs(None, text)
        inputs = group_by_input(runs)
    except (FileNotFoundError, ValueError) as error:
        sys.exit(f"error: {error}")
    setup = BootstrapSetup(args.resamples, args.confidence, args.bootstrap_seed)
    pairs = args.pair or default_pairs([group.name for group in inputs], args.reference)
    comparisons, n_images, note = [], 0, "--no-bootstrap" if args.no_bootstrap else None
    if pairs and not args.no_bootstrap:
        start = time.perf_counter()
        try:
            comparisons, n_images = compare_inputs(
                inputs, pairs, setup, lambda items, total: tqdm(items, total=total, desc="matching runs"))
        except (OSError, ValueError, KeyError) as error:
            note = str(error)
            print(f"no intervals: {note}", file=sys.stderr)
        else:
            print(f"paired bootstrap: {len(comparisons)} comparison(s), {setup.resamples} resamples of "
                  f"{n_images} images in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    report = ComparisonReport(inputs, comparisons, setup, n_images, note)
    paths = write_report(report, args.out)
    print(paths[0].read_text())
    for path in paths:
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
