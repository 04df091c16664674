"""Train one phase of the fusion pipeline (stage 1, the Semantic Constraint classifier, stage 2, ablations).

Writes to the work directory (default ``<work_root>/<config name>``, ``work_dirs/`` unless ``MSFAM_WORK_ROOT``
says otherwise: configs/fusion/_base_/runtime.py): ``config.py``, ``log.jsonl``,
``train.log``, ``last.pth`` (training state, for ``--resume``), ``best.pth`` / ``final.pth`` (networks
in the ``fusion.apis`` format: ``load_fuser(method, checkpoint=...)``). See ``fusion/engine/trainer.py``.

The phases, in order (each later one reads the earlier checkpoints from the work root); the data is read from
the repository's ``data/`` unless ``--data-root`` or ``MSFAM_DATA`` says otherwise:
    python tools/train_fusion.py configs/fusion/stage1_msfam.py
    python tools/train_fusion.py configs/fusion/classifier.py
    python tools/train_fusion.py configs/fusion/stage2_msfam.py --amp --time-budget 30
``tools/train_fusion_all.sh`` runs every phase in order (``configs/fusion/cpu/``: the shipped weights' schedule).

Interrupted or budget-stopped runs continue exactly with ``--resume``.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from mmengine.config import Config, DictAction

from fusion.engine import Trainer
from fusion.utils.files import describe_write_error
from fusion.utils.run_lock import FolderInUseError

#: The environment variable the fusion configs read their data root from (configs/fusion/_base_/data.py).
DATA_ROOT_ENV = "MSFAM_DATA"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("config", help="training config (configs/fusion/*.py)")
    parser.add_argument("--work-dir", help="folder of logs and checkpoints (default: <work_root>/<config name>, "
                        "work_root being work_dirs unless MSFAM_WORK_ROOT is set)")
    parser.add_argument("--resume", action="store_true", help="continue the run of the work directory (last.pth)")
    parser.add_argument("--cfg-options", nargs="+", action=DictAction, default={}, metavar="KEY=VALUE",
                        help="override config entries, e.g. train_cfg.max_iters=100 task.stage1_checkpoint=x.pth")
    parser.add_argument("--device", help="cpu, cuda, cuda:1, ... (default: the config's, else CUDA when available)")
    parser.add_argument("--amp", action="store_true", help="autocast the networks (bfloat16 unless amp.dtype says)")
    parser.add_argument("--time-budget", type=float, metavar="MIN",
                        help="stop cleanly (and save) before this many minutes of wall time are spent")
    parser.add_argument("--data-root", help="folder of the data (sets MSFAM_DATA; default: the repository's data/)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar (logs only)")
    return parser.parse_args(argv)


def load_config(args: argparse.Namespace) -> Config:
    """The config file with the command line's overrides applied."""
    if args.data_root:
        os.environ[DATA_ROOT_ENV] = str(Path(args.data_root).resolve())
    cfg = Config.fromfile(args.config)
    cfg.merge_from_dict(args.cfg_options)
    if args.device:
        cfg.device = args.device
    if args.amp:
        cfg.amp = dict(cfg.get("amp") or {}, enabled=True)
    if args.time_budget is not None:
        cfg.train_cfg.time_budget = args.time_budget
    return cfg


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    cfg = load_config(args)
    default_work_dir = Path(cfg.get("work_root", "work_dirs")) / Path(args.config).stem
    work_dir = Path(args.work_dir or cfg.get("work_dir") or default_work_dir)
    try:
        trainer = Trainer(cfg, work_dir, resume=args.resume, progress=not args.no_progress)
    except (FileExistsError, FileNotFoundError, ValueError, TypeError) as error:
        sys.exit(f"error: {error}")
    try:
        cfg.dump(str(work_dir / "config.py"))
        end = trainer.run()
    except (FolderInUseError, ValueError) as error:
        sys.exit(f"error: {error}")
    except OSError as error:
        sys.exit(f"error: {describe_write_error(error)} (with --resume)")
    state = "complete" if end["complete"] else f"stopped ({end['stopped']})"
    print(f"{cfg.get('phase')}: {state} at iteration {end['iter']}/{trainer.max_iters}, "
          f"{end['elapsed_s'] / 60:.1f} min of training")
    if end["best"]:
        print(f"best {end['best']['key']} = {end['best']['value']:.4f} at iteration {end['best']['iteration']}")
    exported = [name for name in ("best.pth", "final.pth") if (work_dir / name).is_file()]
    print(f"work dir {work_dir}: {', '.join(exported)}, last.pth, log.jsonl, train.log")


if __name__ == "__main__":
    main()
