"""Config resolution and preparation shared by ``tools/train_det.py`` and ``tools/test_det.py``.

The tools only map their command line onto these functions, so tests (and notebooks) run exactly what the
tools run::

    cfg = training_config("gflv2_fused.py", work_dir="work_dirs/fused", amp=True)
    build_runner(cfg).train()
"""
from __future__ import annotations

import argparse
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from mmengine.config import Config, DictAction
from mmengine.runner import Runner

from ..checkpoint import add_trust_argument
from .records import PREDICTIONS_PREFIX, seed_work_dir

#: The project's detection configs (``configs/detection`` beside the package in a source checkout).
CONFIG_DIR = Path(__file__).resolve().parents[2] / "configs" / "detection"

LAUNCHERS = ("none", "pytorch", "slurm", "mpi")

#: Help epilog of both tools: distributed runs and the learning-rate scaling.
DISTRIBUTED_HELP = """\
multi-GPU and multi-machine (mmengine starts the processes' communication; --launcher says who started them):
  one machine, 8 GPUs:  torchrun --nproc_per_node=8 {tool} ... --launcher pytorch
  2 machines x 8 GPUs:  on each machine
                        torchrun --nnodes=2 --node_rank=<0|1> --nproc_per_node=8 \\
                            --master_addr=<address of node 0> --master_port=29500 {tool} ... --launcher pytorch
  Slurm:                srun -p <partition> --nodes=2 --ntasks-per-node=8 --gres=gpu:8 \\
                            python -u {tool} ... --launcher slurm   (MASTER_PORT may be set; default 29500)
learning rate: train_dataloader.batch_size is per process; the configs scale lr = 0.01 x total batch / 16
(auto_scale_lr), so 1 GPU x 8 images trains at 0.005 and 2 x 8 at 0.01. Change the batch with
--cfg-options train_dataloader.batch_size=N; set auto_scale_lr.enable=False to keep the lr as written.
"""


def resolve_config(config: str | os.PathLike) -> Path:
    """The config file meant by ``config``: an existing path, else a name in :data:`CONFIG_DIR`.

    Args:
        config: a path (``configs/detection/gflv2_fused.py``), or a name relative to :data:`CONFIG_DIR`
            (``gflv2_fused.py`` or ``gflv2_fused``).

    Returns:
        The resolved path.

    Raises:
        FileNotFoundError: neither a file nor a known name; the message lists the known names.
    """
    path = Path(config)
    candidates = [path] if path.is_absolute() else [path, CONFIG_DIR / path, CONFIG_DIR / f"{path}.py"]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    known = sorted(p.name for p in CONFIG_DIR.glob("*.py")) if CONFIG_DIR.is_dir() else []
    raise FileNotFoundError(f"config {config!r} is neither a file nor one of {known} in {CONFIG_DIR}")


def load_config(config: str | os.PathLike, work_dir: str | None = None, cfg_options: dict | None = None,
                launcher: str = "none", data_root: str | None = None, seed: int | None = None) -> Config:
    """Read a config and apply what the tools share.

    Args:
        config: path or bare name (:func:`resolve_config`).
        work_dir: output folder; default ``work_dirs/<config name>`` unless the config sets one.
        seed: a training seed: the work dir becomes ``<work dir>/seed<seed>``.
        cfg_options: ``key.subkey=value`` overrides (``--cfg-options``), merged last.
        launcher: ``none``, ``pytorch``, ``slurm`` or ``mpi``.
        data_root: move every dataset and evaluator annotation file to this root (:func:`set_data_root`).

    Returns:
        The config, ready for :func:`build_runner`. ``cfg_options`` may name a list item by its ``type``
        (:func:`index_named_steps`): ``train_dataloader.dataset.pipeline.Resize.scale``.
    """
    if launcher not in LAUNCHERS:
        raise ValueError(f"launcher must be one of {LAUNCHERS}, got {launcher!r}")
    path = resolve_config(config)
    cfg = Config.fromfile(str(path))
    cfg.launcher = launcher
    if data_root is not None:
        set_data_root(cfg, data_root)
    if cfg_options:
        cfg.merge_from_dict(index_named_steps(cfg, cfg_options))
    if work_dir is not None:
        cfg.work_dir = str(work_dir)
    elif cfg.get("work_dir") is None:
        cfg.work_dir = str(Path("work_dirs") / path.stem)
    if seed is not None:
        cfg.work_dir = str(seed_work_dir(cfg.work_dir, seed))
    return cfg


