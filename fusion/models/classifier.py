"""MSFAM's Semantic Constraint module: a small multi-label classifier "is it visible? is it infrared?".

Reference: X. Zheng et al. (MSFAM), Sensors 22(10), 3651, 2022, https://doi.org/10.3390/s22103651,
Sec. 3.5 and Fig. 5: four convolution layers and one fully connected layer with two sigmoid outputs,
trained with BCE (visible -> (1, 0), infrared -> (0, 1), fused by other methods -> (1, 1)), frozen in
stage 2. The paper gives no widths, kernels or pooling; this module decides: 3x3 stride-2 convolutions
(16, 32, 64, 128 channels) each followed by LeakyReLU(0.2), no normalisation (the frozen module
then behaves the same in train and eval mode), global average pooling (any input size), one linear
layer to two logits.
"""
from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from ..registry import NETWORKS
from .nest import check_input_size

#: Smallest accepted input side: four stride-2 convolutions take 16 px down to 1 px.
MIN_INPUT_SIZE = 16

#: Column of each source's logit/probability.
VISIBLE, INFRARED = 0, 1


@NETWORKS.register_module()
class SemanticConstraintClassifier(nn.Module):
    """Multi-label classifier of greyscale images: logits of (visible, infrared).

    Args:
        widths: output channels of the four 3x3 stride-2 convolutions.
        in_channels: image channels (1: greyscale).
        negative_slope: slope of the LeakyReLUs.

    Shape:
        ``(B, in_channels, H, W)`` in ``[0, 1]``, ``H, W >= MIN_INPUT_SIZE`` -> logits ``(B, 2)``, column
        ``VISIBLE`` then ``INFRARED``.
    """

    def __init__(
        self, widths: Sequence[int] = (16, 32, 64, 128), in_channels: int = 1, negative_slope: float = 0.2
    ) -> None:
        super().__init__()
        if len(widths) != 4:
            raise ValueError(f"the classifier has 4 convolution layers, got widths {tuple(widths)}")
        layers: list[nn.Module] = []
        for c_in, c_out in zip((in_channels, *widths[:-1]), widths):
            layers += [nn.Conv2d(c_in, c_out, 3, stride=2, padding=1), nn.LeakyReLU(negative_slope)]
        self.features = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(widths[-1], 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_input_size(x, MIN_INPUT_SIZE)
        return self.fc(self.pool(self.features(x)).flatten(1))

    def probabilities(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``(p_visible, p_infrared)``, each ``(B,)`` in ``(0, 1)``: the sigmoid of the two logits."""
        probs = torch.sigmoid(self(x))
        return probs[:, VISIBLE], probs[:, INFRARED]
