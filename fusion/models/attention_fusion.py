"""MSFAM's learnable fusion blocks: the attention fusion block (Sec. 3.4) and the 5x5 conv of Table 2.

Reference: X. Zheng et al., "A Multi-Stage Visible and Infrared Image Fusion Network Based on Attention
Mechanism" (MSFAM), Sensors 22(10), 3651, 2022, https://doi.org/10.3390/s22103651, Sec. 3.4, Eq. 3-7,
built on CBAM (S. Woo et al., ECCV 2018, https://arxiv.org/abs/1807.06521).
"""
from __future__ import annotations

import torch
from torch import nn

from .handcrafted_fusion import POOLINGS, handcrafted_fusion

#: Spatial-attention kernel sizes of the four scales, finest to coarsest (Sec. 3.4).
SPATIAL_KERNELS = (7, 5, 5, 3)


class ReducingChannelAttention(nn.Module):
    """Channel attention that also reduces the joint feature from ``in_channels`` to ``out_channels``.

    ``F_CA = sigmoid(Conv_max(MaxPool(F))) * Conv_max(F) + sigmoid(Conv_avg(AvgPool(F))) * Conv_avg(F)``
    (Eq. 3-5), global max/avg pooling; each 1x1 convolution is shared between the attention vector and
    the feature path.

    Args:
        in_channels: channels of the joint feature (``2C``).
        out_channels: channels of the output (``C``).

    Shape:
        ``(B, in_channels, H, W) -> (B, out_channels, H, W)``.
    """

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__()
        self.conv_max = nn.Conv2d(in_channels, out_channels, 1)
        self.conv_avg = nn.Conv2d(in_channels, out_channels, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        gate_max = torch.sigmoid(self.conv_max(x.amax(dim=(-2, -1), keepdim=True)))
        gate_avg = torch.sigmoid(self.conv_avg(x.mean(dim=(-2, -1), keepdim=True)))
        return gate_max * self.conv_max(x) + gate_avg * self.conv_avg(x)


class SpatialAttention(nn.Module):
    """CBAM spatial attention: ``F * sigmoid(Conv_k([mean_c(F), max_c(F)]))`` (Eq. 6-7).

    The ``k x k`` convolution pads with zeros, as in CBAM, so it works on maps smaller than ``k``.

    Args:
        kernel_size: odd kernel size ``k``.

    Shape:
        ``(B, C, H, W) -> (B, C, H, W)``.
    """

    def __init__(self, kernel_size: int = 7) -> None:
        super().__init__()
        if kernel_size % 2 != 1:
            raise ValueError(f"the spatial attention kernel size must be odd, got {kernel_size}")
        self.conv = nn.Conv2d(2, 1, kernel_size, padding=kernel_size // 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        pooled = torch.cat([x.mean(dim=1, keepdim=True), x.amax(dim=1, keepdim=True)], dim=1)
        return x * torch.sigmoid(self.conv(pooled))


class AttentionFusionBlock(nn.Module):
    """MSFAM attention fusion block: concatenate, reducing channel attention, then spatial attention.

    Args:
        channels: channels ``C`` of each source's feature (and of the output).
        spatial_kernel: kernel size of the spatial attention (7, 5, 5, 3 from finest to coarsest).

    Shape:
        ``vis, ir: (B, C, H, W) -> (B, C, H, W)``.
    """

    def __init__(self, channels: int, spatial_kernel: int = 7) -> None:
        super().__init__()
        self.channel_attention = ReducingChannelAttention(2 * channels, channels)
        self.spatial_attention = SpatialAttention(spatial_kernel)

    def forward(self, vis: torch.Tensor, ir: torch.Tensor) -> torch.Tensor:
        return self.spatial_attention(self.channel_attention(torch.cat([vis, ir], dim=1)))


class ConvFusionBlock(nn.Module):
    """Ablation of Table 2: concatenate, then one ``k x k`` convolution ``2C -> C`` instead of attention.

    No activation: the features it replaces are the HIN encoder's, which end with a residual sum and
    take both signs; a ReLU would cut the negative half that the decoder learnt to read in stage 1.
    Zero padding, so that the 2 px maps of the coarsest scale at the smallest input are accepted.

    Args:
        channels: channels ``C`` of each source's feature (and of the output).
        kernel_size: odd kernel size (the paper: 5).

    Shape:
        ``vis, ir: (B, C, H, W) -> (B, C, H, W)``.
    """

    def __init__(self, channels: int, kernel_size: int = 5) -> None:
        super().__init__()
        if kernel_size % 2 != 1:
            raise ValueError(f"the fusion kernel size must be odd, got {kernel_size}")
        self.conv = nn.Conv2d(2 * channels, channels, kernel_size, padding=kernel_size // 2)

    def forward(self, vis: torch.Tensor, ir: torch.Tensor) -> torch.Tensor:
        return self.conv(torch.cat([vis, ir], dim=1))


class ResidualFusion(nn.Module):
    """NestFuse's hand-designed fusion plus a learnable correction: ``handcrafted(vis, ir) + block(vis, ir)``.

    The block (an :class:`AttentionFusionBlock` or a :class:`ConvFusionBlock`) starts with its output
    convolutions at zero, so the network fuses exactly as the stage-1 auto-encoder with hand-designed fusion
    ("Rec", MSFAM Table 1) at the first iteration of stage 2, and every weight of the block gets a gradient
    from the first step (only the output convolutions are zero, not a gate in front of them). This is this
    project's remedy for a stage 2 that otherwise starts from scrambled features; the parameters are the
    block's own.

    Args:
        block: the learnable fusion block, called as ``block(vis, ir)``.
        pooling: channel activity of the hand-designed part (NestFuse's ``"avg"`` by default).

    Shape:
        ``vis, ir: (B, C, H, W) -> (B, C, H, W)``.
    """

    def __init__(self, block: nn.Module, pooling: str = "avg") -> None:
        super().__init__()
        if pooling not in POOLINGS:
            raise ValueError(f"unknown pooling {pooling!r}, expected one of {POOLINGS}")
        self.block = block
        self.pooling = pooling
        zero_output_convolutions(block)

    def forward(self, vis: torch.Tensor, ir: torch.Tensor) -> torch.Tensor:
        return handcrafted_fusion(vis, ir, self.pooling) + self.block(vis, ir)

    def extra_repr(self) -> str:
        return f"pooling={self.pooling!r}"


def zero_output_convolutions(block: nn.Module) -> None:
    """Zero the convolutions that make a fusion block's output, so that it outputs zeros.

    Raises:
        TypeError: not a block of this module.
    """
    if isinstance(block, AttentionFusionBlock):
        convolutions = [block.channel_attention.conv_max, block.channel_attention.conv_avg]
    elif isinstance(block, ConvFusionBlock):
        convolutions = [block.conv]
    else:
        raise TypeError(f"no output convolutions known for {type(block).__name__}")
    with torch.no_grad():
        for conv in convolutions:
            conv.weight.zero_()
            conv.bias.zero_()
