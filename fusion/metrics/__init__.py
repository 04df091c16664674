"""Fusion quality metrics on greyscale images, [0, 255], HW (A = infrared, B = visible, F = fused).

Pure functions (``entropy``, ``mi``, ``vif``, ``qabf``, ``ssim``, ...), the table :data:`METRICS` with one
named convention per entry, :func:`evaluate_pair` for one triple, :func:`read_gray` for files, and
:mod:`fusion.reports.folder_scores` to score folders of fused images.
"""
from ..utils.images import read_gray
from .checks import as_gray_image, as_image_triple
from .correlation import cc, pearson, scd
from .image_statistics import average_gradient, spatial_frequency, standard_deviation
from .information import entropy, joint_histogram, mi, mutual_information
from .qabf import qabf
from .ssim import ms_ssim, ms_ssim_index, ssim, ssim_index
from .table import METRICS, PAPER_METRICS, Metric, check_metric_names, evaluate_pair
from .target_contrast import infrared_target_contrast, infrared_target_mask, local_contrast, person_target_contrast
from .vif import vif, vifp_mscale

__all__ = [
    "METRICS", "Metric", "PAPER_METRICS", "as_gray_image", "as_image_triple", "average_gradient", "cc",
    "check_metric_names", "entropy", "evaluate_pair", "infrared_target_contrast", "infrared_target_mask",
    "joint_histogram", "local_contrast", "mi", "ms_ssim", "ms_ssim_index", "mutual_information", "pearson",
    "person_target_contrast", "qabf",
    "read_gray", "scd", "spatial_frequency", "ssim", "ssim_index", "standard_deviation", "vif", "vifp_mscale",
]
