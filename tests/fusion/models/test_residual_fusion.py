"""Residual fusion: the paper's block as a zero-initialised correction of NestFuse's hand-designed fusion."""
import pytest
import torch

from fusion.models.attention_fusion import AttentionFusionBlock, ConvFusionBlock, ResidualFusion
from fusion.models.handcrafted_fusion import handcrafted_fusion
from fusion.registry import FUSION_MODELS

TINY = dict(widths=(4, 6, 8, 10), stem_channels=4)


@pytest.mark.parametrize("block", [AttentionFusionBlock(6, 3), ConvFusionBlock(6)])
def test_starts_as_the_hand_designed_fusion_and_learns_from_the_first_step(block):
    torch.manual_seed(0)
    fusion = ResidualFusion(block)
    vis, ir = torch.randn(2, 6, 9, 11), torch.randn(2, 6, 9, 11)
    fused = fusion(vis, ir)
    torch.testing.assert_close(fused, handcrafted_fusion(vis, ir))
    (fused * torch.randn_like(fused)).sum().backward()
    output_convs = [m for m in block.modules() if isinstance(m, torch.nn.Conv2d) and m.in_channels == 12]
    assert output_convs and all(conv.weight.grad.abs().sum() > 0 for conv in output_convs)


def test_residual_msfam_fuses_like_rec_at_initialisation():
    torch.manual_seed(0)
    rec = FUSION_MODELS.build(dict(type="msfam_handcrafted", **TINY)).eval()
    for model_type in ("msfam", "msfam_conv5"):
        model = FUSION_MODELS.build(dict(type=model_type, residual=True, **TINY)).eval()
        model.encoder.load_state_dict(rec.encoder.state_dict())
        model.decoder.load_state_dict(rec.decoder.state_dict())
        vis, ir = torch.rand(1, 1, 40, 48), torch.rand(1, 1, 40, 48)
        with torch.no_grad():
            torch.testing.assert_close(model(vis, ir), rec(vis, ir))
    plain = FUSION_MODELS.build(dict(type="msfam", **TINY))
    residual = FUSION_MODELS.build(dict(type="msfam", residual=True, **TINY))
    assert sum(p.numel() for p in plain.parameters()) == sum(p.numel() for p in residual.parameters())


def test_hand_designed_fusion_cannot_be_residual():
    with pytest.raises(ValueError, match="residual needs a learnable block"):
        FUSION_MODELS.build(dict(type="msfam_handcrafted", residual=True, **TINY))
    with pytest.raises(TypeError, match="no output convolutions"):
        ResidualFusion(torch.nn.Identity())