def step_index(steps: Sequence[Any], step_type: str) -> int:
    """Index of the one item of ``steps`` (a pipeline, ``param_scheduler``, ...) whose ``type`` is ``step_type``.

    Raises:
        KeyError: no such item, or several (the message lists the types there are).
    """
    found = [i for i, step in enumerate(steps) if isinstance(step, Mapping) and step.get("type") == step_type]
    if len(found) != 1:
        types = [step.get("type") if isinstance(step, Mapping) else step for step in steps]
        raise KeyError(f"{'no' if not found else 'more than one'} step of type {step_type!r} among {types}")
    return found[0]


def index_named_steps(cfg: Config | Mapping[str, Any], options: Mapping[str, Any]) -> dict[str, Any]:
    """``options`` (``--cfg-options`` keys) with list items named by their ``type`` turned into indices.

    ``train_dataloader.dataset.pipeline.Resize.scale`` becomes ``train_dataloader.dataset.pipeline.2.scale``
    when the ``Resize`` step is the pipeline's third, so overrides keep working when steps move. Keys that
    address lists by index, or nothing in ``cfg`` yet, stay as they are. A type whose name holds a dot
    (``mmdet.Resize``) cannot be named this way.

    Raises:
        KeyError: a named step that the list does not hold exactly once.
    """
    resolved = {}
    for key, value in options.items():
        parts = key.split(".")
        node: Any = cfg
        for i, part in enumerate(parts[:-1]):
            if isinstance(node, (list, tuple)):
                if not part.isdigit():
                    parts[i] = part = str(step_index(node, part))
                node = node[int(part)] if int(part) < len(node) else None
            elif isinstance(node, (Config, Mapping)):
                node = node.get(part)
            else:
                break
        resolved[".".join(parts)] = value
    return resolved


def set_data_root(cfg: Config, data_root: str) -> None:
    """Point the train/val/test datasets at ``data_root``, and the evaluators' ``ann_file`` with them.

    An evaluator's ``ann_file`` that starts with its dataset's old ``data_root`` keeps the rest of its path.
    """
    data_root = data_root.rstrip("/") + "/"
    for split in ("train", "val", "test"):
        dataloader = cfg.get(f"{split}_dataloader")
        if not dataloader:
            continue
        old_root = dataloader.dataset.get("data_root")
        dataloader.dataset.data_root = data_root
        evaluator = cfg.get(f"{split}_evaluator")
        ann_file = evaluator.get("ann_file") if isinstance(evaluator, dict) else None
        if old_root and ann_file and ann_file.startswith(old_root):
            evaluator.ann_file = data_root + ann_file[len(old_root):].lstrip("/")


def training_config(config: str | os.PathLike, work_dir: str | None = None, cfg_options: dict | None = None,
                 resume: str | None = None, amp: bool = False, launcher: str = "none",
                 data_root: str | None = None, seed: int | None = None) -> Config:
    """The training config: :func:`load_config` plus resuming, mixed precision and the seed.

    Args:
        config, work_dir, cfg_options, launcher, data_root: as in :func:`load_config`.
        seed: seed every random generator with it (mmengine's ``randomness.seed``) and train in
            ``<work dir>/seed<seed>``; ``None`` keeps the config's (mmengine draws one when it has none).
        resume: ``None`` (start afresh), ``"auto"`` (the latest checkpoint in the work dir, if any) or a
            checkpoint path.
        amp: train with automatic mixed precision (``AmpOptimWrapper``, dynamic loss scale; GPU only).

    Returns:
        The config, ready for :func:`build_runner`.
    """
    cfg = load_config(config, work_dir, cfg_options, launcher, data_root, seed)
    if seed is not None:
        cfg.randomness = {**cfg.get("randomness", {}), "seed": seed}
    if amp:
        cfg.optim_wrapper.type = "AmpOptimWrapper"
        cfg.optim_wrapper.loss_scale = "dynamic"
    if resume == "auto":
        cfg.resume, cfg.load_from = True, None
    elif resume is not None:
        cfg.resume, cfg.load_from = True, str(resume)
    return cfg


