"""Fuse a paired folder (``ir/<name>`` beside ``vi/<name>``) with one or more registered methods.

Writes ``<out>/<method>/<stem>.png`` for every pair (greyscale visible -> greyscale, colour visible ->
colour through its luminance). Pairs already fused are skipped, so an interrupted run resumes.
Networks take ``--checkpoint`` (one per network method, ``NAME=PATH``) or their shipped weights.

Example:
    python tools/fuse_folder.py --ir data/fusion/tno21/ir --vis data/fusion/tno21/vi \
        --methods average,tif,laplacian --out outputs/tno21
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tqdm import tqdm

from fusion.apis import load_fuser
from fusion.apis.inference import BACKENDS, OUTPUT_MODES
from fusion.datasets.folders import index_folder, natural_key
from fusion.utils.cli import name_value
from fusion.utils.files import atomic_imwrite, describe_write_error
from fusion.utils.images import read_uint8_image


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ir", required=True, help="folder of infrared images")
    parser.add_argument("--vis", required=True, help="folder of visible images (paired by file name stem)")
    parser.add_argument("--methods", required=True, help="comma-separated registered methods, e.g. msfam,average")
    parser.add_argument("--out", required=True, help="output folder; one sub-folder per method")
    parser.add_argument("--checkpoint", action="append", default=[], type=name_value, metavar="NAME=PATH",
                        help="weights of a network method (default: its shipped weights)")
    parser.add_argument("--device", default="cpu", help="cpu, cuda, cuda:1, ... (default: cpu)")
    parser.add_argument("--backend", choices=BACKENDS, default="auto",
                        help="where the networks run: torch, onnxruntime (their ONNX graph; needs the onnx extra), "
                        "or auto (default: onnxruntime on the CPU when installed, else torch)")
    parser.add_argument("--output", choices=OUTPUT_MODES, default="minmax",
                        help="minmax: stretch each result to 0..255 (the paper); clip: clip to 0..255")
    parser.add_argument("--overwrite", action="store_true", help="fuse again pairs whose output exists")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    checkpoints = dict(args.checkpoint)
    try:
        ir_files, vis_files = index_folder(args.ir), index_folder(args.vis)
        stems = sorted(ir_files.keys() & vis_files.keys(), key=natural_key)
        unpaired = sorted(ir_files.keys() ^ vis_files.keys(), key=natural_key)
        if not stems:
            raise ValueError(f"no image of {args.ir} has a partner of the same name in {args.vis}")
        methods = [m.strip() for m in args.methods.split(",") if m.strip()]
        fusers = {m: load_fuser(m, checkpoints.get(m), args.device, args.output, args.backend) for m in methods}
    except (FileNotFoundError, ImportError, KeyError, ValueError) as error:
        sys.exit(f"error: {error}")
    if unpaired:
        print(f"skipping {len(unpaired)} image(s) without a partner: {', '.join(unpaired[:5])}")
    for method, fuser in fusers.items():
        out_dir = Path(args.out) / method
        out_dir.mkdir(parents=True, exist_ok=True)
        todo = [s for s in stems if args.overwrite or not (out_dir / f"{s}.png").is_file()]
        for stem in tqdm(todo, desc=method, unit="pair"):
            try:
                vis, ir = read_uint8_image(vis_files[stem]), read_uint8_image(ir_files[stem])
            except (FileNotFoundError, ValueError) as error:
                sys.exit(f"error: {error}")
            try:
                atomic_imwrite(out_dir / f"{stem}.png", fuser.fuse(vis, ir))  # never a half-written result
            except OSError as error:
                sys.exit(f"error: {describe_write_error(error)}")
        print(f"{method}: {len(stems)} fused pair(s) in {out_dir} ({len(stems) - len(todo)} already there)")


if __name__ == "__main__":
    main()
