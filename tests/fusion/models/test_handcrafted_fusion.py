"""NestFuse's hand-designed fusion: identity on identical inputs, symmetry, batched nuclear norm."""
import pytest
import torch

from fusion.models.handcrafted_fusion import (EPS, POOLINGS, HandcraftedFusion, channel_activity, handcrafted_fusion)


@pytest.mark.parametrize("pooling", POOLINGS)
def test_identical_inputs_give_the_features_back(pooling):
    torch.manual_seed(0)
    x = torch.randn(2, 5, 9, 7, dtype=torch.float64)
    assert torch.equal(handcrafted_fusion(x, x, pooling, eps=0.0), x)
    fused = handcrafted_fusion(x, x, pooling)
    # relative error eps / (2 (2p + eps)) per channel of activity p
    p = channel_activity(x, pooling)
    assert torch.allclose(fused, x * (1 - EPS / (2 * (2 * p + EPS))), rtol=0, atol=1e-12)
    assert (fused - x).abs().max() <= EPS / p.min() * x.abs().max()


@pytest.mark.parametrize("pooling", POOLINGS)
def test_symmetric_in_the_sources(pooling):
    a, b = torch.rand(2, 3, 6, 8), torch.rand(2, 3, 6, 8)
    assert torch.allclose(handcrafted_fusion(a, b, pooling), handcrafted_fusion(b, a, pooling), atol=1e-6)


def test_nuclear_activity_matches_per_channel_norm():
    x = torch.randn(2, 3, 6, 4)
    expected = torch.stack([torch.linalg.matrix_norm(x[i, c], ord="nuc") for i in range(2) for c in range(3)])
    assert torch.allclose(channel_activity(x, "nuclear").flatten(), expected, atol=1e-5)


def test_activities_are_norms_on_signed_features():
    x = torch.tensor([[[[1.0, -3.0], [0.5, -0.5]]]])
    assert channel_activity(x, "avg").item() == pytest.approx(1.25)
    assert channel_activity(x, "max").item() == pytest.approx(3.0)


def test_channel_weights_stay_bounded_for_opposite_features():
    x = torch.randn(1, 4, 5, 5)
    fused = handcrafted_fusion(x, -x)
    assert fused.abs().max() <= x.abs().max() + 1e-6


def test_module_equals_function_and_has_no_parameters():
    a, b = torch.rand(1, 3, 5, 6), torch.rand(1, 3, 5, 6)
    module = HandcraftedFusion("max")
    assert list(module.parameters()) == []
    assert torch.equal(module(a, b), handcrafted_fusion(a, b, "max"))


def test_unknown_pooling_and_shape_mismatch_raise():
    with pytest.raises(ValueError, match="pooling"):
        HandcraftedFusion("median")
    with pytest.raises(ValueError, match="same shape"):
        handcrafted_fusion(torch.rand(1, 2, 3, 3), torch.rand(1, 2, 3, 4))
