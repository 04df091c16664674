import math

import numpy as np
import pytest

from fusion.metrics import (METRICS, Metric, average_gradient, cc, entropy, evaluate_pair, infrared_target_contrast, mi,
                            ms_ssim, qabf, scd, spatial_frequency, ssim, standard_deviation, vif)

pytestmark = pytest.mark.filterwarnings("ignore:MS-SSIM on")  # 64x72 images: fewer MS-SSIM scales

FUNCTIONS = {
    "EN": lambda a, b, f: entropy(f), "SD": lambda a, b, f: standard_deviation(f),
    "SF": lambda a, b, f: spatial_frequency(f), "AG": lambda a, b, f: average_gradient(f),
    "MI": mi, "MI_nats": lambda a, b, f: mi(a, b, f, base=math.e), "SCD": scd, "CC": cc,
    "VIF": vif, "VIF_mean": lambda a, b, f: vif(a, b, f, "mean"), "Qabf": qabf,
    "SSIM": ssim, "SSIM_sum": lambda a, b, f: ssim(a, b, f, "sum"), "MS_SSIM": ms_ssim,
    "ITC": lambda a, b, f: infrared_target_contrast(a, f),
}


def test_every_entry_equals_its_function(ir_vis):
    ir, vis = ir_vis
    fused = 0.6 * ir + 0.4 * vis
    assert set(METRICS) == set(FUNCTIONS)
    scores = evaluate_pair(ir, vis, fused)
    assert list(scores) == list(METRICS)
    for name, function in FUNCTIONS.items():
        expected = function(ir, vis, fused)
        assert scores[name] == pytest.approx(expected, abs=1e-12), name
        assert METRICS[name](ir, vis, fused) == pytest.approx(expected, abs=1e-12), name
        assert METRICS[name].convention


def test_subset_order_and_uint8_input(ir_vis):
    ir, vis = ir_vis
    fused = np.maximum(ir, vis)
    as_uint8 = evaluate_pair(ir.astype(np.uint8), vis.astype(np.uint8), fused.astype(np.uint8), ["Qabf", "EN"])
    assert list(as_uint8) == ["Qabf", "EN"]
    assert as_uint8 == evaluate_pair(ir, vis, fused, ["Qabf", "EN"])


def test_shared_terms_are_computed_once(ir_vis, monkeypatch):
    ir, vis = ir_vis
    calls = []

    def counting_terms(a, b, f):
        calls.append(1)
        return 1.0, 3.0

    monkeypatch.setitem(METRICS, "X_sum", Metric(counting_terms, lambda t: t[0] + t[1], "test"))
    monkeypatch.setitem(METRICS, "X_mean", Metric(counting_terms, lambda t: (t[0] + t[1]) / 2, "test"))
    assert evaluate_pair(ir, vis, ir, ["X_sum", "X_mean"]) == {"X_sum": 4.0, "X_mean": 2.0}
    assert len(calls) == 1
    for pair in (("MI", "MI_nats"), ("VIF", "VIF_mean"), ("SSIM", "SSIM_sum")):
        assert METRICS[pair[0]].terms is METRICS[pair[1]].terms


def test_errors_are_readable(ir_vis):
    ir, vis = ir_vis
    with pytest.raises(ValueError, match="unknown metric.*PSNR.*known: EN"):
        evaluate_pair(ir, vis, ir, ["EN", "PSNR"])
    with pytest.raises(ValueError, match=r"fused \(64, 70\)"):
        evaluate_pair(ir, vis, ir[:, :70])
    with pytest.raises(ValueError, match=r"vis must be a greyscale \(H, W\) array"):
        evaluate_pair(ir, np.stack([vis] * 3, axis=-1), ir)
    with pytest.raises(ValueError, match="NaN"):
        evaluate_pair(ir, vis, np.full_like(ir, np.nan))
