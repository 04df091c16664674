"""Check a detection config's data before a run: every annotation file and image folder it reads is there, or
one error lists what is missing and the ``tools/fuse_dataset.py`` command that makes it.

Without it, a missing file surfaces deep inside pycocotools or a data loader worker as a bare
``FileNotFoundError``.
"""
from __future__ import annotations

import os.path as osp
from collections.abc import Mapping
from pathlib import Path
from typing import Any

#: The loops a tool runs: training reads train (and val when validating), testing reads test.
LOOPS = {"train": ("train", "val"), "test": ("test",)}


class MissingDataError(FileNotFoundError):
    """A config's data is not where the config says; the message says how to make it."""


def _joined(root: str, path: str) -> str:
    return path if not root or osp.isabs(path) else osp.join(root, path)


def _split_of(ann_file: str) -> str:
    """The ``fuse_dataset`` split of an annotation file: ``annotations/train-all-02.json`` -> ``train-all-02``."""
    return Path(ann_file).stem


def _raw_kaist_root(pipeline: Any) -> str | None:
    """The KAIST root of an on-the-fly pipeline (``LoadFusedKaistPair`` / ``LoadKaistPair``), if any."""
    for step in pipeline or []:
        if isinstance(step, Mapping) and step.get("kaist_root"):
            return str(step["kaist_root"])
    return None


def missing_data(cfg: Any, mode: str) -> tuple[list[str], list[str]]:
    """What a ``mode`` (``train`` / ``test``) run of ``cfg`` reads and cannot find, and the commands that make it.

    Derived datasets are made by ``tools/fuse_dataset.py <source_dataset>`` (the config's, default ``kaist``);
    the annotations of the on-the-fly KAIST configs by ``tools/kaist_to_coco.py``.
    """
    source = cfg.get("source_dataset", "kaist")
    missing: list[str] = []
    commands: list[str] = []
    for loop in LOOPS[mode]:
        loader = cfg.get(f"{loop}_dataloader")
        if not loader or (loop == "val" and not cfg.get("val_cfg")):
            continue
        dataset = loader["dataset"]
        root = str(dataset.get("data_root") or "")
        ann_file = _joined(root, str(dataset["ann_file"]))
        split = _split_of(ann_file)
        paths = [(ann_file, "annotations", osp.isfile)]
        kaist_root = _raw_kaist_root(dataset.get("pipeline"))
        folders = [] if kaist_root else [str(p) for p in (dataset.get("data_prefix") or {}).values() if p]
        paths += [(_joined(root, folder), "images", osp.isdir) for folder in folders]
        if kaist_root:
            paths.append((osp.join(kaist_root, "images"), "the raw KAIST pairs", osp.isdir))
        evaluator = cfg.get(f"{loop}_evaluator")
        if isinstance(evaluator, Mapping) and evaluator.get("ann_file") and evaluator["ann_file"] != ann_file:
            paths.append((str(evaluator["ann_file"]), "the evaluator's ground truth", osp.isfile))
        gaps = [f"{path} ({what})" for path, what, exists in paths if not exists(path)]
        if not gaps:
            continue
        missing += gaps
        if kaist_root:
            commands.append(f"python tools/kaist_to_coco.py --root {kaist_root.rstrip('/')} --split {split} "
                            f"--out {ann_file}")
        else:
            methods = ",".join(dict.fromkeys(folder.strip("/") for folder in folders))
            commands.append(f"python tools/fuse_dataset.py {source} --root data/{source} --out "
                            f"{(root or '.').rstrip('/')} --split {split} --methods {methods}")
    return list(dict.fromkeys(missing)), list(dict.fromkeys(commands))


def check_data(cfg: Any, mode: str) -> None:
    """Raise :class:`MissingDataError` when a ``mode`` run of ``cfg`` would not find its data; the message
    lists the missing paths and the commands of :func:`missing_data` (``--root``: where your copy of the
    dataset is)."""
    missing, commands = missing_data(cfg, mode)
    if missing:
        raise MissingDataError("\n".join([
            "the config's data is not there (--data-root moves it):", *(f"  missing {m}" for m in missing),
            "make it with (--root: your copy of the dataset):", *(f"  {command}" for command in commands)]))
