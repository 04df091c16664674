"""The table of fusion metrics: one name per metric and convention, and ``evaluate_pair`` to score a triple.

Every entry maps ``(ir, vis, fused)`` greyscale ``(H, W)`` images on the 0..255 scale (A = infrared,
B = visible, F = fused) to a float, and states its convention. Entries that differ only in how the two
per-source values are combined (``MI``/``MI_nats``, ``VIF``/``VIF_mean``, ``SSIM``/``SSIM_sum``) share
their per-source computation in :func:`evaluate_pair`.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from .checks import as_image_triple
from .correlation import cc, scd
from .image_statistics import average_gradient, spatial_frequency, standard_deviation
from .information import entropy, mutual_information
from .qabf import qabf
from .ssim import ms_ssim_index, ssim_index
from .target_contrast import infrared_target_contrast
from .vif import vifp_mscale

Image = np.ndarray
Terms = Callable[[Image, Image, Image], tuple[float, ...]]


@dataclass(frozen=True)
class Metric:
    """One metric: intermediate ``terms`` of the triple (shareable between metrics), how they combine, its convention.

    Calling it scores one ``(ir, vis, fused)`` triple: ``Metric(ir, vis, fused) -> float``.
    """

    terms: Terms
    combine: Callable[[tuple[float, ...]], float]
    convention: str

    def __call__(self, ir: Image, vis: Image, fused: Image) -> float:
        return float(self.combine(self.terms(*as_image_triple(ir, vis, fused))))


def _of_fused(metric: Callable[[Image], float]) -> Terms:
    """Terms of a metric of the fused image alone."""
    return lambda ir, vis, fused: (metric(fused),)


def _of_triple(metric: Callable[[Image, Image, Image], float]) -> Terms:
    """Terms of a metric of the whole triple."""
    return lambda ir, vis, fused: (metric(ir, vis, fused),)


def _per_source(index: Callable[[Image, Image], float]) -> Terms:
    """Terms ``(index(A, F), index(B, F))``."""
    return lambda ir, vis, fused: (index(ir, fused), index(vis, fused))


def _of_infrared(index: Callable[[Image, Image], float]) -> Terms:
    """Terms ``(index(A, F),)`` of a metric of the infrared source and the fused image."""
    return lambda ir, vis, fused: (index(ir, fused),)


def _single(terms: tuple[float, ...]) -> float:
    return terms[0]


def _sum(terms: tuple[float, ...]) -> float:
    return terms[0] + terms[1]


def _mean(terms: tuple[float, ...]) -> float:
    return (terms[0] + terms[1]) / 2


def _sum_bits_to_nats(terms: tuple[float, ...]) -> float:
    return (terms[0] + terms[1]) * math.log(2)


_MI_BITS = _per_source(mutual_information)
_VIF = _per_source(vifp_mscale)
_SSIM = _per_source(ssim_index)

#: The six metrics of MSFAM's Tables 1-6.
PAPER_METRICS = ("EN", "MS_SSIM", "MI", "SCD", "CC", "VIF")

METRICS: dict[str, Metric] = {
    "EN": Metric(_of_fused(entropy), _single,
                 "entropy of F, 256-bin histogram of round(F) clipped to [0, 255], log2 (bits) [Tang, CDDFuse]"),
    "SD": Metric(_of_fused(standard_deviation), _single, "population standard deviation of F [CDDFuse, Tang]"),
    "SF": Metric(_of_fused(spatial_frequency), _single,
                 "sqrt(RF^2 + CF^2), RF^2 / CF^2 = MEAN squared horizontal / vertical neighbour differences of F "
                 "[CDDFuse]"),
    "AG": Metric(_of_fused(average_gradient), _single,
                 "sum of sqrt((dx^2 + dy^2) / 2) / ((H-1)(W-1)), dx, dy = MATLAB gradient (central differences) "
                 "[Tang, VIFB]"),
    "MI": Metric(_MI_BITS, _sum, "MI(A,F) + MI(B,F), 256x256 joint histograms of round(.), bits [Tang]"),
    "MI_nats": Metric(_MI_BITS, _sum_bits_to_nats, "MI(A,F) + MI(B,F) as MI, in nats [CDDFuse]"),
    "SCD": Metric(_of_triple(scd), _single, "r(F-B, A) + r(F-A, B) [Aslantas & Bendes 2015; CDDFuse, Tang]"),
    "CC": Metric(_of_triple(cc), _single, "(r(A,F) + r(B,F)) / 2, Pearson r [CDDFuse, Tang]"),
    "VIF": Metric(_VIF, _sum,
                  "VIF(A,F) + VIF(B,F), Sheikh-Bovik pixel-domain multiscale VIF (vifp_mscale: 4 scales, "
                  "sigma_n^2 = 2) [CDDFuse 'VIFF', Tang]"),
    "VIF_mean": Metric(_VIF, _mean, "(VIF(A,F) + VIF(B,F)) / 2, VIF as above [paper Eq. 9]"),
    "Qabf": Metric(_of_triple(qabf), _single,
                   "Xydeas-Petrovic, Sobel, L = 1: sum(Q_AF g_A + Q_BF g_B) / sum(g_A + g_B) [Tang, CDDFuse]"),
    "SSIM": Metric(_SSIM, _mean,
                   "(SSIM(A,F) + SSIM(B,F)) / 2, 11x11 Gaussian sigma 1.5, L = 255, valid region "
                   "[paper Eq. 9, Tang]"),
    "SSIM_sum": Metric(_SSIM, _sum, "SSIM(A,F) + SSIM(B,F), SSIM as above [CDDFuse, VIFB]"),
    "MS_SSIM": Metric(_per_source(ms_ssim_index), _mean,
                      "(MS-SSIM(A,F) + MS-SSIM(B,F)) / 2, 5 scales, weights 0.0448 0.2856 0.3001 0.2363 0.1333, "
                      "11x11 Gaussian sigma 1.5 (fewer scales, renormalised, when min side <= 160) [paper Eq. 9]"),
    "ITC": Metric(_of_infrared(infrared_target_contrast), _single,
                  "infrared target contrast: sum over T of L_F / sum over T of L_A, L_X = X - Gaussian blur of X "
                  "(sigma = min(H, W) / 32), T = the 2 % of pixels with the largest positive L_A (this project; "
                  "1 = the infrared targets' contrast kept, 0.5 = averaged with a flat background)"),
}
"""Every metric by name. ``MI`` is in bits (the unit of ``EN``, Tang's toolbox; the MSFAM paper's MI of 14.17
exceeds the nats maximum 2 ln 256 = 11.09, so it can only be bits); ``MI_nats`` is CDDFuse's unit."""


