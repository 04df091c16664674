"""MMDetection 3.x add-on: GFLv2 on KAIST. Importing it (``custom_imports`` in the configs does) also makes
mmengine load local checkpoints weights-only with an allow-list (see :mod:`detection.checkpoint`)."""
from . import datasets  # noqa: F401  (registers PairedCocoDataset and LoadImagePair)
from . import evaluation  # noqa: F401  (registers KaistMetric in mmdet's METRICS)
from . import models  # noqa: F401  (registers GFLV2Head in mmdet's MODELS)
from .checkpoint import load_local_checkpoint, register_checkpoint_loader

register_checkpoint_loader()

__all__ = ["load_local_checkpoint", "register_checkpoint_loader"]
