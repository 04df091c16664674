"""PyTorch against onnxruntime for the fusion networks on this CPU, in one run (prints figures and ratios).

For each method at each size (default MSFAM and NestFuse at 640x512, batch 1): seconds per call of
``Fuser.fuse_tensors`` (PyTorch, channels-last, the default) and ``OnnxFuser.fuse_tensors`` (the exported
graph in onnxruntime, CPUExecutionProvider), mean of ``--repeat`` calls after a warm-up, the achieved
GFLOP/s (2 x MACs / time) against the machine's ceiling (``bench_models.matmul_ceiling``), the ratio, and
the largest difference of the fused outputs in [0, 1] and in grey levels.

Example:
    python bench/bench_onnx.py --methods msfam,nestfuse --sizes 640x512 --repeat 3
"""
from __future__ import annotations

import argparse
import time

import torch
from bench_models import matmul_ceiling

from fusion.apis.inference import Fuser, build_fusion_model
from fusion.apis.onnx_backend import OnnxFuser
from fusion.models.complexity import count_macs
from fusion.registry import FUSION_MODELS
from fusion.utils.cli import image_size


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--methods", default="msfam,nestfuse", help="comma-separated networks")
    parser.add_argument("--sizes", nargs="+", type=image_size, default=[(640, 512)], help="WxH (default 640x512)")
    parser.add_argument("--batch", type=int, default=1, help="pairs per call (default 1)")
    parser.add_argument("--repeat", type=int, default=3, help="timed calls per backend (default 3)")
    return parser.parse_args(argv)


def seconds_per_call(fuser: Fuser, vis: torch.Tensor, ir: torch.Tensor, repeat: int) -> tuple[float, torch.Tensor]:
    """Mean seconds of ``repeat`` calls after one warm-up, and the output."""
    fused = fuser.fuse_tensors(vis, ir)
    start = time.perf_counter()
    for _ in range(repeat):
        fused = fuser.fuse_tensors(vis, ir)
    return (time.perf_counter() - start) / repeat, fused


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    ceiling = matmul_ceiling(torch.device("cpu"))
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; ceiling {ceiling['gflops']:.0f} GFLOP/s "
          f"({ceiling['op']})")
    print("| method | size | torch s/call | onnxruntime s/call | torch/onnxruntime | GFLOP/s torch | GFLOP/s ort "
          "| of ceiling (torch, ort) | max diff [0,1] | max diff grey levels |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for method in args.methods.split(","):
        model = build_fusion_model(method)
        for width, height in args.sizes:
            generator = torch.Generator().manual_seed(0)
            vis, ir = (torch.rand(args.batch, 1, height, width, generator=generator) for _ in range(2))
            with torch.device("meta"):
                macs = count_macs(FUSION_MODELS.build(dict(type=method)).eval(), torch.empty(1, 1, height, width),
                                  torch.empty(1, 1, height, width))
            torch_s, torch_out = seconds_per_call(Fuser(model), vis, ir, args.repeat)
            ort_s, ort_out = seconds_per_call(OnnxFuser(model), vis, ir, args.repeat)
            rates = [2 * macs * args.batch / s / 1e9 for s in (torch_s, ort_s)]
            difference = float((torch_out - ort_out).abs().max())
            levels = int(((torch_out * 255).round() - (ort_out * 255).round()).abs().max())
            print(f"| {method} | {width}x{height} b{args.batch} | {torch_s:.2f} | {ort_s:.2f} | {torch_s / ort_s:.2f}x "
                  f"| {rates[0]:.0f} | {rates[1]:.0f} | {100 * rates[0] / ceiling['gflops']:.0f} %, "
                  f"{100 * rates[1] / ceiling['gflops']:.0f} % | {difference:.1e} | {levels} |", flush=True)


if __name__ == "__main__":
    main()
