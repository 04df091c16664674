"""Convolution blocks of the nest encoder/decoder: NestFuse's block and HINet's HIN block.

References:
    * NestFuse: H. Li, X.-J. Wu, T. Durrani, "NestFuse: An Infrared and Visible Image Fusion Architecture
      Based on Nest Connection and Spatial/Channel Attention Models", IEEE TIM 2020,
      https://arxiv.org/abs/2007.00328 (code: hli1221/imagefusion-nestfuse, ``net.py``).
    * HINet: L. Chen et al., "HINet: Half Instance Normalization Network for Image Restoration",
      CVPRW 2021, https://arxiv.org/abs/2105.06086 (code: megvii-model/HINet, ``hinet_arch.py``).
"""
from __future__ import annotations

import torch
from torch import nn


class ConvLayer(nn.Module):
    """Reflection-padded ``k x k`` convolution ('same' size), optionally followed by a ReLU.

    NestFuse's ``ConvLayer`` (``ReflectionPad2d`` + ``Conv2d`` + ReLU), written with the equivalent
    ``padding_mode="reflect"`` of ``nn.Conv2d``. A 1x1 convolution pads nothing and is built with
    ``padding_mode="zeros"``: same result, but ``"reflect"`` would copy its whole input through a
    zero-width pad (2-5 % of NestFuse's and MSFAM's time, bench/NOTES.md).

    Args:
        in_channels: input channels.
        out_channels: output channels.
        kernel_size: odd kernel size.
        relu: apply a ReLU after the convolution.

    Shape:
        ``(B, in_channels, H, W) -> (B, out_channels, H, W)``.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int = 3, relu: bool = True) -> None:
        super().__init__()
        self.conv = nn.Conv2d(
            in_channels, out_channels, kernel_size, padding=kernel_size // 2,
            padding_mode="reflect" if kernel_size > 1 else "zeros",
        )
        self.act = nn.ReLU(inplace=True) if relu else nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.act(self.conv(x))


class NestBlock(nn.Module):
    """NestFuse's block (``DenseBlock_light``): 3x3 conv to ``in_channels // 2``, ReLU, 1x1 conv, ReLU.

    Args:
        in_channels: input channels (at least 2).
        out_channels: output channels.

    Shape:
        ``(B, in_channels, H, W) -> (B, out_channels, H, W)``.
    """

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__()
        if in_channels < 2:
            raise ValueError(f"NestBlock needs at least 2 input channels, got {in_channels}")
        mid_channels = in_channels // 2
        self.conv1 = ConvLayer(in_channels, mid_channels, 3)
        self.conv2 = ConvLayer(mid_channels, out_channels, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv2(self.conv1(x))


class HINBlock(nn.Module):
    """HINet's ``UNetConvBlock`` with ``use_HIN=True`` and no down-sampling (the encoder pools itself).

    ``conv3x3 -> [InstanceNorm(affine) on the first out_channels // 2 channels, the rest untouched]
    -> LeakyReLU -> conv3x3 -> LeakyReLU -> + conv1x1(input)``.

    Padding: HINet pads with zeros; this block pads by reflection by default, like every other
    convolution of the NestFuse backbone it is placed in, because a fusion network runs at full image
    size and zero padding darkens the borders of the features (a bias that the instance norm then
    spreads over the whole map). Parameters and multiply-adds are the same; ``padding_mode="zeros"``
    gives HINet's block exactly.

    Args:
        in_channels: input channels.
        out_channels: output channels (the normalised half is ``out_channels // 2``).
        relu_slope: negative slope of both LeakyReLUs (HINet: 0.2).
        padding_mode: ``"reflect"`` (default) or ``"zeros"`` (HINet), for both 3x3 convolutions.

    Shape:
        ``(B, in_channels, H, W) -> (B, out_channels, H, W)``; ``H, W >= 2`` (reflection padding and the
        instance norm need two pixels per side).
    """

    def __init__(
        self, in_channels: int, out_channels: int, relu_slope: float = 0.2, padding_mode: str = "reflect"
    ) -> None:
        super().__init__()
        if out_channels < 2:
            raise ValueError(f"HINBlock needs at least 2 output channels, got {out_channels}")
        self.norm_channels = out_channels // 2
        self.conv_1 = nn.Conv2d(in_channels, out_channels, 3, padding=1, padding_mode=padding_mode)
        self.norm = nn.InstanceNorm2d(self.norm_channels, affine=True)
        self.relu_1 = nn.LeakyReLU(relu_slope)
        self.conv_2 = nn.Conv2d(out_channels, out_channels, 3, padding=1, padding_mode=padding_mode)
        self.relu_2 = nn.LeakyReLU(relu_slope)
        self.identity = nn.Conv2d(in_channels, out_channels, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.conv_1(x)
        normed, kept = out.split([self.norm_channels, out.shape[1] - self.norm_channels], dim=1)
        out = self.relu_1(torch.cat([self.norm(normed), kept], dim=1))
        out = self.relu_2(self.conv_2(out))
        return out + self.identity(x)