def check_metric_names(names: Iterable[str]) -> list[str]:
    """Return the names as a list, raising a ``ValueError`` that lists the known metrics on an unknown one."""
    names = list(names)
    unknown = [name for name in names if name not in METRICS]
    if unknown:
        raise ValueError(f"unknown metric(s) {', '.join(unknown)}; known: {', '.join(METRICS)}")
    return names


def evaluate_pair(ir: Image, vis: Image, fused: Image, metrics: Iterable[str] | None = None) -> dict[str, float]:
    """Score one fused image against its two sources.

    Each intermediate (e.g. the per-source MI, VIF or SSIM values) is computed once even when several
    requested metrics combine it. Nothing is loaded: the images are arrays.

    Args:
        ir: ``(H, W)`` infrared source ``A``, [0, 255], HW (uint8 or float).
        vis: ``(H, W)`` visible source ``B``, [0, 255], HW.
        fused: ``(H, W)`` fused image ``F``, [0, 255], HW, as saved (never min-max stretched for scoring).
        metrics: names from :data:`METRICS`, in the order wanted; all of them when ``None``.

    Returns:
        ``{name: value}`` in the requested order; a value is NaN where the metric is undefined (e.g. CC
        with a constant image).
    """
    names = list(METRICS) if metrics is None else check_metric_names(metrics)
    a, b, f = as_image_triple(ir, vis, fused)
    computed: dict[Terms, tuple[float, ...]] = {}
    scores = {}
    for name in names:
        metric = METRICS[name]
        if metric.terms not in computed:
            computed[metric.terms] = metric.terms(a, b, f)
        scores[name] = float(metric.combine(computed[metric.terms]))
    return scores
