"""Derived datasets: KAIST fused by each method into its own folder, with the shared COCO annotations.

Entry point: :func:`fuse_kaist` (command line: ``tools/fuse_dataset.py kaist``).
"""
from .fuse_kaist import RunOptions, fuse_kaist
from .inputs import BadFrame, BadFrameError
from .meta import SettingsMismatch
from .methods import PixelOptions, available_methods, build_method
from .pipeline import plan_batches
from .selection import SplitSelection, select_split
from .sharding import Shard, parse_shard, shard_from_env

__all__ = [
    "BadFrame", "BadFrameError", "PixelOptions", "RunOptions", "SettingsMismatch", "Shard", "SplitSelection",
    "available_methods", "build_method", "fuse_kaist", "parse_shard", "plan_batches", "select_split",
    "shard_from_env",
]
