"""Training and inference images/s of every detector input kind, in one run (prints figures; not a test).

The six inputs of the comparison run three networks: one image (visible, thermal, NestFuse- or MSFAM-fused:
the same GFLv2 R50; a fused input also pays its fusion network once per pair when the dataset is pre-fused,
measured here too), early fusion (4-band first convolution) and halfway fusion (two ResNet-50 streams).
Each is timed on random ``uint8`` inputs through the data preprocessor: a training step (forward, losses,
backward, SGD) and inference (``test_step``); the networks take turns, one step each a round, after an untimed
round, and each figure is the median over the rounds.

Example:
    python bench/bench_detectors.py --size 640x512 --batch 2 --repeats 3 --device cuda --json bench_detectors.json
"""
from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import torch
from mmengine.optim import build_optim_wrapper
from mmengine.registry import init_default_scope
from mmengine.structures import InstanceData

from detection.runs.config import load_config
from fusion.apis import load_fuser
from fusion.utils.cli import image_size
from fusion.utils.markdown import markdown_table

#: Network -> (configs/detection leaf, input bands, the comparison's inputs it serves).
NETWORKS = {"one image": ("gflv2_visible.py", 3, "visible, lwir, nestfuse, msfam"),
            "early fusion": ("gflv2_early.py", 4, "early_fusion"),
            "halfway fusion": ("gflv2_halfway.py", 4, "halfway_fusion")}
FUSIONS = ("nestfuse", "msfam")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="\n".join(__doc__.splitlines()[1:]))
    parser.add_argument("--size", type=image_size, default=(320, 256), metavar="WxH",
                        help="image size (default 320x256; KAIST: 640x512)")
    parser.add_argument("--batch", type=int, default=2, help="images per step (default 2)")
    parser.add_argument("--repeats", type=int, default=3, help="timed rounds (default 3)")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    return parser.parse_args(argv)


def seconds(step: Callable[[], object], device: torch.device) -> float:
    """Wall seconds of one call of ``step`` (GPU work included)."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    tick = time.perf_counter()
    step()
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    return time.perf_counter() - tick


def interleaved_medians(steps: dict[str, Callable[[], object]], repeats: int, device: torch.device
                        ) -> dict[str, float]:
    """Median seconds of each step over ``repeats`` rounds that run every step once, after one untimed round:
    the networks share whatever drifts during the run (clock, caches, other load) instead of the first one
    paying for it."""
    times: dict[str, list[float]] = {name: [] for name in steps}
    for round_index in range(repeats + 1):
        for name, step in steps.items():
            elapsed = seconds(step, device)
            if round_index:
                times[name].append(elapsed)
    return {name: statistics.median(values) for name, values in times.items()}


def batch(bands: int, size: tuple[int, int], count: int) -> dict:
    """Random images with one person box each, as the data loader gives them."""
    from mmdet.structures import DetDataSample

    width, height = size
    samples = []
    for _ in range(count):
        sample = DetDataSample(metainfo=dict(img_shape=(height, width), ori_shape=(height, width),
                                             scale_factor=(1.0, 1.0)))
        sample.gt_instances = InstanceData(bboxes=torch.tensor([[width * 0.3, height * 0.2, width * 0.4,
                                                                 height * 0.8]]), labels=torch.tensor([0]))
        samples.append(sample)
    return dict(inputs=[torch.randint(0, 256, (bands, height, width), dtype=torch.uint8) for _ in range(count)],
                data_samples=samples)


def build_network(config: str, device: torch.device) -> torch.nn.Module:
    """A detection config's network with random weights (no ImageNet download) on ``device``."""
    from mmdet.registry import MODELS

    cfg = load_config(config, cfg_options={"model.backbone.init_cfg": None})
    init_default_scope("mmdet")
    torch.manual_seed(0)
    model = MODELS.build(cfg.model).to(device)
    model.init_weights()
    return model


def bench_networks(args: argparse.Namespace) -> dict[str, dict]:
    """Training and inference images/s of every network of :data:`NETWORKS`, timed interleaved."""
    device = torch.device(args.device)
    models = {name: build_network(config, device) for name, (config, _, _) in NETWORKS.items()}
    data = {name: batch(bands, args.size, args.batch) for name, (_, bands, _) in NETWORKS.items()}
    optims = {name: build_optim_wrapper(model, dict(optimizer=dict(type="SGD", lr=1e-4, momentum=0.9)))
              for name, model in models.items()}
    for model in models.values():
        model.train()
    train = interleaved_medians({name: (lambda n=name: models[n].train_step(data[n], optims[n]))
                                 for name in models}, args.repeats, device)
    for model in models.values():
        model.eval()
    with torch.no_grad():
        test = interleaved_medians({name: (lambda n=name: models[n].test_step(data[n])) for name in models},
                                   args.repeats, device)
    return {name: {"config": NETWORKS[name][0], "train_images_s": args.batch / train[name],
                   "test_images_s": args.batch / test[name],
                   "params": sum(p.numel() for p in models[name].parameters())} for name in models}


def bench_fusions(args: argparse.Namespace) -> dict[str, float]:
    """Pairs/s of the fusion networks (shipped weights) at the bench's size, as a pre-fused dataset pays once."""
    device = torch.device(args.device)
    width, height = args.size
    visible, infrared = (torch.rand(1, 1, height, width, device=device) for _ in range(2))
    fusers = {method: load_fuser(method, device=str(device), backend="torch") for method in FUSIONS}
    with torch.inference_mode():
        medians = interleaved_medians({method: (lambda f=fuser: f.fuse_tensors(visible, infrared))
                                       for method, fuser in fusers.items()}, args.repeats, device)
    return {method: 1.0 / value for method, value in medians.items()}


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    fusions = bench_fusions(args)  # before mmdet's default scope is set
    networks = bench_networks(args)
    one = networks["one image"]
    rows = []
    for name, (_, _, inputs) in NETWORKS.items():
        figures = networks[name]
        rows.append([name, inputs, f"{figures['params'] / 1e6:.1f}", f"{figures['train_images_s']:.2f}",
                     f"{figures['train_images_s'] / one['train_images_s']:.2f}", f"{figures['test_images_s']:.2f}",
                     f"{figures['test_images_s'] / one['test_images_s']:.2f}"])
    width, height = args.size
    print(f"GFLv2 R50 detectors, {width}x{height}, batch {args.batch}, {args.device}, median of {args.repeats} "
          "interleaved steps after warm-up; ratios to the one-image network, same run\n")
    print(markdown_table(["network", "inputs", "params (M)", "train images/s", "ratio", "inference images/s",
                          "ratio"], rows, numeric_from=2))
    print("\nPre-fusing a dataset (once per pair, before training): "
          + ", ".join(f"{method} {rate:.2f} pairs/s" for method, rate in fusions.items())
          + f" at {width}x{height} on {args.device}, shipped weights, PyTorch fp32.")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"size": [width, height], "batch": args.batch, "device": args.device,
                                         "networks": networks, "fusion_pairs_s": fusions}, indent=2) + "\n")
        print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
