"""Peak resident memory of ``fuse_dataset`` against the number of pairs: it must not grow with the run's length.

The frames of a KAIST split (default: the real test-mini-9 pairs, 640x512) are repeated through symbolic
links (as in ``bench_fuse_dataset.py``) to make runs of ``N`` and ``4 N`` pairs (``--repeats``). Each run is
:func:`fusion.jobs.fuse_dataset.fuse_dataset` in a fresh Python process, which reports two peaks: its own
(``VmHWM``: model, batches, writer queue; not ``getrusage``, whose ``ru_maxrss`` survives ``exec`` and would
count the parent's size) and its largest child's (a decoding worker, ``getrusage(RUSAGE_CHILDREN)``: a
forked worker's count starts from its parent's size at ``fork``), and its resident size before the run
(imports done). Printed: both peaks per run and the ratio of the longest run's
peaks to the shortest's (1.00 = no growth).

Example:
    python bench/bench_fuse_memory.py --root ../shared/data/kaist --method laplacian --repeats 8 32
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_fuse_dataset import repeated_kaist


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, help="KAIST root (e.g. ../shared/data/kaist); required")
    parser.add_argument("--split", default="test-mini-9", help="list whose usable frames are repeated")
    parser.add_argument("--method", default="laplacian", help="a training-free method (default: laplacian)")
    parser.add_argument("--repeats", nargs="+", type=int, default=[8, 32],
                        help="times each frame is repeated, one run each (default: 8 32, i.e. 72 and 288 pairs)")
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # internal: one run, in a subprocess
    args = parser.parse_args(argv)
    if args.root is None and args.one is None:
        parser.error("--root is required")
    return args


def status_mib(field: str) -> float:
    """A size field of ``/proc/self/status`` (``VmRSS``: now; ``VmHWM``: peak since ``exec``) in MiB."""
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith(f"{field}:"))
    return int(line.split()[1]) / 1024


def run_one(config: dict) -> dict:
    """One ``fuse_dataset`` run in this process: its own peak (``VmHWM``) and its largest child's (``getrusage``)."""
    from fusion.jobs.fuse_dataset import KaistAdapter, RunOptions, fuse_dataset

    before = status_mib("VmRSS")
    start = time.perf_counter()
    (run,) = fuse_dataset(KaistAdapter(config["root"]), config["out"], [config["method"]], split="bench",
                        options=RunOptions(device=config["device"], batch_size=config["batch_size"],
                                           workers=config["workers"], progress=False), log=lambda _: None)
    seconds = time.perf_counter() - start
    return {"pairs": run["fused"], "seconds": seconds, "pairs_per_s": run["fused"] / seconds,
            "rss_before_mib": before,
            "peak_main_mib": status_mib("VmHWM"),
            "peak_worker_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.one:
        print(json.dumps(run_one(json.loads(args.one))))
        return
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for repeat in args.repeats:
            root = Path(tmp) / f"kaist_x{repeat}"
            repeated_kaist(args.root, args.split, repeat, root)
            config = {"root": str(root), "out": str(Path(tmp) / f"out_x{repeat}"), "method": args.method,
                      "batch_size": args.batch_size, "workers": args.workers, "device": args.device}
            done = subprocess.run([sys.executable, __file__, "--one", json.dumps(config)], capture_output=True,
                                  text=True)
            if done.returncode != 0:
                raise RuntimeError(f"run of {repeat} repeats failed:\n{done.stderr[-2000:]}")
            rows.append({"repeat": repeat, **json.loads(done.stdout.strip().splitlines()[-1])})
            print(f"{rows[-1]['pairs']} pairs: peak RSS {rows[-1]['peak_main_mib']:.0f} MiB (fusing process), "
                  f"{rows[-1]['peak_worker_mib']:.0f} MiB (largest worker)", flush=True)
    first, last = rows[0], rows[-1]
    ratios = {"main": last["peak_main_mib"] / first["peak_main_mib"],
              "worker": last["peak_worker_mib"] / first["peak_worker_mib"]}
    print(f"\n{args.method}, batch {args.batch_size}, {args.workers} workers, device {args.device}\n")
    print("| pairs | pairs/s | RSS before MiB | peak RSS fusing process MiB | peak RSS largest worker MiB |")
    print("|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['pairs']} | {r['pairs_per_s']:.1f} | {r['rss_before_mib']:.0f} | {r['peak_main_mib']:.0f} | "
              f"{r['peak_worker_mib']:.0f} |")
    print(f"\npeak ratio {last['pairs']} / {first['pairs']} pairs: fusing process {ratios['main']:.3f}, "
          f"worker {ratios['worker']:.3f}")
    if args.json:
        args.json.write_text(json.dumps({"method": args.method, "rows": rows, "ratios": ratios}, indent=2))


if __name__ == "__main__":
    main()
