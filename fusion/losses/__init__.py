"""Training losses of MSFAM, registered in ``LOSSES``: reconstruction (stage 1), Push-Pull, Semantic
Constraint and the stage-2 total. Each has a pure function beside its module."""
from fusion.losses.fusion_total import FusionTotalLoss, fusion_l1_loss
from fusion.losses.push_pull import PushPullLoss, push_pull_loss, push_pull_weights
from fusion.losses.reconstruction import ReconstructionLoss, reconstruction_loss
from fusion.losses.semantic_constraint import SemanticConstraintLoss, semantic_constraint_loss
from fusion.losses.ssim import ms_ssim_min_side, ms_ssim_per_sample, ssim_per_sample
from fusion.losses.target_contrast import TargetContrastLoss, target_contrast_loss

__all__ = [
    "FusionTotalLoss", "PushPullLoss", "ReconstructionLoss", "SemanticConstraintLoss", "TargetContrastLoss",
    "fusion_l1_loss", "ms_ssim_min_side", "ms_ssim_per_sample", "push_pull_loss", "push_pull_weights",
    "reconstruction_loss", "semantic_constraint_loss", "ssim_per_sample", "target_contrast_loss",
]
