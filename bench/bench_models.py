"""Model-only speed of the fusion methods: pairs/s, peak memory and achieved GFLOP/s against the machine's ceiling.

One command, CPU or GPU, everything measured in the same run:

- the ceiling: the best of several dense matrix products (4096^3 fp32 on the CPU, as MKL's matmul and as
  oneDNN's 1x1 convolution, the faster; 8192^3 bf16 on a GPU);
- for each method, size and batch, in a fresh subprocess (so that one configuration's memory does not
  leak into the next): ``Fuser.fuse_tensors`` (inference mode, channels-last unless ``--no-channels-last``,
  ``torch.autocast`` for a reduced ``--dtype``, output min-max scaling included) on random inputs already on
  the device, one warm-up call, then ``--repeat`` timed calls, fewer if they would pass ``--budget``
  seconds (at least one);
- peak memory of a call: on the CPU, the peak resident set size (``VmHWM``, reset) minus the resident size
  just before the warm-up (model and inputs allocated, compute libraries loaded by a call on a 32x32
  pair): the activations and workspaces of one call; on a GPU, ``torch.cuda.max_memory_allocated`` minus
  the memory allocated before the warm-up;
- achieved GFLOP/s of the networks: ``2 x`` the multiply-adds that ``count_macs`` counts (convolutions and
  matrix products only), times the batch, over the time; and its fraction of the ceiling;
- the ratio MSFAM / NestFuse of pairs/s at each size and batch.

Networks run with random weights of their default architecture (speed does not depend on the values).
The default CPU run (2 threads) takes about 9 minutes; a batch of 8 at 640x512 of a network takes 35-50 s
(and ~12.5 GiB), so that configuration is timed once (``--budget``). End-to-end ``fuse_dataset`` speed is
``bench_fuse_dataset.py``.

Example:
    python bench/bench_models.py --json bench_models.json
    python bench/bench_models.py --device cuda --dtype bfloat16 --batches 1 8 16 --repeat 20
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import torch

from fusion.apis import Fuser
from fusion.models.complexity import count_macs, count_parameters
from fusion.registry import FUSION_MODELS
from fusion.utils.cli import image_size
from fusion.utils.device import resolve_device

DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}
METHODS = "msfam,nestfuse,average,tif,laplacian"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--methods", default=METHODS, help=f"comma-separated fusion methods (default: {METHODS})")
    parser.add_argument("--sizes", nargs="+", type=image_size, default=[(640, 512), (320, 256)], help="WxH")
    parser.add_argument("--batches", nargs="+", type=int, default=[1, 8])
    parser.add_argument("--repeat", type=int, default=3, help="timed calls per configuration (default: 3)")
    parser.add_argument("--budget", type=float, default=20.0,
                        help="stop timing a configuration once its timed calls pass this many seconds (default: 20)")
    parser.add_argument("--device", default="auto", help="auto (cuda if available), cpu, cuda, cuda:1, ...")
    parser.add_argument("--dtype", default="float32", choices=sorted(DTYPES), help="compute dtype (autocast)")
    parser.add_argument("--no-channels-last", dest="channels_last", action="store_false",
                        help="run in the default NCHW layout")
    parser.add_argument("--compile", action="store_true",
                        help="run the model through torch.compile (the warm-up call's time includes compiling)")
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    parser.add_argument("--ceiling-size", type=int, metavar="N",
                        help="side of the ceiling's square matrix product (default: 4096 on the CPU, 8192 on a GPU; "
                             "smaller for quick trials)")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # internal: one configuration, run in a subprocess
    return parser.parse_args(argv)


def synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def matmul_ceiling(device: torch.device, tries: int = 5, size: int | None = None) -> dict:
    """Best rate of a dense matrix product: 4096^3 fp32 on the CPU, 8192^3 bf16 on a GPU (``size``: another side).

    On the CPU the same product is timed twice, as ``torch.matmul`` (MKL) and as a 1x1 convolution of a
    ``(1, 4096, 64, 64)`` map (oneDNN, the library the networks' convolutions run on); the faster one is the
    ceiling (on an AMD CPU MKL takes a slower path than oneDNN).
    """
    default, dtype = (4096, torch.float32) if device.type == "cpu" else (8192, torch.bfloat16)
    size = size or default
    generator = torch.Generator(device=device).manual_seed(0)
    a = torch.randn(size, size, device=device, dtype=dtype, generator=generator)
    b = torch.randn(size, size, device=device, dtype=dtype, generator=generator)
    products = {"matmul": lambda: a @ b}
    side = int(round(size**0.5))
    if device.type == "cpu" and side * side == size:  # the 1x1-convolution form needs a square map
        image, weight = a.reshape(1, size, side, side), b.reshape(size, size, 1, 1)
        products["1x1 conv"] = lambda: torch.nn.functional.conv2d(image, weight)
    rates = {}
    for name, product in products.items():
        product()
        synchronize(device)
        best = float("inf")
        for _ in range(tries if device.type == "cpu" else 4 * tries):
            start = time.perf_counter()
            product()
            synchronize(device)
            best = min(best, time.perf_counter() - start)
        rates[name] = 2 * size**3 / best / 1e9
    op = max(rates, key=rates.get)
    return {"op": f"{size}^3 {str(dtype).removeprefix('torch.')} as {op}", "gflops": rates[op], "all": rates}


def current_rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def reset_peak_rss() -> None:
    """Start the kernel's peak-RSS count (``VmHWM``) afresh from the current size (Linux >= 4.0)."""
    with open("/proc/self/clear_refs", "w") as clear_refs:
        clear_refs.write("5")


def peak_rss_bytes() -> int:
    """``VmHWM`` of this process: its peak resident size since :func:`reset_peak_rss` (or since ``exec``).

    Not ``getrusage``'s ``ru_maxrss``, which survives ``exec`` and so counts the parent's size at ``fork``.
    """
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmHWM:"))
    return int(line.split()[1]) * 1024


def measure_one(config: dict) -> dict:
    """Time one method at one size and batch in this process (see the module docstring)."""
    device = torch.device(config["device"])
    width, height, batch = config["width"], config["height"], config["batch"]
    torch.manual_seed(0)
    model = FUSION_MODELS.build(dict(type=config["method"]))
    with torch.device("meta"):
        macs = count_macs(FUSION_MODELS.build(dict(type=config["method"])).eval(),
                          torch.empty(1, 1, height, width), torch.empty(1, 1, height, width))
    fuser = Fuser(model, device=device, channels_last=config["channels_last"])
    if config["compile"]:
        fuser.model = torch.compile(fuser.model)
    vis, ir = (torch.rand(batch, 1, height, width, device=device) for _ in range(2))
    dtype = DTYPES[config["dtype"]]
    autocast = torch.autocast(device.type, dtype=dtype, enabled=dtype != torch.float32)
    with autocast:  # loads the compute libraries (hundreds of MiB of RSS on the CPU) before the baseline
        fuser.fuse_tensors(*(torch.rand(1, 1, 32, 32, device=device) for _ in range(2)))
    synchronize(device)
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)
        base = torch.cuda.memory_allocated(device)
    else:
        reset_peak_rss()
        base = current_rss_bytes()
    with autocast:
        start = time.perf_counter()
        fuser.fuse_tensors(vis, ir)
        synchronize(device)
        warmup = time.perf_counter() - start
        times: list[float] = []
        while len(times) < config["repeat"] and (not times or sum(times) < config["budget"]):
            start = time.perf_counter()
            fuser.fuse_tensors(vis, ir)
            synchronize(device)
            times.append(time.perf_counter() - start)
    peak = torch.cuda.max_memory_allocated(device) if device.type == "cuda" else peak_rss_bytes()
    seconds = sum(times) / len(times)
    network = count_parameters(model) > 0
    return {**config, "params": count_parameters(model), "macs_per_pair": macs if network else None,
            "calls": len(times), "warmup_s": warmup, "seconds_per_call": seconds, "pairs_per_s": batch / seconds,
            "gflops": 2 * macs * batch / seconds / 1e9 if network else None,
            "peak_mib": (peak - base) / 2**20, "peak_total_mib": peak / 2**20}


