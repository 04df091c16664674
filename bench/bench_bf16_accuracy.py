"""Effect of reduced-precision autocast on the fused images: bf16 (or fp16) against fp32, same weights, same pairs.

For each network method, the same weights (``--checkpoint NAME=PATH``, the shipped ones, or else random
weights of the default architecture drawn with ``torch.manual_seed(0)``: the same tensor values for both
dtypes) fuse each greyscale pair of a folder set (default ``tno21``) and of a KAIST split (default the real
``test-mini-9`` frames, 640x512) once in fp32 and once under ``torch.autocast(--dtype)``, through
``Fuser.fuse_tensors`` (min-max output scaling) and rounded to ``uint8`` as written to disk. Printed per set:
the mean and the largest absolute difference of the fused images in grey levels, and each quality metric of
``fusion.metrics.evaluate_pair`` (mean over the pairs) in fp32 and in the reduced dtype.

Random weights give a valid measure of the arithmetic's effect on a network of this shape; the figures of
trained weights may differ (rerun with ``--checkpoint`` once they exist).

Example:
    python bench/bench_bf16_accuracy.py --data ../shared/data --methods msfam,nestfuse --json bf16.json
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch

from fusion.apis import Fuser, build_fusion_model, default_checkpoint
from fusion.apis.inference import to_uint8
from fusion.datasets.folders import index_folder
from fusion.jobs.fuse_dataset import KaistAdapter, select_split
from fusion.metrics.table import METRICS, evaluate_pair
from fusion.registry import FUSION_MODELS
from fusion.utils.cli import name_value
from fusion.utils.device import resolve_device
from fusion.utils.images import read_luminance

DTYPES = {"bfloat16": torch.bfloat16, "float16": torch.float16}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="the shared data folder (holds fusion/ and kaist/)")
    parser.add_argument("--folder-set", default="tno21", help="a set of <data>/fusion (default: tno21)")
    parser.add_argument("--kaist-split", default="test-mini-9", help="a list of <data>/kaist (default: test-mini-9)")
    parser.add_argument("--methods", default="msfam,nestfuse", help="comma-separated network methods")
    parser.add_argument("--dtype", default="bfloat16", choices=sorted(DTYPES))
    parser.add_argument("--device", default="auto", help="auto (cuda if available), cpu, cuda, ...")
    parser.add_argument("--metrics", default="EN,SD,SF,AG,MI,SCD,CC,VIF,Qabf,SSIM",
                        help=f"comma-separated names of {', '.join(METRICS)}")
    parser.add_argument("--checkpoint", action="append", default=[], type=name_value, metavar="NAME=PATH")
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    return parser.parse_args(argv)


def folder_pairs(folder: Path) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(name, visible, infrared) greyscale ``float32`` [0, 1] pairs of ``<folder>/{vi,ir}``."""
    vis, ir = index_folder(folder / "vi"), index_folder(folder / "ir")
    return [(name, read_luminance(vis[name]), read_luminance(ir[name])) for name in vis if name in ir]


def kaist_pairs(root: Path, split: str) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(frame id, visible luminance, infrared) ``float32`` [0, 1] pairs of a KAIST list's usable frames."""
    frames = select_split(KaistAdapter(root), split, log=lambda _: None).usable
    return [(f.frame_id, read_luminance(f.frame.visible_path), read_luminance(f.frame.lwir_path)) for f in frames]


def build(method: str, checkpoints: dict[str, str]) -> tuple[torch.nn.Module, str]:
    """The method with its given or shipped weights, else random weights drawn from seed 0."""
    if method in checkpoints or default_checkpoint(method) is not None:
        return build_fusion_model(method, checkpoints.get(method)), "given" if method in checkpoints else "shipped"
    torch.manual_seed(0)
    return FUSION_MODELS.build(dict(type=method)).eval(), "random (seed 0)"


def compare(fuser: Fuser, dtype: torch.dtype, pairs: list, metrics: list[str]) -> dict:
    """fp32 against ``dtype`` over ``pairs``: image differences in grey levels, metric means, times."""
    mad, worst, scores, seconds = [], 0, {"float32": [], "reduced": []}, {"float32": 0.0, "reduced": 0.0}
    for _, vis, ir in pairs:
        vis_t, ir_t = (torch.from_numpy(x)[None, None] for x in (vis, ir))
        fused = {}
        for key, enabled in (("float32", False), ("reduced", True)):
            start = time.perf_counter()
            with torch.autocast(fuser.device.type, dtype=dtype, enabled=enabled):
                fused[key] = to_uint8(fuser.fuse_tensors(vis_t, ir_t)[0, 0].cpu().numpy())
            seconds[key] += time.perf_counter() - start
            scores[key].append(evaluate_pair(ir * 255.0, vis * 255.0, fused[key], metrics))
        difference = np.abs(fused["float32"].astype(np.int16) - fused["reduced"].astype(np.int16))
        mad.append(float(difference.mean()))
        worst = max(worst, int(difference.max()))
    means = {key: {m: float(np.nanmean([s[m] for s in rows])) for m in metrics} for key, rows in scores.items()}
    return {"pairs": len(pairs), "mean_abs_diff": float(np.mean(mad)), "max_abs_diff": worst,
            "metrics": means, "seconds": seconds}


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    device = resolve_device(args.device)
    metrics = [m.strip() for m in args.metrics.split(",") if m.strip()]
    sets = {args.folder_set: folder_pairs(args.data / "fusion" / args.folder_set),
            f"kaist {args.kaist_split}": kaist_pairs(args.data / "kaist", args.kaist_split)}
    results = []
    header = "| method | weights | set | pairs | MAD (grey levels) | max diff | " + " | ".join(metrics) + " |"
    lines = [header, "|" + "---|" * (6 + len(metrics))]
    for method in (m.strip() for m in args.methods.split(",") if m.strip()):
        model, weights = build(method, dict(args.checkpoint))
        fuser = Fuser(model, device=device)
        for name, pairs in sets.items():
            row = {"method": method, "weights": weights, "set": name, **compare(fuser, DTYPES[args.dtype], pairs,
                                                                                 metrics)}
            results.append(row)
            cells = " | ".join(f"{row['metrics']['float32'][m]:.4g} / {row['metrics']['reduced'][m]:.4g}"
                               for m in metrics)
            lines.append(f"| {method} | {weights} | {name} | {row['pairs']} | {row['mean_abs_diff']:.3f} | "
                         f"{row['max_abs_diff']} | {cells} |")
            print(lines[-1], flush=True)
    print(f"\n{args.dtype} autocast against float32 on {device}; metric cells: float32 / {args.dtype}\n")
    print("\n".join(lines))
    if args.json:
        args.json.write_text(json.dumps({"device": str(device), "dtype": args.dtype, "rows": results}, indent=2))


if __name__ == "__main__":
    main()
