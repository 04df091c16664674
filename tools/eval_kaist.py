"""Score a KAIST detection result file: COCO AP and reasonable MR^-2 on all / day / night.

Result formats (``--format auto`` picks by suffix): ``kaist`` text ``image_index,x,y,w,h,score`` with a
1-based index into the annotation's image order (.txt), ``coco`` results json (.json), ``mmdet`` pickle of
``tools/test_det.py --out results.pkl`` (.pkl). Every image of the annotation file is scored.

Example:
    python tools/eval_kaist.py --ann ../shared/data/kaist/KAIST_annotation.json \
        --results ../shared/data/kaist/results/MLPD_result.txt --out outputs/eval_mlpd
"""
from __future__ import annotations

import argparse
import sys
import time

from detection.evaluation import FORMATS, evaluate_kaist, load_detections, load_ground_truth, to_markdown, write_report


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ann", required=True, help="ground-truth json (this project's conversion or the kits' "
                                                     "KAIST_annotation.json)")
    parser.add_argument("--results", required=True, help="result file to score")
    parser.add_argument("--format", default="auto", choices=("auto", *FORMATS), help="result format")
    parser.add_argument("--out", help="output prefix: writes PREFIX.md and PREFIX.json")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    start = time.perf_counter()
    try:
        gt = load_ground_truth(args.ann)
        dets = load_detections(args.results, gt, args.format)
    except (OSError, ValueError, KeyError) as error:
        sys.exit(f"error: {error}")
    metrics = evaluate_kaist(gt, dets)
    elapsed = time.perf_counter() - start
    n_dets = sum(len(rows) for rows in dets.values())
    print(to_markdown(metrics))
    print(f"{n_dets} detection(s) on {len(dets)} of {len(gt)} image(s), {len(gt.annotations)} ground-truth "
          f"box(es); scored in {elapsed:.1f} s")
    if args.out:
        info = {"ann": args.ann, "results": args.results, "images": len(gt), "detections": n_dets}
        for path in write_report(args.out, metrics, info):
            print(f"wrote {path}")


if __name__ == "__main__":
    main()
