"""Where does stage 2 start? Rec, warm-started and cold MSFAM scored on the validation pairs (prints figures).

"Rec" is the stage-1 network with NestFuse's hand-designed fusion; "warm" is MSFAM with that encoder and
decoder and its fusion blocks fitted to the hand-designed fusion (``fusion.engine.tasks.warm_start``);
"cold" is the same MSFAM with the blocks as initialised. All three are scored in one run like stage 2's
validation (full size, float32, min-max output), with the score relative to the pixel average.

Example:
    python bench/bench_warm_start.py --stage1 work_dirs/cpu/stage1_msfam/final.pth --iters 150 --crop 176 176
"""
from __future__ import annotations

import argparse
import contextlib
import time
from pathlib import Path

import torch
from torch.utils.data import DataLoader

from fusion.apis.checkpoint import build_from_checkpoint
from fusion.datasets.paired import PairedFolderDataset
from fusion.engine.evaluation import VALIDATION_METRICS, fusion_metrics, relative_score
from fusion.engine.sampler import EpochBatchSampler
from fusion.engine.tasks.warm_start import fit_fusion_blocks
from fusion.engine.weights import load_autoencoder
from fusion.metrics import PAPER_METRICS
from fusion.registry import FUSION_MODELS

REPO = Path(__file__).resolve().parents[1]
SPLITS = REPO / "configs" / "fusion" / "splits"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stage1", required=True, help="stage-1 checkpoint (msfam_handcrafted)")
    parser.add_argument("--data-root", default=str(REPO.parent / "shared" / "data" / "fusion"))
    parser.add_argument("--train-list", default=str(SPLITS / "train.txt"), help="pairs the blocks are fitted on")
    parser.add_argument("--val-list", default=str(SPLITS / "val.txt"), help="pairs scored")
    parser.add_argument("--iters", type=int, default=150, help="warm-start batches (default 150, as stage2_msfam.py)")
    parser.add_argument("--lr", type=float, default=3e-3, help="warm-start learning rate (default 3e-3)")
    parser.add_argument("--crop", type=int, nargs=2, default=(320, 256), metavar=("W", "H"), help="fit crop size")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    torch.manual_seed(0)
    val = DataLoader(PairedFolderDataset(args.data_root, file_list=args.val_list, crop_size=None, flip=False))
    train = PairedFolderDataset(args.data_root, file_list=args.train_list, crop_size=tuple(args.crop))
    rec, _ = build_from_checkpoint(args.stage1)
    networks = {"average": FUSION_MODELS.build(dict(type="average")), "Rec": rec}
    for name in ("cold", "warm"):
        model = FUSION_MODELS.build(dict(type="msfam"))
        load_autoencoder(model, args.stage1)
        model.encoder.requires_grad_(False)
        model.decoder.requires_grad_(False)
        if name == "warm":
            batches = iter(DataLoader(train, batch_sampler=EpochBatchSampler(len(train), 4, seed=1)))
            tick = time.perf_counter()
            bfloat16 = lambda: torch.autocast("cpu", dtype=torch.bfloat16)  # noqa: E731  (as training runs it)
            fit = fit_fusion_blocks(model, batches, iters=args.iters, lr=args.lr, autocast=bfloat16)
            print(f"warm start: {args.iters} batches of {args.crop[0]}x{args.crop[1]} in "
                  f"{time.perf_counter() - tick:.0f} s, relative feature error {fit['error_start']:.3f} -> "
                  f"{fit['error_end']:.3f}")
        networks[name] = model.to(memory_format=torch.channels_last)
    float32 = contextlib.nullcontext
    results = {name: fusion_metrics(net, val, VALIDATION_METRICS, torch.device("cpu"), float32)
               for name, net in networks.items()}
    print(f"{len(val)} validation pairs ({Path(args.val_list).name}), float32, full size")
    print(f"{'network':<8} " + " ".join(f"{m:>8}" for m in VALIDATION_METRICS) + "    score")
    for name, values in results.items():
        score = relative_score(values, results["average"], PAPER_METRICS)
        print(f"{name:<8} " + " ".join(f"{values[m]:>8.4f}" for m in VALIDATION_METRICS) + f"  {score:.4f}")


if __name__ == "__main__":
    main()
