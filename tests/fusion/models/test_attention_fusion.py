"""Attention fusion block (MSFAM Sec. 3.4) and the 5x5 conv fusion of Table 2."""
import pytest
import torch

from fusion.models.attention_fusion import AttentionFusionBlock, ConvFusionBlock, SpatialAttention


def test_attention_block_shape_and_parameters():
    block = AttentionFusionBlock(6, spatial_kernel=5)
    out = block(torch.randn(2, 6, 9, 13), torch.randn(2, 6, 9, 13))
    assert out.shape == (2, 6, 9, 13)
    # two shared 1x1 convs 2C -> C (with bias) and one 5x5 conv 2 -> 1: no other parameters
    expected = 2 * (12 * 6 + 6) + (2 * 5 * 5 + 1)
    assert sum(p.numel() for p in block.parameters()) == expected


def test_both_pooling_paths_receive_gradient():
    torch.manual_seed(0)
    block = AttentionFusionBlock(4, spatial_kernel=3)
    block(torch.randn(1, 4, 8, 8), torch.randn(1, 4, 8, 8)).square().sum().backward()
    attention = block.channel_attention
    for conv in (attention.conv_max, attention.conv_avg, block.spatial_attention.conv):
        assert conv.weight.grad is not None and conv.weight.grad.abs().sum() > 0


def test_channel_attention_follows_eq_3_to_5():
    torch.manual_seed(0)
    block = AttentionFusionBlock(3)
    vis, ir = torch.randn(2, 3, 5, 7), torch.randn(2, 3, 5, 7)
    f = torch.cat([vis, ir], 1)
    cm, ca = block.channel_attention.conv_max, block.channel_attention.conv_avg
    f_ca = torch.sigmoid(cm(f.amax((2, 3), keepdim=True))) * cm(f) + torch.sigmoid(
        ca(f.mean((2, 3), keepdim=True))
    ) * ca(f)
    gate = torch.sigmoid(block.spatial_attention.conv(torch.cat([f_ca.mean(1, True), f_ca.amax(1, True)], 1)))
    assert torch.allclose(block(vis, ir), gate * f_ca, atol=1e-6)


def test_spatial_attention_needs_odd_kernel_and_works_below_kernel_size():
    with pytest.raises(ValueError, match="odd"):
        SpatialAttention(4)
    assert SpatialAttention(7)(torch.randn(1, 3, 2, 2)).shape == (1, 3, 2, 2)


def test_conv_fusion_block_is_linear():
    block = ConvFusionBlock(4)
    assert block.conv.kernel_size == (5, 5)
    vis, ir = torch.randn(1, 4, 2, 3), torch.randn(1, 4, 2, 3)
    out = block(vis, ir)
    assert out.shape == (1, 4, 2, 3)
    bias = block.conv.bias.view(1, -1, 1, 1)
    assert torch.allclose(block(2 * vis, 2 * ir) - bias, 2 * (out - bias), atol=1e-5)
