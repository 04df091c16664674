"""Early fusion: one ResNet fed the stacked colour/thermal pair (R, G, B, thermal)."""
from __future__ import annotations

from collections.abc import Sequence

from mmdet.models.backbones import ResNet
from mmdet.registry import MODELS
from mmengine.runner.checkpoint import load_state_dict

from .stem_inflation import LUMA_RGB, inflate_to_pair, pretrained_state, split_pretrained


@MODELS.register_module()
class EarlyFusionResNet(ResNet):
    """``ResNet`` whose first convolution takes four bands: R, G, B and thermal.

    From a 3-channel checkpoint (``init_cfg=dict(type='Pretrained', ...)``, torchvision's ImageNet ResNet-50
    by default) the first convolution's thermal filters are inflated from its RGB filters
    (:func:`.stem_inflation.inflate_to_pair`): at initialisation, fed an image and its luminance as the thermal
    band, the network responds as the RGB network fed the image. Without a checkpoint every filter starts
    random, as ``ResNet``'s do.

    Args:
        band_std: normalisation stds of R, G, B, thermal (those of the data preprocessor).
        luma: luminance weights of R, G, B used by the inflation.
        **kwargs: ``ResNet``'s (``depth``, ``frozen_stages``, ``init_cfg``, ...); ``in_channels`` is 4.
    """

    def __init__(self, band_std: Sequence[float], luma: Sequence[float] = LUMA_RGB, **kwargs) -> None:
        if len(band_std) != 4:
            raise ValueError(f"band_std: R, G, B, thermal, got {len(band_std)} values")
        self.pretrained, kwargs["init_cfg"] = split_pretrained(kwargs.get("init_cfg"))
        super().__init__(in_channels=4, **kwargs)
        self.band_std, self.luma = tuple(band_std), tuple(luma)

    def init_weights(self) -> None:
        super().init_weights()
        if self.pretrained is None:
            return
        state = pretrained_state(self.pretrained)
        if "conv1.weight" in state and state["conv1.weight"].shape[1] == 3:
            state["conv1.weight"] = inflate_to_pair(state["conv1.weight"], self.band_std, self.luma)
        load_state_dict(self, state, strict=False, logger="current")
