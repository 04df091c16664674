"""Fusion networks (MSFAM, its ablations, NestFuse), their blocks, the Semantic Constraint classifier,
and the training-free baselines; importing this package registers them all."""
from . import classical, classifier, msfam, nestfuse
from .classifier import SemanticConstraintClassifier
from .msfam import MSFAM, MSFAMConv5, MSFAMHandcrafted
from .nest import NestDecoder, NestEncoder, NestFusionNetwork
from .nestfuse import NestFuse

__all__ = [
    "MSFAM",
    "MSFAMConv5",
    "MSFAMHandcrafted",
    "NestDecoder",
    "NestEncoder",
    "NestFuse",
    "NestFusionNetwork",
    "SemanticConstraintClassifier",
    "classical",
    "classifier",
    "msfam",
    "nestfuse",
]