def testing_config(config: str | os.PathLike, checkpoint: str, work_dir: str | None = None,
                cfg_options: dict | None = None, launcher: str = "none", data_root: str | None = None,
                seed: int | None = None) -> Config:
    """The testing config: :func:`load_config` with the weights to load; a ``KaistMetric`` without an
    ``outfile_prefix`` keeps the predictions as ``<work dir>/test_predictions.{bbox.json,txt}`` (for the
    paired bootstrap of ``tools/compare_det.py`` and for ``tools/eval_kaist.py``).

    Args:
        config, work_dir, cfg_options, launcher, data_root, seed: as in :func:`load_config`.
        checkpoint: the checkpoint to test (a local path or any URL mmengine reads).

    Returns:
        The config, ready for :func:`build_runner`.
    """
    cfg = load_config(config, work_dir, cfg_options, launcher, data_root, seed)
    cfg.load_from = str(checkpoint)
    evaluator = cfg.get("test_evaluator")
    kaist = isinstance(evaluator, Mapping) and evaluator.get("type") == "KaistMetric"
    if kaist and not evaluator.get("outfile_prefix"):
        evaluator["outfile_prefix"] = str(Path(cfg.work_dir) / PREDICTIONS_PREFIX)
    return cfg


def build_runner(cfg: Config, dump_results: str | None = None) -> Runner:
    """Build the runner of a config (``runner_type`` if the config names one).

    Args:
        cfg: a config from :func:`training_config` or :func:`testing_config`.
        dump_results: also write the test predictions to this ``.pkl`` file (mmdet's ``DumpDetResults``)
            for offline re-evaluation.

    Returns:
        The runner; call ``.train()`` or ``.test()``.
    """
    from mmdet.evaluation import DumpDetResults
    from mmdet.registry import RUNNERS
    from mmdet.utils import setup_cache_size_limit_of_dynamo

    setup_cache_size_limit_of_dynamo()
    runner = RUNNERS.build(cfg) if "runner_type" in cfg else Runner.from_cfg(cfg)
    if dump_results is not None:
        if not str(dump_results).endswith((".pkl", ".pickle")):
            raise ValueError(f"the results file must end in .pkl or .pickle, got {dump_results}")
        runner.test_evaluator.metrics.append(DumpDetResults(out_file_path=str(dump_results)))
    return runner


def build_parser(description: str, tool: str) -> argparse.ArgumentParser:
    """The arguments both tools take, with :data:`DISTRIBUTED_HELP` as the help epilog.

    ``config``, ``--work-dir``, ``--data-root``, ``--cfg-options``, ``--launcher``, ``--local-rank``,
    ``--trust-checkpoint`` (act on it with :func:`detection.checkpoint.apply_trust_argument`).
    """
    parser = argparse.ArgumentParser(description=description, epilog=DISTRIBUTED_HELP.format(tool=tool),
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("config", help=f"config path, or a name in {CONFIG_DIR} (e.g. gflv2_fused.py)")
    parser.add_argument("--work-dir", help="folder for logs, checkpoints and results "
                        "(default: work_dirs/<config name>)")
    parser.add_argument("--data-root", help="dataset root holding annotations/ and the image folders "
                        "(default: the config's, data/kaist_fused/)")
    parser.add_argument("--cfg-options", nargs="+", action=DictAction, metavar="KEY=VALUE",
                        help="override config entries, e.g. model.backbone.init_cfg=None "
                        "train_dataloader.batch_size=4; lists as key='[a,b]'; a list item by its type: "
                        "train_dataloader.dataset.pipeline.Resize.scale='(320,256)'")
    parser.add_argument("--launcher", choices=LAUNCHERS, default="none",
                        help="who started the processes: none (one process), pytorch (torchrun), slurm, mpi")
    parser.add_argument("--local-rank", "--local_rank", type=int, default=0,
                        help="set by older torch.distributed launchers; torchrun sets LOCAL_RANK instead")
    add_trust_argument(parser)
    return parser


def export_local_rank(local_rank: int) -> None:
    """Make ``--local-rank`` visible to mmengine as ``LOCAL_RANK`` unless a launcher already set it."""
    os.environ.setdefault("LOCAL_RANK", str(local_rank))
