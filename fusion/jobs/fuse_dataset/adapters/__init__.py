"""Dataset adapters of the fused-dataset job, by the name of their ``tools/fuse_dataset.py`` subcommand."""
from .base import Annotations, DatasetAdapter, FrameListing
from .kaist import KaistAdapter
from .llvip import LlvipAdapter
from .msrs import LABEL_VARIANTS, MsrsAdapter

ADAPTERS: dict[str, type[DatasetAdapter]] = {a.name: a for a in (KaistAdapter, LlvipAdapter, MsrsAdapter)}

__all__ = ["ADAPTERS", "LABEL_VARIANTS", "Annotations", "DatasetAdapter", "FrameListing", "KaistAdapter",
           "LlvipAdapter", "MsrsAdapter"]