def run_isolated(config: dict) -> dict:
    """:func:`measure_one` in a fresh Python process; its result comes back as JSON on the last stdout line."""
    done = subprocess.run([sys.executable, __file__, "--one", json.dumps(config)], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{config['method']} {config['width']}x{config['height']} batch {config['batch']} "
                           f"failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def table(rows: list[dict], ceiling: dict) -> list[str]:
    lines = ["| method | size | batch | calls | warm-up s | pairs/s | ms/pair | peak MiB | GMACs/pair | GFLOP/s "
             "| of ceiling |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        gflops = "-" if r["gflops"] is None else f"{r['gflops']:.1f}"
        fraction = "-" if r["gflops"] is None else f"{100 * r['gflops'] / ceiling['gflops']:.0f} %"
        macs = "-" if r["macs_per_pair"] is None else f"{r['macs_per_pair'] / 1e9:.1f}"
        lines.append(f"| {r['method']} | {r['width']}x{r['height']} | {r['batch']} | {r['calls']} | "
                     f"{r['warmup_s']:.2f} | "
                     f"{r['pairs_per_s']:.2f} | {1e3 / r['pairs_per_s']:.1f} | {r['peak_mib']:.0f} | {macs} | "
                     f"{gflops} | {fraction} |")
    return lines


def msfam_nestfuse_ratios(rows: list[dict]) -> list[dict]:
    """pairs/s of MSFAM over NestFuse at each (size, batch) where both ran."""
    by_key = {(r["method"], r["width"], r["height"], r["batch"]): r for r in rows}
    ratios = []
    for (method, width, height, batch), row in by_key.items():
        other = by_key.get(("nestfuse", width, height, batch))
        if method == "msfam" and other is not None:
            ratios.append({"size": f"{width}x{height}", "batch": batch,
                           "msfam_over_nestfuse": row["pairs_per_s"] / other["pairs_per_s"]})
    return ratios


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.one:
        print(json.dumps(measure_one(json.loads(args.one))))
        return
    device = resolve_device(args.device)
    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    unknown = [m for m in methods if m not in FUSION_MODELS.module_dict]
    if unknown:
        raise SystemExit(f"unknown methods {unknown}; registered: {', '.join(sorted(FUSION_MODELS.module_dict))}")
    machine = (torch.cuda.get_device_name(device) if device.type == "cuda"
               else f"{platform.processor() or platform.machine()}, {torch.get_num_threads()} threads")
    print(f"torch {torch.__version__}, {machine}, {os.cpu_count()} CPUs, device {device}, dtype {args.dtype}, "
          f"channels-last {args.channels_last}, compile {args.compile}", flush=True)
    ceiling = matmul_ceiling(device, size=args.ceiling_size)
    print(f"ceiling: {ceiling['op']} {ceiling['gflops']:.1f} GFLOP/s "
          f"({', '.join(f'{k} {v:.1f}' for k, v in ceiling['all'].items())})\n", flush=True)
    rows = []
    for width, height in args.sizes:
        for batch in args.batches:
            for method in methods:
                config = {"method": method, "width": width, "height": height, "batch": batch, "device": str(device),
                          "dtype": args.dtype, "channels_last": args.channels_last, "compile": args.compile,
                          "repeat": args.repeat, "budget": args.budget}
                rows.append(run_isolated(config))
                print(table(rows[-1:], ceiling)[-1], flush=True)
    ceiling_after = matmul_ceiling(device, size=args.ceiling_size)
    ratios = msfam_nestfuse_ratios(rows)
    print(f"\nceiling: {ceiling['op']} {ceiling['gflops']:.1f} GFLOP/s (again at the end: "
          f"{ceiling_after['gflops']:.1f}); peak MiB: {'CUDA max allocated' if device.type == 'cuda' else 'RSS'} "
          f"growth of one call\n")
    print("\n".join(table(rows, ceiling)))
    if ratios:
        print("\n| size | batch | MSFAM / NestFuse pairs/s |\n|---|---:|---:|")
        print("\n".join(f"| {r['size']} | {r['batch']} | {r['msfam_over_nestfuse']:.2f} |" for r in ratios))
    if args.json:
        args.json.write_text(json.dumps({"torch": torch.__version__, "machine": machine, "device": str(device),
                                         "dtype": args.dtype, "channels_last": args.channels_last,
                                         "compile": args.compile, "ceiling": ceiling,
                                         "ceiling_after": ceiling_after, "rows": rows,
                                         "msfam_over_nestfuse": ratios}, indent=2))


if __name__ == "__main__":
    main()
