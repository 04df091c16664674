"""Datasets and loading transforms for MMDetection 3.x; importing this package registers them in mmdet's
``DATASETS`` and ``TRANSFORMS``."""
from .paired_coco import PAIR_CHANNELS, LoadImagePair, PairedCocoDataset

__all__ = ["PAIR_CHANNELS", "LoadImagePair", "PairedCocoDataset"]
