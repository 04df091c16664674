"""Print the parameters and multiply-adds of every registered network and of each kind of detector as markdown.

Counts run on the ``meta`` device (shapes only: seconds on a CPU, no memory), one fused pair for the
fusion networks and one image for the classifier, batch 1. The paper's figures (MSFAM Table 6) are
printed beside ours: its "GFlops" are G multiply-adds at 320x256 (NestFuse's official code measures
95.2 G multiply-adds a pair at 320x256 against the 95 G quoted). The detectors (configs/detection, backbone,
neck and head up to the raw outputs) are counted by input kind: one image (visible, thermal or fused: the
same network), and both bands (early and halfway fusion); a fused input adds its fusion network's count.

Usage:
    python tools/model_info.py [--sizes 640x512 320x256] [--json PATH]
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch

import fusion.models  # noqa: F401  (registers the networks)
from detection.runs.config import load_config
from fusion.models.complexity import count_macs, count_parameters, network_names
from fusion.registry import FUSION_MODELS, NETWORKS
from fusion.utils.cli import image_size
from fusion.utils.markdown import markdown_table

#: Paper figures (MSFAM Table 6): parameters and G multiply-adds of a pair at 320x256.
PAPER = {"msfam": (3.8e6, 106e9), "nestfuse": (2.7e6, 95e9)}
PAPER_SIZE = "320x256"
#: Detector rows: input kind -> (configs/detection leaf, input bands).
DETECTORS = {"gflv2 one image": ("gflv2_visible.py", 3), "gflv2 early fusion": ("gflv2_early.py", 4),
             "gflv2 halfway fusion": ("gflv2_halfway.py", 4)}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--sizes", nargs="+", type=image_size, default=[(640, 512), (320, 256)], help="input sizes, WxH"
    )
    parser.add_argument("--json", type=Path, help="also write the rows to this JSON file")
    return parser.parse_args()


def measure(registry_name: str, name: str, sizes: list[tuple[int, int]]) -> dict:
    """Parameters and multiply-adds of one registered network at each size (``meta`` device)."""
    registry = FUSION_MODELS if registry_name == "FUSION_MODELS" else NETWORKS
    with torch.device("meta"):
        model = registry.build(dict(type=name)).eval()
    num_inputs = 2 if registry is FUSION_MODELS else 1
    row = {"network": name, "registry": registry_name, "params": count_parameters(model), "macs": {}}
    for width, height in sizes:
        inputs = [torch.empty(1, 1, height, width, device="meta") for _ in range(num_inputs)]
        row["macs"][f"{width}x{height}"] = count_macs(model, *inputs)
    if name in PAPER:
        paper_params, paper_macs = PAPER[name]
        row["paper"] = {"params": paper_params, "macs": paper_macs, "size": PAPER_SIZE}
    return row


def measure_detector(label: str, config: str, bands: int, sizes: list[tuple[int, int]]) -> dict:
    """Parameters and multiply-adds of a detection config's model (``_forward``: backbone, neck, head) on the
    ``meta`` device, for one ``bands``-band image at each size."""
    from mmdet.registry import MODELS
    from mmengine.registry import init_default_scope

    cfg = load_config(config, cfg_options={"model.backbone.init_cfg": None})
    init_default_scope(cfg.get("default_scope", "mmdet"))
    with torch.device("meta"):
        model = MODELS.build(cfg.model).eval()
    row = {"network": label, "registry": f"detector ({config})", "params": count_parameters(model), "macs": {}}
    for width, height in sizes:
        image = torch.empty(1, bands, height, width, device="meta")
        row["macs"][f"{width}x{height}"] = count_macs(_RawOutputs(model), image)
    return row


class _RawOutputs(torch.nn.Module):
    """A detector's ``_forward`` (raw head outputs) as a module call, for :func:`count_macs`."""

    def __init__(self, detector: torch.nn.Module) -> None:
        super().__init__()
        self.detector = detector

    def forward(self, image: torch.Tensor):
        return self.detector._forward(image)


def model_table(rows: list[dict], sizes: list[tuple[int, int]]) -> str:
    """The rows as a markdown table, with our/paper ratios where the paper gives a figure."""
    size_keys = [f"{w}x{h}" for w, h in sizes]
    header = ["network", "registry", "params (M)", "paper (M)", "ratio"]
    for key in size_keys:
        header += [f"GMACs {key}", f"GFLOPs {key}"]
    header += [f"paper G {PAPER_SIZE}", "ratio"]
    body = []
    for row in rows:
        paper = row.get("paper")
        cells = [row["network"], row["registry"], f"{row['params'] / 1e6:.3f}"]
        cells += [f"{paper['params'] / 1e6:.1f}", f"{row['params'] / paper['params']:.2f}"] if paper else ["", ""]
        for key in size_keys:
            macs = row["macs"][key]
            cells += [f"{macs / 1e9:.2f}", f"{2 * macs / 1e9:.2f}"]
        if paper and PAPER_SIZE in row["macs"]:
            cells += [f"{paper['macs'] / 1e9:.0f}", f"{row['macs'][PAPER_SIZE] / paper['macs']:.2f}"]
        else:
            cells += ["", ""]
        body.append(cells)
    return markdown_table(header, body, numeric_from=2)


def main() -> None:
    args = parse_args()
    rows = [measure("FUSION_MODELS", name, args.sizes) for name in network_names(FUSION_MODELS)]
    rows += [measure("NETWORKS", name, args.sizes) for name in network_names(NETWORKS)]
    rows += [measure_detector(label, config, bands, args.sizes) for label, (config, bands) in DETECTORS.items()]
    print(
        "Multiply-adds (MACs) of convolutions and matrix products, counted by torch FlopCounterMode;"
        " GFLOPs = 2 x GMACs. Fusion networks: one (vis, ir) pair; classifier: one image; detectors: one image"
        " (3 bands) or pair (4 bands) to the raw head outputs, a fused input adding its fusion network; batch 1."
        f" Paper: MSFAM Table 6, its GFlops read as G multiply-adds at {PAPER_SIZE}.\n"
    )
    print(model_table(rows, args.sizes))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(rows, indent=2) + "\n")
        print(f"\nwrote {args.json}")


if __name__ == "__main__":
    main()
