"""Compare detector runs side by side: COCO AP and KAIST MR^-2 per input, differences from visible-only.

Each run is a work dir (or its test_record.json) written by tools/test_det.py. Rows are named after the
image folder (visible, lwir, nestfuse, msfam, ...) unless given as NAME=DIR. Writes PREFIX.md, PREFIX.csv
and PREFIX.png (bar chart), with where every row came from (config, checkpoint, the fused folder's meta.json).

Example:
    python tools/compare_det.py work_dirs/gflv2_visible work_dirs/gflv2_infrared \
        work_dirs/gflv2_fused_baseline work_dirs/gflv2_fused --out reports/detection
"""
from __future__ import annotations

import argparse
import sys

from detection.comparison import load_run, write_report


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="\n".join(__doc__.splitlines()[1:]))
    parser.add_argument("runs", nargs="+", metavar="[NAME=]DIR", help="work dirs tested by tools/test_det.py")
    parser.add_argument("--out", required=True, help="output prefix: PREFIX.md, PREFIX.csv, PREFIX.png")
    parser.add_argument("--baseline", default="visible", help="row the differences are taken from (default: visible)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    try:
        runs = []
        for text in args.runs:
            name, sep, path = text.partition("=")
            runs.append(load_run(name, path) if sep else load_run(None, text))
    except FileNotFoundError as error:
        sys.exit(f"error: {error}")
    paths = write_report(runs, args.out, args.baseline)
    print(paths[0].read_text())
    for path in paths:
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
