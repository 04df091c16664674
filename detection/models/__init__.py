"""Detection models for MMDetection 3.x; importing this package registers them in mmdet's ``MODELS``."""
from .early_fusion import EarlyFusionResNet
from .gflv2_head import DGQP, GFLV2Head
from .halfway_fusion import HalfwayFusionResNet
from .multiband_preprocessor import MultiBandDetDataPreprocessor

__all__ = ["DGQP", "EarlyFusionResNet", "GFLV2Head", "HalfwayFusionResNet", "MultiBandDetDataPreprocessor"]
