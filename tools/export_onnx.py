"""Export a fusion network to ONNX (dynamic batch, height and width) and check it against PyTorch.

The graph takes ``visible`` and ``infrared`` float32 (B, 1, H, W) in [0, 1] and gives ``fused`` before the
output scaling (min-max or clip, applied by the caller as fusion.apis does). The check runs PyTorch and
onnxruntime on the pairs of --ir/--vis (their luminance, each pair at its own size; default: random images
at 256x320 and 131x173) and prints the largest raw difference; above --tolerance the file is removed and the
tool exits with 1. Needs the onnx extra: pip install -e ".[onnx]".

Example:
    python tools/export_onnx.py msfam --out msfam.onnx \\
        --ir ../shared/data/fusion/tno21/ir --vis ../shared/data/fusion/tno21/vi
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import torch

from fusion.apis import build_fusion_model
from fusion.apis.inference import prepare_pair
from fusion.apis.onnx_backend import OPSET, PARITY_TOLERANCE, export_onnx, raw_difference, require_onnxruntime
from fusion.datasets.folders import index_folder, natural_key
from fusion.utils.images import read_uint8_image


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="\n".join(__doc__.splitlines()[1:]))
    parser.add_argument("method", help="a fusion network: msfam, nestfuse, msfam_handcrafted, msfam_conv5")
    parser.add_argument("--checkpoint", help="its weights (default: the shipped ones)")
    parser.add_argument("--out", help="the .onnx file (default: <method>.onnx)")
    parser.add_argument("--opset", type=int, default=OPSET, help=f"ONNX opset (default {OPSET})")
    parser.add_argument("--ir", help="folder of infrared images to check on (paired by name with --vis)")
    parser.add_argument("--vis", help="folder of visible images to check on")
    parser.add_argument("--pairs", type=int, default=4, help="pairs of the folders checked (default 4)")
    parser.add_argument("--tolerance", type=float, default=PARITY_TOLERANCE,
                        help=f"largest raw difference accepted (default {PARITY_TOLERANCE:g})")
    return parser.parse_args(argv)


def check_pairs(ir: str | None, vis: str | None, count: int) -> tuple[list[tuple[torch.Tensor, torch.Tensor]], str]:
    """The pairs to check on, as ``(1, 1, H, W)`` luminance tensors, and what they are."""
    if (ir is None) != (vis is None):
        raise ValueError("give both --ir and --vis, or neither")
    if ir is None:
        generator = torch.Generator().manual_seed(0)
        sizes = ((256, 320), (131, 173))
        pairs = [tuple(torch.rand(1, 1, *size, generator=generator) for _ in range(2)) for size in sizes]
        return pairs, "random images at 256x320 and 131x173"
    ir_files, vis_files = index_folder(ir), index_folder(vis)
    stems = sorted(ir_files.keys() & vis_files.keys(), key=natural_key)[:count]
    if not stems:
        raise ValueError(f"no image of {ir} has a partner of the same name in {vis}")
    pairs = []
    for index, stem in enumerate(stems):
        luma, thermal, _ = prepare_pair(read_uint8_image(vis_files[stem]), read_uint8_image(ir_files[stem]), index)
        pairs.append((torch.from_numpy(luma)[None, None], torch.from_numpy(thermal)[None, None]))
    sizes = sorted({f"{v.shape[3]}x{v.shape[2]}" for v, _ in pairs})
    return pairs, f"{len(pairs)} pair(s) of {vis} ({', '.join(sizes)})"


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    out = Path(args.out or f"{args.method}.onnx")
    try:
        require_onnxruntime()
        model = build_fusion_model(args.method, args.checkpoint)
        pairs, described = check_pairs(args.ir, args.vis, args.pairs)
        out.parent.mkdir(parents=True, exist_ok=True)
        export_onnx(model, out, args.opset)
    except (ImportError, FileNotFoundError, KeyError, ValueError) as error:
        sys.exit(f"error: {error}")
    difference = raw_difference(model, out, pairs)
    verdict = "within" if difference <= args.tolerance else "ABOVE"
    print(f"{args.method}: wrote {out} (opset {args.opset}, dynamic batch/height/width, "
          f"{out.stat().st_size / 2**20:.1f} MiB); onnxruntime vs PyTorch on {described}: max raw difference "
          f"{difference:.2e}, {verdict} the tolerance {args.tolerance:g}")
    if not np.isfinite(difference) or difference > args.tolerance:
        out.unlink()
        sys.exit(1)


if __name__ == "__main__":
    main()
