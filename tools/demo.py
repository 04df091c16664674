"""The README's demo: the whole pipeline on a built-in synthetic dataset in the KAIST layout, on the CPU.

1. Write a small synthetic KAIST (colour/thermal pairs, day and night, annotated warm figures).
2. Fusion weights: the shipped MSFAM and NestFuse weights, or, where none are shipped, small demo weights
   trained here for a few iterations on the synthetic pairs (configs/demo/stage1_msfam.py, stage1_nestfuse.py,
   then stage2_msfam.py without the classifier). They show the pipeline working; they are not the paper's models.
3. ``fuse_dataset kaist``: fuse the train and test lists with msfam and nestfuse, copy the visible and lwir
   bands; write the COCO annotations.
4. Score the fused test images with the fusion metrics.
5. Train the six GFLv2 detectors (configs/demo/gflv2_*.py: visible, infrared, NestFuse-fused, MSFAM-fused, and
   both bands straight in: early and halfway fusion) for a few epochs at the image size, from scratch (no
   ImageNet weights), with 3 seeds each, and test them.
6. Write the comparison report of the six inputs: means and spreads over the seeds, paired bootstrap
   intervals of each input against visible, of MSFAM against NestFuse and of early and halfway fusion
   against MSFAM; the summary says which differences are told apart from noise.

The terminal shows one progress bar per step, then a summary table. Everything the steps print (mmengine's and
mmdet's logs included) goes to ``demo.log`` in ``--out``; mmengine also keeps its own log in
``work_dirs/<config>/<timestamp>/``, and demo weights their ``train.log`` in ``weights/<run>/``.

Outputs under ``--out``: ``synthetic_kaist/``, ``weights/`` (demo weights only), ``kaist_fused/``,
``fusion_quality.{md,csv,json}``, ``work_dirs/<config>/seed<N>/``, ``detection.{md,csv,png}``,
``detection_runs.csv``, ``detection_differences.csv``, ``demo.log``.
Rerunning resumes finished steps where the tools do.

Example:
    python tools/demo.py --out outputs/demo
"""
from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from tqdm import tqdm

from detection.runs.comparison_report import verdict_sentence
from detection.runs.demo import DETECTORS, compare, jobs, run_detectors
from detection.runs.quiet import output_to, progress_bar
from fusion.datasets.synthetic_kaist import make_synthetic_kaist
from fusion.jobs.demo import fuse_demo_dataset, score_fusion, shipped_weights, train_demo_weights
from fusion.utils.cli import image_size
from fusion.utils.markdown import markdown_table

CONFIGS = Path(__file__).resolve().parents[1] / "configs" / "demo"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="\n".join(__doc__.splitlines()[1:]))
    parser.add_argument("--out", default="outputs/demo", help="output folder (default: outputs/demo)")
    parser.add_argument("--pairs-per-set", type=int, default=6, help="frames in each of the 4 synthetic sets")
    parser.add_argument("--size", type=image_size, default=(320, 256), metavar="WxH",
                        help="synthetic image size WxH (default 320x256; KAIST: 640x512)")
    parser.add_argument("--fusion-iters", type=int, default=60, help="iterations of each demo-weights run")
    parser.add_argument("--det-epochs", type=int, default=2, help="training epochs of each demo detector")
    parser.add_argument("--det-seeds", type=int, default=3, help="training seeds of each demo detector (default 3)")
    parser.add_argument("--device", default="cpu", help="device for fusion (cpu, cuda, ...)")
    return parser.parse_args(argv)


class Story:
    """The demo's steps: a progress bar each on the terminal, their output in ``log``, a summary row each."""

    def __init__(self, log: Path) -> None:
        self.log = log
        self.rows: list[list[str]] = []
        self.last = ("", 0.0)

    @contextmanager
    def step(self, name: str, total: int = 1) -> Iterator[tqdm]:
        """Run the block as step ``name``: the bar (``total`` units) fills when the block ends."""
        start = time.perf_counter()
        try:
            with progress_bar(name, total) as bar, output_to(self.log):
                yield bar
                bar.update(bar.total - bar.n)
        except Exception:
            print(f"{name} failed; its messages are at the end of {self.log}", file=sys.stderr)
            raise
        self.last = (name, time.perf_counter() - start)

    def result(self, what: str, where: Path | str) -> None:
        """The summary row of the last step: what it made, and where."""
        name, seconds = self.last
        self.rows.append([name, what, str(where), f"{seconds:.0f}"])

    def summary(self) -> str:
        return markdown_table(["step", "result", "where", "seconds"], self.rows, numeric_from=3)


def advancing(bar: tqdm) -> Callable[[Iterable, int], Iterator]:
    """A ``progress`` wrapper (``fusion.jobs.demo``): ``bar`` counts the items."""
    def progress(items: Iterable, total: int) -> Iterator:
        bar.reset(total=total)
        for item in items:
            yield item
            bar.update()
    return progress


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    width, height = args.size
    out = Path(args.out).resolve()
    root, fused_root, log = out / "synthetic_kaist", out / "kaist_fused", out / "demo.log"
    out.mkdir(parents=True, exist_ok=True)
    log.write_text("")
    story, start = Story(log), time.perf_counter()

    with story.step("synthetic KAIST"):
        make_synthetic_kaist(root, pairs_per_set=args.pairs_per_set, width=width, height=height)
    story.result(f"{4 * args.pairs_per_set} pairs at {width}x{height}", root)

    with story.step("fusion weights") as bar:
        shipped = shipped_weights()
        checkpoints = shipped or train_demo_weights(CONFIGS, root, out / "weights", args.fusion_iters, args.device,
                                                    advancing(bar))
    story.result("shipped msfam, nestfuse" if shipped else "demo msfam, nestfuse (not the paper's)",
                 checkpoints["msfam"].parent if shipped else out / "weights")

    with story.step("fused dataset") as bar:
        fuse_demo_dataset(root, fused_root, checkpoints, args.device, advancing(bar))
    story.result("visible, lwir, nestfuse, msfam + COCO annotations", fused_root)

    with story.step("fusion quality") as bar:
        report = score_fusion(root, fused_root, out / "fusion_quality", advancing(bar))
    story.result(f"{len(report.images)} test images, {len(report.metrics)} metrics", out / "fusion_quality.md")

    with story.step("detectors", jobs(args.det_seeds)) as bar:
        work_dirs = run_detectors(CONFIGS, fused_root, out, args.det_epochs, (width, height), args.det_seeds, bar)
    story.result(f"{len(DETECTORS)} GFLv2 x {args.det_seeds} seeds trained and tested (epochs: {args.det_epochs})",
                 out / "work_dirs")

    with story.step("detection report"):
        detection = compare(work_dirs, out / "detection")
    story.result(f"AP and MR^-2 of the {len(detection.inputs)} inputs, paired intervals", out / "detection.md")

    story.rows.append(["log", "everything the steps printed", str(log), ""])
    noise = (f"Detection differences ({detection.setup.resamples} paired resamples of {detection.n_images} test "
             f"images, {args.det_seeds} seeds, {100 * detection.setup.confidence:.0f} % intervals):")
    verdicts = "\n".join(f"- {verdict_sentence(c)}" for c in detection.comparisons)
    print(f"\ndemo finished in {time.perf_counter() - start:.0f} s\n\n{story.summary()}\n\n{noise}\n{verdicts}",
          flush=True)


if __name__ == "__main__":
    main()
