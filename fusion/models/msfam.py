"""MSFAM: nest encoder of HIN blocks, four attention fusion blocks, NestFuse's nest decoder.

Reference: X. Zheng et al., "A Multi-Stage Visible and Infrared Image Fusion Network Based on Attention
Mechanism", Sensors 22(10), 3651, 2022, https://doi.org/10.3390/s22103651, Sec. 3.2-3.4 and Fig. 3.

Registered in ``FUSION_MODELS`` as ``"msfam"`` and, for the ablations, ``"msfam_conv5"`` (Table 2: a
5x5 convolution in place of each attention block) and ``"msfam_handcrafted"`` (Table 1, "reconstruction
training": the stage-1 auto-encoder with NestFuse's hand-designed fusion, no fusion parameters).
"""
from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from torch import nn

from ..registry import FUSION_MODELS
from .attention_fusion import SPATIAL_KERNELS, AttentionFusionBlock, ConvFusionBlock, ResidualFusion
from .blocks import HINBlock
from .handcrafted_fusion import HandcraftedFusion
from .nest import NEST_WIDTHS, NestDecoder, NestEncoder, NestFusionNetwork

FUSION_BLOCKS = ("attention", "conv5", "handcrafted")


def build_fusion_blocks(
    kind: str, widths: Sequence[int], spatial_kernels: Sequence[int], pooling: str, residual: bool = False
) -> list[nn.Module]:
    """One fusion module per scale.

    Args:
        kind: ``"attention"`` (Sec. 3.4), ``"conv5"`` (Table 2) or ``"handcrafted"`` (Table 1).
        widths: channels of the four scales.
        spatial_kernels: spatial-attention kernel sizes (``"attention"`` only).
        pooling: channel activity of the hand-designed fusion (``"handcrafted"``, and ``residual`` blocks).
        residual: wrap each learnable block as a zero-initialised correction of the hand-designed fusion
            (:class:`ResidualFusion`); not for ``"handcrafted"``.

    Returns:
        Four modules called as ``fusion(feat_vis, feat_ir)``.
    """
    if kind == "handcrafted":
        if residual:
            raise ValueError("the hand-designed fusion has nothing to learn: residual needs a learnable block")
        return [HandcraftedFusion(pooling) for _ in widths]
    if kind == "attention":
        if len(spatial_kernels) != len(widths):
            raise ValueError(f"expected {len(widths)} spatial kernel sizes, got {tuple(spatial_kernels)}")
        blocks: list[nn.Module] = [AttentionFusionBlock(c, k) for c, k in zip(widths, spatial_kernels)]
    elif kind == "conv5":
        blocks = [ConvFusionBlock(c, kernel_size=5) for c in widths]
    else:
        raise ValueError(f"unknown fusion block {kind!r}, expected one of {FUSION_BLOCKS}")
    return [ResidualFusion(block, pooling) for block in blocks] if residual else blocks


@FUSION_MODELS.register_module(name="msfam")
class MSFAM(NestFusionNetwork):
    """MSFAM fusion network (see ``NestFusionNetwork`` for ``encode``/``fuse``/``decode``/``reconstruct``).

    Args:
        widths: channels of the four scales (default NestFuse's 64, 112, 160, 208).
        stem_channels: channels of the 1x1 stem convolution (16).
        fusion: fusion block, ``"attention"`` (default), ``"conv5"`` or ``"handcrafted"``.
        spatial_kernels: spatial-attention kernel sizes from finest to coarsest (7, 5, 5, 3).
        pooling: channel activity of the ``"handcrafted"`` fusion: ``"avg"``, ``"max"`` or ``"nuclear"``.
        padding_mode: padding of the HIN blocks' 3x3 convolutions, ``"reflect"`` (default, see
            ``HINBlock``) or ``"zeros"`` (HINet).
        residual: each learnable fusion block adds a correction, zero at initialisation, to NestFuse's
            hand-designed fusion (``ResidualFusion``): the network then starts stage 2 exactly where the
            stage-1 auto-encoder with hand-designed fusion is. False (default): the paper's blocks alone.

    Shape:
        ``vis, ir: (B, 1, H, W)`` in ``[0, 1]``, ``H, W >= 16`` -> fused ``(B, 1, H, W)``, not clipped.
    """

    def __init__(
        self,
        widths: Sequence[int] = NEST_WIDTHS,
        stem_channels: int = 16,
        fusion: str = "attention",
        spatial_kernels: Sequence[int] = SPATIAL_KERNELS,
        pooling: str = "avg",
        padding_mode: str = "reflect",
        residual: bool = False,
    ) -> None:
        encoder = NestEncoder(partial(HINBlock, padding_mode=padding_mode), widths, stem_channels)
        fusions = build_fusion_blocks(fusion, widths, spatial_kernels, pooling, residual)
        super().__init__(encoder, fusions, NestDecoder(widths))


@FUSION_MODELS.register_module(name="msfam_conv5")
class MSFAMConv5(MSFAM):
    """MSFAM with a 5x5 convolution ``2C -> C`` in place of each attention fusion block (Table 2)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(fusion="conv5", **kwargs)


@FUSION_MODELS.register_module(name="msfam_handcrafted")
class MSFAMHandcrafted(MSFAM):
    """MSFAM's auto-encoder with NestFuse's hand-designed fusion (Table 1, "reconstruction training").

    Args:
        pooling: channel activity, ``"avg"`` (default), ``"max"`` or ``"nuclear"``.
        **kwargs: the other arguments of ``MSFAM``.
    """

    def __init__(self, pooling: str = "avg", **kwargs) -> None:
        super().__init__(fusion="handcrafted", pooling=pooling, **kwargs)
