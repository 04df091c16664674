"""Smoke test over every registered network (timm style): default build, forward, backward."""
import pytest
import torch

from fusion.models.complexity import network_names
from fusion.registry import FUSION_MODELS, NETWORKS


@pytest.mark.parametrize("name", network_names(FUSION_MODELS))
def test_fusion_network_forward_backward(name):
    torch.manual_seed(0)
    model = FUSION_MODELS.build(dict(type=name))
    vis, ir = torch.rand(2, 1, 33, 47), torch.rand(2, 1, 33, 47)
    fused = model(vis, ir)
    assert fused.shape == (2, 1, 33, 47) and torch.isfinite(fused).all()
    assert model.reconstruct(vis).shape == (2, 1, 33, 47)
    fused.mean().backward()
    grads = [p.grad for p in model.parameters() if p.requires_grad]
    assert grads and all(g is not None and torch.isfinite(g).all() for g in grads if g is not None)
    assert any(g is not None and g.abs().sum() > 0 for g in grads)


@pytest.mark.parametrize("name", network_names(NETWORKS))
def test_network_forward_backward(name):
    model = NETWORKS.build(dict(type=name))
    out = model(torch.rand(2, 1, 33, 47))
    out.sum().backward()
    assert torch.isfinite(out).all()
    assert all(p.grad is not None for p in model.parameters())
