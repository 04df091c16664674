"""The README's demo: the pipeline on a built-in synthetic sample in the KAIST layout.

Steps: write a small synthetic KAIST (colour/thermal pairs, day and night, annotated warm figures); fuse
its test frames with every method that can run (the training-free baselines, and the networks whose
weights are shipped or given); score every method with the fusion metrics. Outputs, under ``--out``::

    synthetic_kaist/                  the generated dataset (KAIST layout)
    fused/<method>/setXX/VYYY/IZZZZZ.jpg
    fusion_quality.{md,csv,json}      one row per method

Example:
    python tools/demo.py --out outputs/demo
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import cv2
from tqdm import tqdm

from fusion.apis import default_checkpoint, load_fuser
from fusion.datasets.synthetic_kaist import make_synthetic_kaist
from fusion.metrics import METRICS, evaluate_pair, read_gray
from fusion.metrics.report import FusionReport

BASELINES = ("average", "tif", "laplacian")
NETWORKS = ("msfam", "nestfuse")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="outputs/demo", help="output folder (default: outputs/demo)")
    parser.add_argument("--pairs-per-set", type=int, default=3, help="frames in each of the 4 synthetic sets")
    parser.add_argument("--size", default="320x256", help="synthetic image size WxH (KAIST is 640x512)")
    parser.add_argument("--device", default="cpu", help="device for the fusion networks (cpu, cuda, cuda:1, ...)")
    return parser.parse_args(argv)


def available_methods() -> list[str]:
    """The baselines, plus each network that has shipped weights."""
    networks = [name for name in NETWORKS if default_checkpoint(name) is not None]
    skipped = sorted(set(NETWORKS) - set(networks))
    if skipped:
        print(f"no shipped weights yet for {', '.join(skipped)}: fusing with the training-free baselines only")
    return [*BASELINES, *networks]


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    width, height = (int(v) for v in args.size.lower().split("x"))
    out = Path(args.out)
    start = time.perf_counter()

    root = out / "synthetic_kaist"
    make_synthetic_kaist(root, pairs_per_set=args.pairs_per_set, width=width, height=height)
    frames = (root / "imageSets" / "synthetic-test.txt").read_text().split()
    print(f"synthetic KAIST: {len(frames)} test pairs at {width}x{height} in {root}")

    methods = available_methods()
    per_image: dict[str, dict[str, dict[str, float]]] = {method: {} for method in methods}
    for method in methods:
        fuser = load_fuser(method, device=args.device)
        for frame in tqdm(frames, desc=f"fusing with {method}", unit="pair"):
            set_id, video, image = frame.split("/")
            folder = root / "images" / set_id / video
            vis = cv2.imread(str(folder / "visible" / f"{image}.jpg"), cv2.IMREAD_COLOR)
            ir = cv2.imread(str(folder / "lwir" / f"{image}.jpg"), cv2.IMREAD_GRAYSCALE)
            fused = fuser.fuse(vis, ir)
            target = out / "fused" / method / f"{frame}.jpg"
            target.parent.mkdir(parents=True, exist_ok=True)
            cv2.imwrite(str(target), fused, [cv2.IMWRITE_JPEG_QUALITY, 95])
            per_image[method][frame] = evaluate_pair(
                ir, read_gray(folder / "visible" / f"{image}.jpg"), read_gray(target))

    report = FusionReport(list(METRICS), {m: str(out / "fused" / m) for m in methods}, frames, per_image)
    print(report.to_markdown())
    for path in report.write(out / "fusion_quality"):
        print(f"wrote {path}")
    print(f"demo finished in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
