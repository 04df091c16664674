"""Speed of ``tools/fuse_dataset.py kaist``: end-to-end pairs/s against the model alone, per method.

The frames of a KAIST split (default: the real test-mini-9 pairs) are repeated ``--repeat`` times through
symbolic links in a temporary KAIST tree, so a run lasts long enough to measure. For each method, in one
process and on the same frames:

- ``end-to-end``: :func:`fusion.jobs.fuse_dataset.fuse_dataset` into a temporary folder (decoding workers, batched
  fusion, writer threads; starting the workers is included);
- ``model only``: ``Fuser.fuse_tensors`` on the same pairs, decoded beforehand, in the same batches
  (one warm-up batch first);
- ``decode`` and ``encode``: one pair decoded (both bands, luminance/chroma split) and one fused image encoded
  (chroma merged, JPEG), on one thread: the work the decoding processes and the writer threads share.

Networks are timed with ``--checkpoint NAME=PATH``, their shipped weights, or else randomly initialised
weights of the default architecture (speed does not depend on the values; the table marks them).

Example:
    python bench/bench_fuse_dataset.py --root ../shared/data/kaist --split test-mini-9 \\
        --methods average,tif,laplacian --repeat 8 --workers 2
"""
from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

import torch

from fusion.apis import default_checkpoint, load_fuser, save_fusion_checkpoint
from fusion.datasets.synthetic_kaist import repeat_kaist_frames
from fusion.jobs.fuse_dataset import KaistAdapter, PixelOptions, RunOptions, fuse_dataset, select_split
from fusion.jobs.fuse_dataset.pipeline import plan_batches
from fusion.jobs.fuse_dataset.pixels import PairDecoder, collate_pairs, encode_fused
from fusion.registry import FUSION_MODELS
from fusion.utils.cli import name_value


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", required=True, help="KAIST root (e.g. data/kaist)")
    parser.add_argument("--split", default="test-mini-9", help="list whose usable frames are measured")
    parser.add_argument("--methods", default="average,tif,laplacian", help="comma-separated fusion methods")
    parser.add_argument("--repeat", type=int, default=8, help="times each frame is repeated (default: 8)")
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--dtype", default="float32", help="float32, bfloat16 or float16")
    parser.add_argument("--checkpoint", action="append", default=[], type=name_value, metavar="NAME=PATH",
                        help="weights of a network method (default: shipped weights, else random ones)")
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    return parser.parse_args(argv)


def timing_checkpoint(method: str, given: dict[str, str], folder: Path) -> tuple[str | None, str]:
    """(checkpoint, weights label): the given or shipped weights, or random ones written to ``folder``."""
    if method in given:
        return given[method], "given"
    model = FUSION_MODELS.build(dict(type=method)) if method in FUSION_MODELS.module_dict else None
    if model is None or not any(True for _ in model.parameters()) or default_checkpoint(method) is not None:
        return None, "shipped" if model is not None and default_checkpoint(method) else "none"
    path = folder / f"{method}_random.pth"
    save_fusion_checkpoint(path, model, dict(type=method), meta={"note": "random weights for timing"})
    return str(path), "random"


def model_only(method: str, checkpoint: str | None, root: Path,
               args: argparse.Namespace) -> tuple[float, float, float]:
    """(model pairs/s, decode ms/pair, encode ms/pair) on the frames of ``root``'s ``bench`` list."""
    selection = select_split(KaistAdapter(root), "bench", log=lambda _: None)
    decoder = PairDecoder(selection.usable, colour=True)
    start = time.perf_counter()
    items = [decoder[i] for i in range(len(decoder))]
    decode_ms = 1e3 * (time.perf_counter() - start) / len(items)
    index = {frame.frame_id: i for i, frame in enumerate(selection.usable)}
    batches = [collate_pairs([items[index[f.frame_id]] for f in batch])
               for batch in plan_batches(selection.usable, args.batch_size)]
    fuser = load_fuser(method, checkpoint, device=args.device)
    autocast = (torch.autocast(fuser.device.type, dtype=getattr(torch, args.dtype)) if args.dtype != "float32"
                else torch.autocast(fuser.device.type, enabled=False))
    with autocast:
        fuser.fuse_tensors(batches[0]["vis"], batches[0]["ir"])  # warm-up
        _sync(fuser.device)
        start = time.perf_counter()
        for batch in batches:
            fused = fuser.fuse_tensors(batch["vis"], batch["ir"])
        _sync(fuser.device)
    model_rate = len(items) / (time.perf_counter() - start)
    luma, chroma = fused[0, 0].float().cpu().numpy(), batches[-1]["chroma"][0].numpy()
    start = time.perf_counter()
    for _ in range(20):
        encode_fused(luma, chroma, 95)
    return model_rate, decode_ms, 1e3 * (time.perf_counter() - start) / 20


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {os.cpu_count()} CPUs, device "
          f"{args.device}, batch {args.batch_size}, workers {args.workers}, dtype {args.dtype}")
    rows = ["| method | weights | pairs | end-to-end pairs/s | model only pairs/s | ratio | decode ms/pair "
            "| encode ms/pair |", "|---|---|---:|---:|---:|---:|---:|---:|"]
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "kaist"
        pairs = repeat_kaist_frames(Path(args.root), args.split, args.repeat, root)
        for method in methods:
            checkpoint, weights = timing_checkpoint(method, dict(args.checkpoint), Path(tmp))
            (run,) = fuse_dataset(KaistAdapter(root), Path(tmp) / "out", [method], split="bench",
                                checkpoints={method: checkpoint} if checkpoint else None,
                                pixels=PixelOptions(dtype=args.dtype),
                                options=RunOptions(device=args.device, batch_size=args.batch_size,
                                                   workers=args.workers, progress=False),
                                log=lambda _: None)
            model_rate, decode_ms, encode_ms = model_only(method, checkpoint, root, args)
            rows.append(f"| {method} | {weights} | {run['fused']} | {run['pairs_per_s']:.2f} | {model_rate:.2f} | "
                        f"{run['pairs_per_s'] / model_rate:.2f} | {decode_ms:.1f} | {encode_ms:.1f} |")
            print(rows[-1], flush=True)
            results.append({"method": method, "weights": weights, "pairs": run["fused"],
                            "end_to_end_pairs_per_s": run["pairs_per_s"], "model_only_pairs_per_s": model_rate,
                            "ratio": run["pairs_per_s"] / model_rate, "decode_ms_per_pair": decode_ms,
                            "encode_ms_per_pair": encode_ms})
    print(f"\n{pairs} pairs ({args.split} x {args.repeat}) at the split's image size\n")
    print("\n".join(rows))
    if args.json:
        args.json.write_text(json.dumps({"torch": torch.__version__, "cpus": os.cpu_count(), "device": args.device,
                                         "dtype": args.dtype, "batch_size": args.batch_size, "workers": args.workers,
                                         "split": args.split, "repeat": args.repeat, "pairs": pairs,
                                         "rows": results}, indent=2))


if __name__ == "__main__":
    main()
