"""Quiet runs: what MMDetection and mmengine print goes to a log file, the terminal shows a progress bar.

``tools/train_det.py --quiet`` (:func:`train_quietly`) and ``tools/demo.py`` use it::

    with progress_bar("gflv2_fused", unit="iter") as bar, output_to("work_dirs/gflv2_fused/train.log"):
        runner = build_runner(cfg)
        runner.register_hook(ProgressHook(bar))
        runner.train()

mmengine still writes its own log (``<work_dir>/<timestamp>/<timestamp>.log``) as always.
"""
from __future__ import annotations

import io
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, redirect_stderr, redirect_stdout
from pathlib import Path
from typing import IO, Any

from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.logging import MMLogger
from mmengine.runner import Runner
from tqdm import tqdm

from .config import build_runner

#: Seconds between redraws of a bar on a terminal.
TERMINAL_REFRESH_S = 0.5


class FinalLineBar(tqdm):
    """A tqdm bar drawn once, when it closes: one line in a pipe or a file instead of a redraw per refresh."""

    def refresh(self, nolock: bool = False, lock_args: Any = None) -> bool:
        return True

    def display(self, msg: str | None = None, pos: int | None = None) -> bool:
        self.fp.write(str(self) if msg is None else msg)  # no carriage return: the line is written once
        return True


def progress_bar(desc: str, total: int | None = None, unit: str = "it", disable: bool = False) -> tqdm:
    """A tqdm bar on the current ``sys.stderr``: redrawn in place on a terminal, else one final line."""
    stream = sys.stderr
    terminal = hasattr(stream, "isatty") and stream.isatty()
    bar = tqdm if terminal else FinalLineBar
    return bar(total=total, desc=desc, unit=unit, file=stream, disable=disable, dynamic_ncols=terminal, miniters=0,
               mininterval=TERMINAL_REFRESH_S)


def _console_handlers() -> Iterator[logging.StreamHandler]:
    """The stream (not file) handlers of every mmengine logger made so far."""
    for logger in MMLogger._instance_dict.values():  # mmengine's registry of loggers (no public listing)
        for handler in logger.handlers:
            if type(handler) is logging.StreamHandler:
                yield handler


def _move_console(old: IO[str], new: IO[str]) -> None:
    for handler in _console_handlers():
        if handler.stream is old:
            handler.setStream(new)


@contextmanager
def output_to(target: str | Path | IO[str]) -> Iterator[None]:
    """Within the block, everything printed goes to ``target`` (a file, appended; or a stream) instead of the
    terminal.

    That is ``sys.stdout`` and ``sys.stderr`` (prints, warnings) and the console handlers of mmengine's
    loggers, those made before the block and those made in it (a runner's); afterwards they print where they
    did before.
    """
    console = sys.stdout
    with ExitStack() as stack:
        if isinstance(target, (str, Path)):
            Path(target).parent.mkdir(parents=True, exist_ok=True)
            target = stack.enter_context(open(target, "a", encoding="utf-8", buffering=1))
        _move_console(console, target)
        try:
            with redirect_stdout(target), redirect_stderr(target):
                yield
        finally:
            _move_console(target, console)


def train_quietly(load_config: Callable[[], Config], label: str) -> tuple[Runner, Path]:
    """Load a training config and train it with a progress bar on the terminal and nothing else: what would
    be printed, from loading the config on, goes to ``<work_dir>/train.log``. Returns the runner and the log."""
    early = io.StringIO()
    with output_to(early):
        cfg = load_config()
    log = Path(cfg.work_dir) / "train.log"
    with output_to(log):
        print(early.getvalue(), end="")
        runner = build_runner(cfg)
    with progress_bar(label, unit="iter", disable=runner.rank != 0) as bar, output_to(log):
        runner.register_hook(ProgressHook(bar))
        runner.train()
    return runner, log


class ProgressHook(Hook):
    """Show a runner's progress on a tqdm bar.

    Args:
        bar: the bar.
        label: shown before the loop's progress in the bar's postfix (``gflv2_fused train 3/6``).
        advance: training iterations fill the bar (its total becomes the run's iterations); else the bar
            counts something else (the demo's jobs) and shows the run in its postfix only.
    """

    priority = "VERY_LOW"

    def __init__(self, bar: tqdm, label: str = "", advance: bool = True) -> None:
        self.bar = bar
        self.label = f"{label} " if label else ""
        self.advance = advance

    def before_train(self, runner: Any) -> None:
        if self.advance:
            self.bar.reset(total=runner.max_iters)
            self.bar.update(runner.iter)  # a resumed run starts there

    def after_train_iter(self, runner: Any, batch_idx: int, data_batch: Any = None, outputs: Any = None) -> None:
        self._show("train", runner.iter + 1, runner.max_iters, int(self.advance))

    def after_val_iter(self, runner: Any, batch_idx: int, data_batch: Any = None, outputs: Any = None) -> None:
        self._show("val", batch_idx + 1, len(runner.val_dataloader))

    def after_test_iter(self, runner: Any, batch_idx: int, data_batch: Any = None, outputs: Any = None) -> None:
        self._show("test", batch_idx + 1, len(runner.test_dataloader))

    def _show(self, loop: str, done: int, total: int, steps: int = 0) -> None:
        self.bar.set_postfix_str(f"{self.label}{loop} {done}/{total}", refresh=False)
        self.bar.update(steps)  # redraws when due, like any update
