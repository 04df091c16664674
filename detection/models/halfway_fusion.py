"""Halfway fusion: a visible and a thermal ResNet stream, fused level by level (concatenate, 1x1 conv, norm)."""
from __future__ import annotations

from collections.abc import Sequence

import torch
from mmcv.cnn import ConvModule
from mmdet.models.backbones import ResNet
from mmdet.registry import MODELS
from mmengine.model import BaseModule
from mmengine.runner.checkpoint import load_state_dict
from torch import nn

from .stem_inflation import pretrained_state, reduce_to_grey, split_pretrained


@MODELS.register_module()
class HalfwayFusionResNet(BaseModule):
    """Two ResNets with separate weights, one on the visible bands (R, G, B) and one on the thermal band.

    The first ``stream_stages`` stages run as two streams; each of their outputs the neck takes is fused (the two
    feature maps concatenated, a 1x1 convolution back to the stage's width, norm and ReLU) and handed to it. The
    streams meet after stage ``stream_stages``: the later stages run once, on the fused features, with the
    visible stream's weights. ``stream_stages=4`` (default) fuses every level into the FPN; ``2`` fuses after
    the stage of stride 8 and runs stages 3-4 as one network (Liu et al.'s halfway fusion, BMVC 2016, met
    after VGG's conv4).

    From a 3-channel checkpoint both streams start from it, the thermal stream's first convolution reduced
    to one band (:func:`.stem_inflation.reduce_to_grey`).

    Args:
        band_std: normalisation stds of R, G, B, thermal (those of the data preprocessor; for the reduction).
        stream_stages: stages run as two streams (1-4).
        out_indices: stages whose (fused) outputs go to the neck.
        fusion_norm_cfg: norm of the fusion convolutions (default: ``norm_cfg``).
        **kwargs: ``ResNet``'s for both streams (``depth``, ``frozen_stages``, ``norm_cfg``, ``norm_eval``,
            ``style``, ``init_cfg``, ...).
    """

    def __init__(self, band_std: Sequence[float], stream_stages: int = 4,
                 out_indices: Sequence[int] = (0, 1, 2, 3), fusion_norm_cfg: dict | None = None, **kwargs) -> None:
        pretrained, init_cfg = split_pretrained(kwargs.pop("init_cfg", None))
        super().__init__(init_cfg=None)
        if not 1 <= stream_stages <= kwargs.get("num_stages", 4):
            raise ValueError(f"stream_stages must be 1..{kwargs.get('num_stages', 4)}, got {stream_stages}")
        if len(band_std) != 4:
            raise ValueError(f"band_std: R, G, B, thermal, got {len(band_std)} values")
        self.pretrained, self.band_std = pretrained, tuple(band_std)
        self.stream_stages, self.out_indices = stream_stages, tuple(out_indices)
        self.visible = ResNet(in_channels=3, out_indices=self.out_indices, init_cfg=init_cfg, **kwargs)
        thermal = {**kwargs, "num_stages": stream_stages, "strides": self.visible.strides[:stream_stages],
                   "dilations": self.visible.dilations[:stream_stages]}
        if "stage_with_dcn" in kwargs:
            thermal["stage_with_dcn"] = kwargs["stage_with_dcn"][:stream_stages]
        self.thermal = ResNet(in_channels=1, out_indices=tuple(range(stream_stages)), init_cfg=init_cfg, **thermal)
        norm_cfg = fusion_norm_cfg or kwargs.get("norm_cfg", dict(type="BN", requires_grad=True))
        fused_levels = sorted({i for i in self.out_indices if i < stream_stages} | {stream_stages - 1})
        width = self.visible.base_channels * self.visible.block.expansion
        self.fusions = nn.ModuleDict({str(i): ConvModule(2 * width * 2**i, width * 2**i, 1, norm_cfg=norm_cfg)
                                      for i in fused_levels})

    @staticmethod
    def _stem(net: ResNet, x: torch.Tensor) -> torch.Tensor:
        x = net.stem(x) if net.deep_stem else net.relu(net.norm1(net.conv1(x)))
        return net.maxpool(x)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """``(B, 4, H, W)`` normalised R, G, B, thermal -> the feature maps of ``out_indices``."""
        if x.shape[1] != 4:
            raise ValueError(f"expected (B, 4, H, W) colour/thermal pairs, got {tuple(x.shape)}")
        visible, thermal = self._stem(self.visible, x[:, :3]), self._stem(self.thermal, x[:, 3:])
        outs = []
        for i, layer_name in enumerate(self.visible.res_layers):
            visible = getattr(self.visible, layer_name)(visible)
            if i < self.stream_stages:
                thermal = getattr(self.thermal, layer_name)(thermal)
                if str(i) not in self.fusions:
                    continue  # a level the neck does not take, before the streams meet
                fused = self.fusions[str(i)](torch.cat([visible, thermal], dim=1))
                if i == self.stream_stages - 1:
                    visible = fused  # the streams meet: one network from here on
                if i in self.out_indices:
                    outs.append(fused)
            elif i in self.out_indices:
                outs.append(visible)
        return tuple(outs)

    def init_weights(self) -> None:
        super().init_weights()
        if self.pretrained is None:
            return
        state = pretrained_state(self.pretrained)
        load_state_dict(self.visible, state, strict=False, logger="current")
        thermal = {key: value for key, value in state.items()
                   if not key.startswith(tuple(f"layer{i}." for i in range(self.stream_stages + 1, 5)))}
        if "conv1.weight" in thermal and thermal["conv1.weight"].shape[1] == 3:
            thermal["conv1.weight"] = reduce_to_grey(thermal["conv1.weight"], self.band_std[:3],
                                                    self.band_std[3])
        load_state_dict(self.thermal, thermal, strict=False, logger="current")
