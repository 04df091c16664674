"""Inference API: load a fusion method (with its checkpoint) and fuse pairs, greyscale or colour."""
from .checkpoint import build_from_checkpoint, file_sha256, read_fusion_checkpoint, save_fusion_checkpoint
from .inference import Fuser, build_fusion_model, default_checkpoint, load_fuser

__all__ = [
    "Fuser", "build_fusion_model", "build_from_checkpoint", "default_checkpoint", "file_sha256", "load_fuser",
    "read_fusion_checkpoint", "save_fusion_checkpoint",
]
