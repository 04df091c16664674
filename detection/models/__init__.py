"""Detection models for MMDetection 3.x; importing this package registers them in mmdet's ``MODELS``."""
from .gflv2_head import DGQP, GFLV2Head

__all__ = ["DGQP", "GFLV2Head"]
