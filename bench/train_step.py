"""Time training steps of a phase and estimate the wall time of its schedule (prints figures; not a test).

Builds the config's trainer in a temporary work directory, loads a few batches, then times optimisation
steps (forward, losses, backward, optimizer) after warm-up, and the loading of a batch in the main
process. Stage-2 configs need their checkpoints, or ``--cfg-options task.stage1_checkpoint=None
task.classifier_checkpoint=None task.loss.alpha2=0`` (the frozen classifier costs little).

Example:
    python bench/train_step.py configs/fusion/stage1_msfam.py --steps 5 --device cpu
"""
from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from itertools import islice
from pathlib import Path

import torch
from mmengine.config import Config, DictAction

from fusion.engine import Trainer

#: The data beside the repository, where this machine keeps it (the configs' own default is the repository's data/).
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("config", help="training config (configs/fusion/*.py)")
    parser.add_argument("--steps", type=int, default=5, help="timed steps (default 5)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed steps first (default 1)")
    parser.add_argument("--device", help="cpu, cuda, ... (default: the config's)")
    parser.add_argument("--amp", action="store_true", help="bfloat16 autocast")
    parser.add_argument("--cfg-options", nargs="+", action=DictAction, default={}, metavar="KEY=VALUE")
    parser.add_argument("--data-root", help="folder of the data (sets MSFAM_DATA; default: $MSFAM_DATA, else "
                        "../shared/data beside the repository)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    os.environ["MSFAM_DATA"] = str(Path(args.data_root or os.environ.get("MSFAM_DATA") or SHARED_DATA).resolve())
    cfg = Config.fromfile(args.config)
    cfg.merge_from_dict(args.cfg_options)
    cfg.train_dataloader.num_workers = 0
    if args.device:
        cfg.device = args.device
    if args.amp:
        cfg.amp = dict(cfg.get("amp") or {}, enabled=True)
    with tempfile.TemporaryDirectory() as work_dir:
        trainer = Trainer(cfg, work_dir, progress=False)
        tick = time.perf_counter()
        batches = list(islice(iter(trainer.train_loader()), args.warmup + args.steps))
        load_s = (time.perf_counter() - tick) / len(batches)
        times = []
        for index, batch in enumerate(batches):
            if trainer.device.type == "cuda":
                torch.cuda.synchronize(trainer.device)
            tick = time.perf_counter()
            trainer.step(batch)
            if trainer.device.type == "cuda":
                torch.cuda.synchronize(trainer.device)
            if index >= args.warmup:
                times.append(time.perf_counter() - tick)
    step_s = statistics.median(times)
    size = cfg.train_dataloader.dataset.get("crop_size") or cfg.train_dataloader.dataset.get("pairs", {}).get(
        "crop_size", "mixed")
    print(f"{cfg.get('phase')}: batch {trainer.batch_size}, crop {size}, device {trainer.device}, "
          f"amp {trainer.amp['enabled']}, torch threads {torch.get_num_threads()}")
    print(f"step: median {step_s:.3f} s, min {min(times):.3f} s, max {max(times):.3f} s over {len(times)} steps; "
          f"batch loading {load_s:.3f} s in one process")
    print(f"schedule: {trainer.max_iters} iterations -> about {trainer.max_iters * step_s / 3600:.2f} h of steps "
          f"(plus validation and data loading where not overlapped)")


if __name__ == "__main__":
    main()
