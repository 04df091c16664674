"""Target contrast loss: 0 when the targets are kept, 1/2 for the average over a flat background, 1 when gone;
it agrees with the ITC metric on the same image, and its gradient brightens the targets."""
import numpy as np
import pytest
import torch

from fusion.losses import FusionTotalLoss, target_contrast_loss
from fusion.metrics import infrared_target_contrast


def scene(size=64):
    ir = torch.full((1, 1, size, size), 0.2)
    ir[..., 20:30, 30:36] = 0.9  # a warm figure
    vis = torch.full_like(ir, 0.5)
    return vis, ir


def test_kept_averaged_and_lost_targets():
    vis, ir = scene()
    assert target_contrast_loss(ir, ir).item() == pytest.approx(0.0, abs=1e-6)
    assert target_contrast_loss(ir, (ir + vis) / 2).item() == pytest.approx(0.5, abs=1e-4)
    assert target_contrast_loss(ir, vis).item() == pytest.approx(1.0, abs=1e-4)
    assert target_contrast_loss(ir, 2 * ir).item() == pytest.approx(0.0, abs=1e-6)  # stretching is not pushed back


def test_agrees_with_the_itc_metric_when_fused_loses_contrast():
    vis, ir = scene()
    fused = 0.3 * ir + 0.7 * vis
    loss = target_contrast_loss(ir, fused).item()
    itc = infrared_target_contrast(ir[0, 0].double().numpy() * 255, fused[0, 0].double().numpy() * 255)
    assert loss == pytest.approx(1 - itc, abs=0.02)


def test_gradient_brightens_the_targets_and_flat_ir_gives_zero():
    vis, ir = scene()
    fused = vis.clone().requires_grad_(True)
    target_contrast_loss(ir, fused).backward()
    assert fused.grad[..., 20:30, 30:36].sum() < 0  # descending raises the figure
    assert target_contrast_loss(torch.full_like(ir, 0.3), vis).item() == 0.0


def test_total_loss_reports_the_term_only_when_weighted():
    vis, ir = scene()
    assert "target" not in FusionTotalLoss(alpha2=0, beta=0)(vis, ir, vis)
    parts = FusionTotalLoss(alpha2=0, beta=0, gamma=0.5)(vis, ir, vis)
    assert parts["loss"].item() == pytest.approx(parts["l1"].item() + 0.5 * parts["target"].item())
    with pytest.raises(ValueError, match="gamma"):
        FusionTotalLoss(alpha2=0, gamma=-1)
    assert np.isfinite(parts["target"].item())
