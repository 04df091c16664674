"""Does a stage-1 auto-encoder trained on crops reconstruct full frames as well? (prints figures; not a test)

MSFAM's HIN blocks normalise half their channels per image (instance normalisation). Statistics learnt on
small training crops may not match those of a full frame at inference; NestFuse has no normalisation.
For each checkpoint this reconstructs the single images of held-out pairs (visible luminance and infrared,
``configs/fusion/splits/test.txt``) at full size and as centre crops of the training size, and prints the
mean PSNR of each and their gap, all in one run.

Example:
    python bench/bench_stage1_transfer.py --checkpoint msfam128=work_dirs/cpu/stage1_msfam/final.pth \\
        --checkpoint nestfuse=fusion/weights/nestfuse.pth --crop 128
"""
from __future__ import annotations

import argparse
import math
from pathlib import Path

import torch

from fusion.apis.checkpoint import build_from_checkpoint
from fusion.datasets.paired import index_pairs, read_file_list, read_pair
from fusion.utils.cli import name_value

REPO = Path(__file__).resolve().parents[1]


def psnr(output: torch.Tensor, target: torch.Tensor) -> float:
    """PSNR in dB of images in [0, 1] (the output clipped)."""
    mse = float((output.clamp(0, 1) - target).pow(2).mean())
    return 10 * math.log10(1 / max(mse, 1e-12))


def centre_crop(image: torch.Tensor, side: int) -> torch.Tensor:
    """The centre ``side x side`` window of ``(1, 1, H, W)`` (the whole image where smaller)."""
    height, width = image.shape[-2:]
    top, left = max(0, (height - side) // 2), max(0, (width - side) // 2)
    return image[..., top:top + side, left:left + side]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoint", action="append", required=True, type=name_value, metavar="NAME=PATH",
                        help="a stage-1 network (any nest fusion checkpoint); repeat to compare")
    parser.add_argument("--data-root", default=str(REPO.parent / "shared" / "data" / "fusion"),
                        help="folder of the paired sets")
    parser.add_argument("--test-list", default=str(REPO / "configs" / "fusion" / "splits" / "test.txt"),
                        help="held-out pairs whose images are reconstructed")
    parser.add_argument("--crop", type=int, default=128, help="side of the centre crops (the training crop size)")
    return parser.parse_args(argv)


@torch.inference_mode()
def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    images = []
    for record in index_pairs(args.data_root, names=read_file_list(args.test_list)):
        images += [torch.from_numpy(image)[None, None] for image in read_pair(record)]
    print(f"{len(images)} held-out images (visible luminance and infrared), crops {args.crop}x{args.crop}, "
          f"{torch.get_num_threads()} threads")
    print(f"{'network':<16} {'full-frame PSNR':>16} {'crop PSNR':>10} {'gap':>7}")
    for name, path in args.checkpoint:
        model, _ = build_from_checkpoint(path)
        model.eval()
        full = [psnr(model.reconstruct(image), image) for image in images]
        crops = [psnr(model.reconstruct(centre_crop(image, args.crop)), centre_crop(image, args.crop))
                 for image in images]
        mean_full, mean_crop = sum(full) / len(full), sum(crops) / len(crops)
        print(f"{name:<16} {mean_full:>13.2f} dB {mean_crop:>7.2f} dB {mean_full - mean_crop:>+7.2f}")


if __name__ == "__main__":
    main()
