"""The training loop shared by every phase: iterations, validation, checkpoints, exact resume, time budget.

A run is described by an mmengine ``Config`` (see ``configs/fusion/``)::

    phase = "stage2"                              # name recorded in logs and checkpoints
    seed = 0
    device = None                                 # "cpu", "cuda", "cuda:1"; None: CUDA when available
    amp = dict(enabled=False, dtype="bfloat16")   # autocast of the network forward passes
    channels_last = True                          # NHWC weights (oneDNN/cuDNN's fast layout); False: NCHW
    task = dict(type="FusionTask", ...)           # a TASKS entry (fusion/engine/tasks)
    train_dataloader = dict(batch_size=4, num_workers=4, dataset=dict(type=...))
    val_dataloader = dict(num_workers=2, dataset=dict(type=..., crop_size=None))   # optional, batch 1
    optimizer = dict(type="Adam", lr=1e-4)        # a torch.optim class; the task makes the groups
    train_cfg = dict(by_epoch=True, max_epochs=20, val_interval=1, log_interval=10,
                     checkpoint_interval=200, time_budget=None,
                     lr_schedule=None,                         # or dict(type="cosine", min_ratio=0.01)
                     validate_at_start=False)                  # True: also validate at iteration 0

A task may prepare its network once before the first iteration of a new run (stage 2 fits its fusion blocks
to the hand-designed fusion there; :meth:`Task.prepare`), with batches drawn apart from the training stream.
Validation picks ``best.pth`` by ``task.best_key``; a tie keeps the later network.

``by_epoch=False`` takes ``max_iters`` and a ``val_interval`` in iterations instead. The work directory
receives ``log.jsonl`` and ``train.log``, ``last.pth`` (the training state, rewritten atomically every
``checkpoint_interval`` iterations, after each validation and at the end), ``best.pth`` (the exported
network with the best ``task.best_key`` so far) and ``final.pth`` (the exported network at the end).
The exported files are ``fusion.apis`` checkpoints: ``load_fuser(method, checkpoint=...)`` reads them.

Resuming restores the network, optimizer, gradient scaler, iteration, best result and random states,
and the batch stream restarts at the saved iteration (:class:`fusion.engine.sampler.EpochBatchSampler`),
so a resumed run computes the same losses as an uninterrupted one. ``time_budget`` (minutes of wall
time for this invocation) stops before an iteration (or validation) that would overrun it, then saves.
"""
from __future__ import annotations

import math
import os
import time
import warnings
from pathlib import Path
from typing import Any

import torch
from mmengine.config import Config
from torch.utils.data import DataLoader
from tqdm import tqdm

from .. import datasets  # noqa: F401  (registers the datasets)
from ..registry import DATASETS, TASKS
from ..utils.device import resolve_device
from ..utils.run_lock import run_lock
from .logger import TrainLogger
from .lr_schedule import build_lr_factor
from .meta import run_environment, to_plain
from .precision import make_autocast, make_grad_scaler
from .sampler import EpochBatchSampler
from .state import (load_latest_training_state, previous_path, restore_rng_state, rng_state,
                    save_state_keeping_previous, seed_everything)
from .tasks.base import Task

STATE_FILE, BEST_FILE, FINAL_FILE = "last.pth", "best.pth", "final.pth"


