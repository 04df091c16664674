"""Export the fusion network of a detector trained with MSFAM in the loop as an ordinary fusion checkpoint.

Reads a checkpoint of a configs/detection/gflv2_tuned_*.py run (a FusionDetector) and writes its fusion network
as tools/train_fusion.py writes one, with a model card beside it (OUT with .md), so that load_fuser,
tools/fuse_dataset.py --checkpoint msfam=OUT and tools/export_onnx.py --checkpoint OUT take it.

Example:
    python tools/export_tuned_fusion.py gflv2_tuned_joint.py work_dirs/gflv2_tuned_joint/epoch_24.pth \\
        --out weights/msfam_tuned.pth
    python tools/fuse_dataset.py kaist --root data/kaist --out data/kaist_tuned --methods msfam \\
        --checkpoint msfam=weights/msfam_tuned.pth --split train-all-02
"""
from __future__ import annotations

import argparse
import sys

from mmengine.config import DictAction

from detection.checkpoint import add_trust_argument, apply_trust_argument, load_local_checkpoint
from detection.runs.config import load_config, resolve_config
from fusion.integrations.tuned_fusion import export_tuned_fusion


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="\n".join(__doc__.splitlines()[1:]))
    parser.add_argument("config", help="the FusionDetector config the checkpoint was trained with")
    parser.add_argument("checkpoint", help="its checkpoint (work_dirs/<config>/epoch_N.pth)")
    parser.add_argument("--out", required=True, help="fusion checkpoint to write (.pth); its card goes to .md")
    parser.add_argument("--cfg-options", nargs="+", action=DictAction, default={}, metavar="KEY=VALUE",
                        help="overrides the run was trained with (model.fusion_checkpoint=..., ...)")
    add_trust_argument(parser)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    apply_trust_argument(args)
    try:
        cfg = load_config(args.config, cfg_options=args.cfg_options)
        checkpoint = load_local_checkpoint(args.checkpoint, map_location="cpu")
        dataset = cfg.train_dataloader.dataset
        training = {"config": str(resolve_config(args.config)), "checkpoint": args.checkpoint,
                    "train_data": {"data_root": dataset.get("data_root"), "ann_file": dataset.get("ann_file")}}
        paths = export_tuned_fusion(cfg.model, checkpoint, args.out, training)
    except (FileNotFoundError, ValueError) as error:
        sys.exit(f"error: {error}")
    print(f"wrote {paths[0]} and its card {paths[1]}")


if __name__ == "__main__":
    main()
