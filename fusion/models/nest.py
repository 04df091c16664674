"""NestFuse's UNet++ ("nest") encoder and decoder, and the encode / fuse / decode network built on them.

Reference: H. Li, X.-J. Wu, T. Durrani, "NestFuse", IEEE TIM 2020, https://arxiv.org/abs/2007.00328
(code: https://github.com/hli1221/imagefusion-nestfuse, ``net.py``: the wiring below follows it).

Any input size from ``MIN_INPUT_SIZE`` up works, odd or not, portrait or landscape: the encoder
max-pools with floor rounding and the decoder up-samples (nearest, x2) then pads the last row/column
(replicate) to the skip's exact size, so the output has exactly the input's ``H x W``. One decoder
serves training and inference (NestFuse has a train and an eval variant).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
import torch.nn.functional as F
from torch import nn

from .blocks import ConvLayer, NestBlock

#: Smallest accepted input side. The encoder pools 3 times, so a 16 px side leaves 2 px at 1/8 scale:
#: the least that reflection padding (pad 1 needs 2 px) and instance normalisation (more than one
#: value per channel) accept.
MIN_INPUT_SIZE = 16

#: Output widths of the four encoder scales (1, 1/2, 1/4, 1/8) in NestFuse and MSFAM.
NEST_WIDTHS = (64, 112, 160, 208)

Block = Callable[[int, int], nn.Module]


def check_input_size(x: torch.Tensor, minimum: int = MIN_INPUT_SIZE) -> None:
    """Raise a ``ValueError`` naming the size when ``x`` is not ``(B, C, H, W)`` with ``H, W >= minimum``."""
    if x.dim() != 4:
        raise ValueError(f"expected a (B, C, H, W) tensor, got shape {tuple(x.shape)}")
    height, width = x.shape[-2:]
    if height < minimum or width < minimum:
        raise ValueError(f"input of size {height}x{width} (HxW) is too small: each side must be >= {minimum} px")


def upsample_to(x: torch.Tensor, reference: torch.Tensor) -> torch.Tensor:
    """Nearest x2 up-sampling, then replicate-pad bottom/right to ``reference``'s height and width.

    Floor max-pooling drops the last row/column of an odd side, so the up-sampled map is at most one
    pixel short, on the bottom/right side.

    Shape:
        ``x: (B, C, h, w)``, ``reference: (B, C', H, W)`` with ``2h <= H``, ``2w <= W`` -> ``(B, C, H, W)``.
    """
    up = F.interpolate(x, scale_factor=2.0, mode="nearest")
    pad_h = reference.shape[-2] - up.shape[-2]
    pad_w = reference.shape[-1] - up.shape[-1]
    if pad_h or pad_w or torch.onnx.is_in_onnx_export():  # exported graphs pad at every size
        up = F.pad(up, (0, pad_w, 0, pad_h), mode="replicate")
    return up


def run_in_float32(layer: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """``layer(x)`` in float32, outside any ``torch.autocast`` of ``x``'s device (plain ``layer(x)`` without one)."""
    device = x.device.type
    if not (torch.amp.is_autocast_available(device) and torch.is_autocast_enabled(device)):
        return layer(x)
    with torch.autocast(device, enabled=False):
        return layer(x.float())


class NestEncoder(nn.Module):
    """1x1 stem conv (+ReLU), then one block per scale with 2x2 max-pooling in between.

    Args:
        block: block class called as ``block(in_channels, out_channels)``: ``HINBlock`` for MSFAM,
            ``NestBlock`` for NestFuse.
        widths: output channels of the four scales (1, 1/2, 1/4, 1/8).
        stem_channels: output channels of the 1x1 stem convolution.
        in_channels: image channels (1: greyscale).

    Shape:
        ``(B, in_channels, H, W)`` with ``H, W >= MIN_INPUT_SIZE`` -> list of ``(B, widths[i], H_i, W_i)``,
        ``H_0 = H``, ``H_{i+1} = floor(H_i / 2)``.
    """

    def __init__(
        self,
        block: Block,
        widths: Sequence[int] = NEST_WIDTHS,
        stem_channels: int = 16,
        in_channels: int = 1,
    ) -> None:
        super().__init__()
        if len(widths) != 4:
            raise ValueError(f"the nest encoder has 4 scales, got widths {tuple(widths)}")
        self.widths = tuple(widths)
        self.stem = ConvLayer(in_channels, stem_channels, 1)
        in_widths = (stem_channels, *self.widths[:-1])
        self.stages = nn.ModuleList(block(c_in, c_out) for c_in, c_out in zip(in_widths, self.widths))
        self.pool = nn.MaxPool2d(2, 2)

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        check_input_size(x)
        out = self.stem(x)
        features = []
        for index, stage in enumerate(self.stages):
            out = stage(out if index == 0 else self.pool(out))
            features.append(out)
        return features


class NestDecoder(nn.Module):
    """UNet++ decoder of NestFuse (six blocks, nearest up-sampling) and a 1x1 output convolution.

    ``x1_1 = DB(f1, up f2); x2_1 = DB(f2, up f3); x1_2 = DB(f1, x1_1, up x2_1); x3_1 = DB(f3, up f4);
    x2_2 = DB(f2, x2_1, up x3_1); x1_3 = DB(f1, x1_1, x1_2, up x2_2); out = conv1x1(x1_3)``.

    The output convolution has no activation (NestFuse applies a ReLU): the fusion contract returns an
    unclipped image, and a ReLU would stop the gradient wherever the output is dark. Under a reduced-precision
    ``torch.autocast`` it runs in float32 (a 64 -> 1 product, no cost): the image is min-max stretched
    afterwards, and bfloat16's 8-bit mantissa would quantise it into visible steps (bench/NOTES.md).

    Args:
        widths: channels of the four encoder scales.
        out_channels: image channels of the output.
        block: block class called as ``block(in_channels, out_channels)`` (NestFuse's ``NestBlock``).

    Shape:
        list of ``(B, widths[i], H_i, W_i)`` (the encoder's output) -> ``(B, out_channels, H_0, W_0)``.
    """

    def __init__(self, widths: Sequence[int] = NEST_WIDTHS, out_channels: int = 1, block: Block = NestBlock) -> None:
        super().__init__()
        if len(widths) != 4:
            raise ValueError(f"the nest decoder has 4 scales, got widths {tuple(widths)}")
        w1, w2, w3, w4 = widths
        self.db1_1 = block(w1 + w2, w1)
        self.db2_1 = block(w2 + w3, w2)
        self.db3_1 = block(w3 + w4, w3)
        self.db1_2 = block(2 * w1 + w2, w1)
        self.db2_2 = block(2 * w2 + w3, w2)
        self.db1_3 = block(3 * w1 + w2, w1)
        self.out = nn.Conv2d(w1, out_channels, 1)

    def forward(self, features: Sequence[torch.Tensor]) -> torch.Tensor:
        f1, f2, f3, f4 = features
        x1_1 = self.db1_1(torch.cat([f1, upsample_to(f2, f1)], 1))
        x2_1 = self.db2_1(torch.cat([f2, upsample_to(f3, f2)], 1))
        x1_2 = self.db1_2(torch.cat([f1, x1_1, upsample_to(x2_1, f1)], 1))
        x3_1 = self.db3_1(torch.cat([f3, upsample_to(f4, f3)], 1))
        x2_2 = self.db2_2(torch.cat([f2, x2_1, upsample_to(x3_1, f2)], 1))
        x1_3 = self.db1_3(torch.cat([f1, x1_1, x1_2, upsample_to(x2_2, f1)], 1))
        return run_in_float32(self.out, x1_3)


class NestFusionNetwork(nn.Module):
    """Encoder, one fusion module per scale, decoder: NestFuse's encode / fuse / decode split.

    Stage 1 (reconstruction) is ``reconstruct(x) = decode(encode(x))``; stage 2 (fusion) is
    ``forward(vis, ir) = decode(fuse(encode(vis), encode(ir)))``, with both sources encoded in one
    batched call (the encoder normalises per sample, so batching changes nothing but the speed).

    Args:
        encoder: a ``NestEncoder``.
        fusions: one module per scale, called as ``fusion(feat_vis, feat_ir) -> fused feature``.
        decoder: a ``NestDecoder``.

    Shape:
        ``vis, ir: (B, 1, H, W)`` in ``[0, 1]``, ``H, W >= MIN_INPUT_SIZE`` -> fused ``(B, 1, H, W)`` on
        the same scale, not clipped.
    """

    def __init__(self, encoder: NestEncoder, fusions: Sequence[nn.Module], decoder: NestDecoder) -> None:
        super().__init__()
        if len(fusions) != len(encoder.widths):
            raise ValueError(f"expected {len(encoder.widths)} fusion modules (one per scale), got {len(fusions)}")
        self.encoder = encoder
        self.fusions = nn.ModuleList(fusions)
        self.decoder = decoder

    def encode(self, x: torch.Tensor) -> list[torch.Tensor]:
        """Four multi-scale features of ``x`` (finest first)."""
        return self.encoder(x)

    def fuse(self, feats_vis: Sequence[torch.Tensor], feats_ir: Sequence[torch.Tensor]) -> list[torch.Tensor]:
        """Fuse the visible and infrared features scale by scale."""
        return [fusion(vis, ir) for fusion, vis, ir in zip(self.fusions, feats_vis, feats_ir)]

    def decode(self, features: Sequence[torch.Tensor]) -> torch.Tensor:
        """Image from four multi-scale features."""
        return self.decoder(features)

    def reconstruct(self, x: torch.Tensor) -> torch.Tensor:
        """Stage 1: auto-encode one image, ``(B, 1, H, W) -> (B, 1, H, W)``."""
        return self.decode(self.encode(x))

    def forward(self, vis: torch.Tensor, ir: torch.Tensor) -> torch.Tensor:
        if vis.shape != ir.shape:
            raise ValueError(f"vis and ir must have the same shape, got {tuple(vis.shape)} and {tuple(ir.shape)}")
        batch = vis.shape[0]
        features = self.encode(torch.cat([vis, ir], dim=0))
        feats_vis = [f[:batch] for f in features]
        feats_ir = [f[batch:] for f in features]
        return self.decode(self.fuse(feats_vis, feats_ir))