class Trainer:
    """Run one training phase described by a config (see the module docstring).

    Args:
        cfg: the run's config.
        work_dir: folder of logs and checkpoints.
        resume: continue from ``work_dir/last.pth``.
        progress: show a tqdm progress bar.

    Raises:
        FileExistsError: ``work_dir`` already holds a run and ``resume`` is False.
        FileNotFoundError: ``resume`` is True and there is no ``last.pth``.
    """

    def __init__(self, cfg: Config, work_dir: str | Path, resume: bool = False, progress: bool = True) -> None:
        self.cfg = cfg
        self.work_dir = Path(work_dir)
        self.state_path = self.work_dir / STATE_FILE
        if resume and not (self.state_path.is_file() or previous_path(self.state_path).is_file()):
            raise FileNotFoundError(f"--resume: no {STATE_FILE} in {self.work_dir}")
        if not resume and self.state_path.is_file():
            raise FileExistsError(f"{self.work_dir} already holds a run ({STATE_FILE}): resume it or choose another "
                                  "work directory")
        self.resume = resume
        self.progress = progress
        self.device = resolve_device(cfg.get("device"))
        amp = dict(cfg.get("amp") or {})
        self.amp = {"enabled": bool(amp.get("enabled", False)), "dtype": amp.get("dtype", "bfloat16")}
        self.train_cfg = dict(cfg.train_cfg)
        self.seed = int(cfg.get("seed", 0))
        self.logger = TrainLogger(self.work_dir)

        seed_everything(self.seed)
        if self.device.type == "cuda":
            torch.backends.cudnn.benchmark = bool(cfg.get("cudnn_benchmark", True))
        autocast = make_autocast(self.device, **self.amp)
        self.task: Task = TASKS.build(cfg.task, default_args=dict(device=self.device, autocast=autocast))
        if cfg.get("channels_last", True):
            # Convolutions follow their weights' layout; Adam's moments are made like the parameters.
            self.task.model.to(memory_format=torch.channels_last)
        loader_cfg = dict(cfg.train_dataloader)
        self.train_set = DATASETS.build(loader_cfg["dataset"], default_args=dict(seed=self.seed))
        self.batch_size = int(loader_cfg["batch_size"])
        self.num_workers = int(loader_cfg.get("num_workers", 0))
        self.batches_per_epoch = EpochBatchSampler(len(self.train_set), self.batch_size).batches_per_epoch
        self.max_iters, self.val_interval = self._schedule()
        self.val_loader = self._val_loader()
        if self.val_loader is not None and self.task.best_key is None:
            raise ValueError(f"{type(self.task).__name__} does not validate: remove val_dataloader from the config")

        optimizer_cfg = dict(cfg.optimizer)
        optimizer_cls = getattr(torch.optim, optimizer_cfg.pop("type"))
        self.optimizer = optimizer_cls(self.task.param_groups(optimizer_cfg.pop("lr")), **optimizer_cfg)
        self.base_lrs = [group["lr"] for group in self.optimizer.param_groups]
        self.lr_factor = build_lr_factor(self.train_cfg.get("lr_schedule"), self.max_iters)
        self.scaler = make_grad_scaler(self.device, **self.amp)
        self.iteration = 0
        self.saved_iteration: int | None = None  # the iteration of the state in last.pth
        self.elapsed = 0.0
        self.best: dict[str, Any] | None = None
        self.last_val: dict[str, float] | None = None

    def _schedule(self) -> tuple[int, int]:
        """``(max_iters, val_interval in iterations)`` from ``train_cfg``."""
        cfg = self.train_cfg
        if cfg.get("by_epoch", True):
            max_iters = int(cfg["max_epochs"]) * self.batches_per_epoch
            val_interval = int(cfg.get("val_interval", 1)) * self.batches_per_epoch
        else:
            max_iters = int(cfg["max_iters"])
            val_interval = int(cfg.get("val_interval", max_iters))
        if max_iters < 1 or val_interval < 1:
            raise ValueError(f"the schedule needs max_iters >= 1 and val_interval >= 1, got {max_iters} and "
                             f"{val_interval}")
        return max_iters, val_interval

    def _val_loader(self) -> DataLoader | None:
        cfg = self.cfg.get("val_dataloader")
        if not cfg:
            return None
        dataset = DATASETS.build(cfg["dataset"], default_args=dict(seed=self.seed))
        return DataLoader(dataset, batch_size=1, shuffle=False, num_workers=int(cfg.get("num_workers", 0)))

    def train_loader(self) -> DataLoader:
        """The training batches from the current iteration on (an endless, seeded stream)."""
        sampler = EpochBatchSampler(len(self.train_set), self.batch_size, self.seed,
                                    self.train_cfg.get("shuffle", True), start_iter=self.iteration)
        return DataLoader(self.train_set, batch_sampler=sampler, num_workers=self.num_workers,
                          pin_memory=self.device.type == "cuda", generator=torch.Generator().manual_seed(self.seed))

    def prepare_loader(self) -> DataLoader:
        """Batches for :meth:`Task.prepare`: the training set in another seeded order, apart from the training
        stream."""
        sampler = EpochBatchSampler(len(self.train_set), self.batch_size, self.seed + 1,
                                    self.train_cfg.get("shuffle", True))
        return DataLoader(self.train_set, batch_sampler=sampler, num_workers=self.num_workers,
                          pin_memory=self.device.type == "cuda")

    # ----------------------------------------------------------------------------------------- state
    def save_state(self) -> None:
        """Write ``last.pth`` atomically, keeping the state of an earlier iteration it replaces as
        ``last.prev.pth``."""
        keep_previous = self.saved_iteration != self.iteration
        self.saved_iteration = self.iteration
        save_state_keeping_previous({
            "phase": self.cfg.get("phase"),
            "model": self.task.model.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "scaler": self.scaler.state_dict(),
            "iteration": self.iteration,
            "elapsed_s": self.elapsed,
            "best": to_plain(self.best),
            "last_val": to_plain(self.last_val),
            "rng": rng_state(),
            "config": to_plain(self.cfg.to_dict()),
        }, self.state_path, keep_previous)

    def load_state(self) -> None:
        """Restore everything :meth:`save_state` wrote (from ``last.prev.pth`` when ``last.pth`` is damaged)."""
        state, source, passed_over = load_latest_training_state(self.state_path)
        if passed_over:
            message = f"{'; '.join(passed_over)}; resuming from {source.name} (iteration {int(state['iteration'])})"
            if self.state_path.is_file():  # set aside, so that the next save does not keep it as the previous state
                damaged = self.state_path.with_name(f"{self.state_path.stem}.damaged{self.state_path.suffix}")
                os.replace(self.state_path, damaged)
                message += f"; the damaged file is kept as {damaged.name}"
            warnings.warn(message, stacklevel=2)
            self.logger.text(f"warning: {message}")
        self.task.model.load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["optimizer"])
        self.scaler.load_state_dict(state["scaler"])
        self.iteration = self.saved_iteration = int(state["iteration"])
        self.elapsed = float(state["elapsed_s"])
        self.best = state["best"]
        self.last_val = state["last_val"]
        restore_rng_state(state["rng"])

    def meta(self, stopped: str | None) -> dict[str, Any]:
        """Metadata of an exported checkpoint: phase, progress, results, schedule, provenance, config."""
        loader = dict(self.cfg.train_dataloader)
        return to_plain({
            "phase": self.cfg.get("phase"),
            "iteration": self.iteration,
            "epoch": self.iteration / self.batches_per_epoch,
            "max_iters": self.max_iters,
            "complete": self.iteration >= self.max_iters,
            "stopped": stopped,
            "elapsed_s": self.elapsed,
            "metrics": self.last_val,
            "best": self.best,
            "schedule": {"batch_size": self.batch_size, "batches_per_epoch": self.batches_per_epoch,
                         "train_samples": len(self.train_set), "crop_size": loader["dataset"].get("crop_size"),
                         "optimizer": dict(self.cfg.optimizer), "lr_schedule": self.train_cfg.get("lr_schedule"),
                         "amp": self.amp, "seed": self.seed},
            "sources": getattr(self.task, "sources", {}),
            **run_environment(self.device),
            "config": self.cfg.to_dict(),
        })

    # ------------------------------------------------------------------------------------------ loop
    def validate(self) -> None:
        """Validate, log, and export ``best.pth`` when ``task.best_key`` improved."""
        results = self.task.validate(self.val_loader)
        self.last_val = results
        value = results[self.task.best_key]
        improved = self.best is None or value >= self.best["value"]  # a tie keeps the later network
        if improved:
            self.best = {"key": self.task.best_key, "value": value, "iteration": self.iteration}
            self.task.export(self.work_dir / BEST_FILE, self.meta(stopped=None))
        self.logger.log("val", iter=self.iteration, epoch=self.iteration / self.batches_per_epoch,
                        best=improved, **results)

    def run(self) -> dict[str, Any]:
        """Train to ``max_iters`` (or the time budget) holding the work directory's run lock; returns the end
        record of the log.

        Raises:
            FolderInUseError: another live run trains in this work directory (the message names it).
            ValueError: resuming, and no intact training state is left.
            OSError: a write failed (e.g. a full disk): ``last.pth`` / ``last.prev.pth`` are intact; resume.
        """
        with run_lock(self.work_dir, "train", lambda message: self.logger.text(f"warning: {message}")):
            return self._run()

    def _run(self) -> dict[str, Any]:
        started = time.monotonic()
        if self.resume:
            self.load_state()
        budget = self.train_cfg.get("time_budget")
        budget_s = None if budget is None else float(budget) * 60.0
        log_interval = int(self.train_cfg.get("log_interval", 10))
        checkpoint_interval = int(self.train_cfg.get("checkpoint_interval", 200))
        self.logger.log("start", phase=self.cfg.get("phase"), iter=self.iteration, max_iters=self.max_iters,
                        batches_per_epoch=self.batches_per_epoch, train_samples=len(self.train_set),
                        resumed=self.resume, device=str(self.device), amp=self.amp, time_budget_min=budget)
        if not self.resume:
            prepared = self.task.prepare(iter(self.prepare_loader()))
            if prepared is not None:
                self.logger.log("prepare", iter=self.iteration, **prepared)
            if self.val_loader is not None and self.train_cfg.get("validate_at_start", False):
                self.validate()
            if prepared is not None or self.best is not None:
                self.save_state()  # a resumed run starts from the prepared network
        batches = iter(self.train_loader())
        bar = tqdm(total=self.max_iters, initial=self.iteration, unit="it", dynamic_ncols=True,
                   disable=not self.progress, desc=str(self.cfg.get("phase", "train")))
        step_s, val_s, stopped = 0.0, 0.0, None
        try:
            while self.iteration < self.max_iters:
                due_val = self.val_loader is not None and (self.iteration + 1) % self.val_interval == 0
                if budget_s is not None and (time.monotonic() - started + step_s + (val_s if due_val else 0.0)
                                             > budget_s):
                    stopped = "time_budget"
                    break
                tick = time.monotonic()
                values = self.step(next(batches))
                self.iteration += 1
                step_s = time.monotonic() - tick
                self.elapsed += step_s
                bar.update()
                bar.set_postfix(loss=f"{values['loss']:.4f}")
                if self.iteration % log_interval == 0 or self.iteration == self.max_iters:
                    lr = {group.get("name", str(i)): group["lr"] for i, group in enumerate(self.optimizer.param_groups)}
                    self.logger.log("train", iter=self.iteration, epoch=self.iteration / self.batches_per_epoch,
                                    lr=lr, step_s=step_s, **values)
                if due_val:
                    tick = time.monotonic()
                    self.validate()
                    val_s = time.monotonic() - tick
                    self.elapsed += val_s
                if due_val or self.iteration % checkpoint_interval == 0:
                    self.save_state()
        except KeyboardInterrupt:
            self.save_state()
            self.logger.log("interrupted", iter=self.iteration)
            raise
        finally:
            bar.close()
        self.save_state()
        self.task.export(self.work_dir / FINAL_FILE, self.meta(stopped))
        return self.logger.log("end", iter=self.iteration, complete=self.iteration >= self.max_iters,
                               stopped=stopped, elapsed_s=self.elapsed, best=self.best)

    def step(self, batch: dict[str, Any]) -> dict[str, float]:
        """One optimisation step; returns the loss terms as floats."""
        self.task.train()
        losses = self.task.losses(batch)
        values = {name: float(value.detach()) for name, value in losses.items()}
        if not math.isfinite(values["loss"]):
            raise FloatingPointError(f"the loss is {values['loss']} at iteration {self.iteration + 1} ({values})")
        factor = self.lr_factor(self.iteration)
        for group, base_lr in zip(self.optimizer.param_groups, self.base_lrs):
            group["lr"] = base_lr * factor
        self.optimizer.zero_grad(set_to_none=True)
        self.scaler.scale(losses["loss"]).backward()
        self.scaler.step(self.optimizer)
        self.scaler.update()
        return values
