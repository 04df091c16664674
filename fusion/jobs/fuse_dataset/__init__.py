"""Derived datasets: a dataset's pairs fused by each method into its own folder, with shared COCO annotations.

Entry point: :func:`fuse_dataset` with a dataset adapter (:data:`ADAPTERS`: KAIST, LLVIP, MSRS); command
line: ``tools/fuse_dataset.py {kaist,llvip,msrs}``.
"""
from .adapters import ADAPTERS, LABEL_VARIANTS, DatasetAdapter, KaistAdapter, LlvipAdapter, MsrsAdapter
from .frames import BadFrame, BadFrameError
from .job import RunOptions, fuse_dataset
from .methods import DTYPES, PixelOptions, available_methods, build_method
from .pipeline import plan_batches
from .record import SettingsMismatch
from .selection import SplitSelection, select_split
from .sharding import Shard, parse_shard, shard_from_env

__all__ = [
    "ADAPTERS", "DTYPES", "LABEL_VARIANTS", "BadFrame", "BadFrameError", "DatasetAdapter", "KaistAdapter",
    "LlvipAdapter", "MsrsAdapter", "PixelOptions", "RunOptions", "SettingsMismatch", "Shard", "SplitSelection",
    "available_methods", "build_method", "fuse_dataset", "parse_shard", "plan_batches", "select_split",
    "shard_from_env",
]
