"""How long the paired bootstrap of tools/compare_det.py takes on KAIST's 2,252 test images (prints figures).

Two detectors are timed: MLPD's published results (5,939 boxes, a thresholded output) and the same with
random low-score boxes added up to 100 per image, what a GFLv2 test without a score threshold writes
(mmdet's ``max_per_img=100``). For each: matching every image once (``ImageMatchCache``), then the figures
of ``--resamples`` resamples; and, in the same run, the naive bootstrap that reruns the whole evaluation
(``evaluate_kaist``) on each resample, timed on ``--naive`` resamples and scaled, with the ratio; and how far
each detector's own AP, AP50 and MR^-2 move over resampled test sets.

Example:
    python bench/bench_bootstrap.py --data-root ../shared/data --resamples 1000 --naive 3
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from detection.evaluation import evaluate_kaist, load_detections, load_ground_truth
from detection.evaluation.bootstrap import resample_weights, resampled_figures
from detection.evaluation.resampling import ImageMatchCache

REPO = Path(__file__).resolve().parents[1]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-root", default=str(REPO.parent / "shared" / "data"),
                        help="holds kaist/KAIST_annotation.json and kaist/results/MLPD_result.txt")
    parser.add_argument("--resamples", type=int, default=1000, help="bootstrap resamples timed (default 1000)")
    parser.add_argument("--naive", type=int, default=3, help="resamples of the naive bootstrap timed (default 3)")
    return parser.parse_args(argv)


def padded_to_100(gt, dets: dict, rng: np.random.Generator) -> dict:
    """``dets`` plus random boxes scoring below every real one, up to 100 per image."""
    padded = {}
    for image_id in gt.image_ids():
        rows = dets.get(image_id, np.zeros((0, 5)))
        extra = 100 - len(rows)
        heights = rng.uniform(20, 150, extra)
        boxes = np.column_stack([rng.uniform(0, 600, extra), rng.uniform(0, 500 - heights), 0.41 * heights, heights,
                                 rng.uniform(0, 0.01, extra)])
        padded[image_id] = np.concatenate([rows, boxes])
    return padded


def naive_seconds(gt, dets: dict, weights: np.ndarray) -> float:
    """Seconds per resample of rerunning ``evaluate_kaist`` on a test set holding each image ``weight`` times."""
    ids = gt.image_ids()
    start = time.perf_counter()
    for row in weights:
        images, anns, resampled = [], [], {}
        for image_id, count in zip(ids, row.astype(int)):
            info = gt.images[gt.position_of(image_id)]
            for _ in range(count):
                new_id = len(images)
                images.append({"id": new_id, "im_name": info.key, "period": info.period})
                anns += [{**a, "id": len(anns) + k, "image_id": new_id}
                         for k, a in enumerate(a for a in gt.annotations if a["image_id"] == image_id)]
                if image_id in dets:
                    resampled[new_id] = dets[image_id]
        copy_gt = load_ground_truth({"images": images, "annotations": anns,
                                     "categories": [{"id": gt.person_category_id, "name": "person"}]})
        evaluate_kaist(copy_gt, resampled)
    return (time.perf_counter() - start) / len(weights)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    kaist = Path(args.data_root) / "kaist"
    gt = load_ground_truth(kaist / "KAIST_annotation.json")
    mlpd = load_detections(kaist / "results" / "MLPD_result.txt", gt)
    rng = np.random.default_rng(0)
    weights = resample_weights(len(gt), args.resamples, rng)
    print(f"{len(gt)} test images, {args.resamples} resamples")
    for name, dets in (("MLPD", mlpd), ("MLPD + low-score boxes to 100/image", padded_to_100(gt, mlpd, rng))):
        n_boxes = sum(len(rows) for rows in dets.values())
        start = time.perf_counter()
        cache = ImageMatchCache(gt, dets)
        matched = time.perf_counter() - start
        start = time.perf_counter()
        figures = resampled_figures([cache], weights)[0]
        resampling = time.perf_counter() - start
        naive = naive_seconds(gt, dets, weights[:args.naive])
        print(f"{name} ({n_boxes} boxes): matching {matched:.1f} s once, {args.resamples} resamples "
              f"{resampling:.1f} s ({1000 * resampling / args.resamples:.1f} ms each); naive "
              f"{naive:.2f} s per resample ({naive * args.resamples / 60:.0f} min for {args.resamples}), "
              f"{naive * args.resamples / (matched + resampling):.0f}x slower")
        spread = ", ".join(f"{key} {np.percentile(figures[key], 2.5):.3f}-{np.percentile(figures[key], 97.5):.3f}"
                           for key in ("AP", "AP50", "MR_all"))
        print(f"  its own 95 % bootstrap range over test sets: {spread}")


if __name__ == "__main__":
    main()
