"""Datasets and loading transforms for MMDetection 3.x; importing this package registers them in mmdet's
``DATASETS`` and ``TRANSFORMS``."""
from .paired_coco import LoadImagePair, PairedCocoDataset, stack_pair

__all__ = ["LoadImagePair", "PairedCocoDataset", "stack_pair"]
