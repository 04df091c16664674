"""MSFAM and its ablations (conv5, handcrafted): registry, shapes, stages, parameter count."""
import pytest
import torch

from fusion.models.attention_fusion import AttentionFusionBlock, ConvFusionBlock
from fusion.models.complexity import count_parameters
from fusion.models.handcrafted_fusion import HandcraftedFusion
from fusion.models.msfam import MSFAM
from fusion.registry import FUSION_MODELS

TINY = dict(widths=(4, 6, 8, 10), stem_channels=4)
VARIANTS = {"msfam": AttentionFusionBlock, "msfam_conv5": ConvFusionBlock, "msfam_handcrafted": HandcraftedFusion}


@pytest.mark.parametrize(("name", "block"), VARIANTS.items())
def test_registry_builds_each_variant(name, block):
    model = FUSION_MODELS.build(dict(type=name, **TINY))
    assert isinstance(model, MSFAM)
    assert len(model.fusions) == 4 and all(isinstance(f, block) for f in model.fusions)


@pytest.mark.parametrize("name", VARIANTS)
@pytest.mark.parametrize(("h", "w"), [(33, 47), (47, 33), (16, 16)])
def test_forward_and_reconstruct_keep_the_size(name, h, w):
    model = FUSION_MODELS.build(dict(type=name, **TINY))
    vis, ir = torch.rand(2, 1, h, w), torch.rand(2, 1, h, w)
    assert model(vis, ir).shape == (2, 1, h, w)
    assert model.reconstruct(vis).shape == (2, 1, h, w)


def test_large_odd_size():
    model = FUSION_MODELS.build(dict(type="msfam", **TINY))
    with torch.no_grad():
        assert model(torch.rand(1, 1, 575, 433), torch.rand(1, 1, 575, 433)).shape == (1, 1, 575, 433)


def test_spatial_kernels_from_finest_to_coarsest():
    model = MSFAM(**TINY)
    assert [f.spatial_attention.conv.kernel_size[0] for f in model.fusions] == [7, 5, 5, 3]


def test_handcrafted_variant_pooling_and_no_fusion_parameters():
    model = FUSION_MODELS.build(dict(type="msfam_handcrafted", pooling="nuclear", **TINY))
    assert all(f.pooling == "nuclear" for f in model.fusions)
    assert count_parameters(model.fusions) == 0


def test_unknown_fusion_block_raises():
    with pytest.raises(ValueError, match="fusion block"):
        MSFAM(fusion="transformer", **TINY)


def test_stage_one_trains_encoder_and_decoder_only():
    model = MSFAM(**TINY)
    model.reconstruct(torch.rand(1, 1, 20, 24)).mean().backward()
    assert all(p.grad is not None for p in model.encoder.parameters())
    assert all(p.grad is not None for p in model.decoder.parameters())
    assert all(p.grad is None for p in model.fusions.parameters())


def test_default_parameter_count_near_the_paper():
    with torch.device("meta"):
        model = MSFAM()
    # encoder 1,365,664 + attention blocks 343,324 + decoder 2,511,081 (paper: 3.8 M, +11 %)
    assert count_parameters(model.encoder) == 1_365_664
    assert count_parameters(model.fusions) == 343_324
    assert count_parameters(model.decoder) == 2_511_081
    assert abs(count_parameters(model) / 3.8e6 - 1) < 0.15
