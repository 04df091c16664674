"""NestFuse: nest encoder and decoder of NestFuse blocks, with the hand-designed fusion at every scale.

Reference: H. Li, X.-J. Wu, T. Durrani, "NestFuse: An Infrared and Visible Image Fusion Architecture
Based on Nest Connection and Spatial/Channel Attention Models", IEEE TIM 69(12), 2020,
https://arxiv.org/abs/2007.00328 (code: hli1221/imagefusion-nestfuse, ``net.py``). The paper's
auto-encoder has about 2.7 M parameters (MSFAM, Table 6); this one has 2,732,761 at the default widths.

Differences from the official code: no ReLU on the output convolution (see ``NestDecoder``), one
decoder for every input size, inputs in ``[0, 1]`` (NestFuse feeds 0..255), and the fusion changes
listed in ``handcrafted_fusion``. Official weights, trained on 0..255 inputs, would need their input
scaled back.
"""
from __future__ import annotations

from collections.abc import Sequence

from ..registry import FUSION_MODELS
from .blocks import NestBlock
from .handcrafted_fusion import HandcraftedFusion
from .nest import NEST_WIDTHS, NestDecoder, NestEncoder, NestFusionNetwork


@FUSION_MODELS.register_module(name="nestfuse")
class NestFuse(NestFusionNetwork):
    """NestFuse fusion network (see ``NestFusionNetwork`` for ``encode``/``fuse``/``decode``/``reconstruct``).

    Args:
        widths: channels of the four scales (64, 112, 160, 208).
        stem_channels: channels of the 1x1 stem convolution (16).
        pooling: channel activity of the fusion, ``"avg"`` (default), ``"max"`` or ``"nuclear"``.

    Shape:
        ``vis, ir: (B, 1, H, W)`` in ``[0, 1]``, ``H, W >= 16`` -> fused ``(B, 1, H, W)``, not clipped.
    """

    def __init__(self, widths: Sequence[int] = NEST_WIDTHS, stem_channels: int = 16, pooling: str = "avg") -> None:
        encoder = NestEncoder(NestBlock, widths, stem_channels)
        fusions = [HandcraftedFusion(pooling) for _ in widths]
        super().__init__(encoder, fusions, NestDecoder(widths))
