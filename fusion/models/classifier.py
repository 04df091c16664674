"""MSFAM's Semantic Constraint module: a small multi-label classifier "is it visible? is it infrared?".

Reference: X. Zheng et al. (MSFAM), Sensors 22(10), 3651, 2022, https://doi.org/10.3390/s22103651,
Sec. 3.5 and Fig. 5: four convolution layers and one fully connected layer with two sigmoid outputs,
trained with BCE (visible -> (1, 0), infrared -> (0, 1), fused by other methods -> (1, 1)), frozen in
stage 2, where the paper reports more than 99 % accuracy. The paper gives no widths, kernels,
normalisation or pooling; this module decides, after a first design (plain convolutions on raw [0, 1]
input, mean pooling) never left the label prior on this task:

* the input is standardised with fixed constants (``(x - 0.4) / 0.25``, about the mean and spread of
  the training images), not per image, so global brightness and contrast, which tell infrared from
  visible, stay visible to the network;
* each of the four stride-2 convolutions (32, 64, 128, 256 channels; 3x3 by default, 5x5 in
  ``configs/fusion/classifier.py`` for a 61 px receptive field) is followed by batch normalisation and
  LeakyReLU(0.2); the module is frozen in eval mode in stage 2, so the running statistics are fixed there;
* the last features are pooled three ways over the whole image: mean, maximum and standard deviation
  per channel (how much, how bright at its brightest, how varied), concatenated, then one linear layer
  gives the two logits. Any input size works.
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

#: Fixed input standardisation ``(x - INPUT_MEAN) / INPUT_STD`` of [0, 1] greyscale images.
INPUT_MEAN, INPUT_STD = 0.4, 0.25


def global_statistics(features: torch.Tensor) -> torch.Tensor:
    """Per-channel mean, maximum and standard deviation over the image, ``(B, C, H, W) -> (B, 3C)``."""
    flat = features.flatten(2)
    return torch.cat([flat.mean(dim=2), flat.amax(dim=2), flat.std(dim=2, unbiased=False)], dim=1)


@NETWORKS.register_module()
class SemanticConstraintClassifier(nn.Module):
    """Multi-label classifier of greyscale images: logits of (visible, infrared).

    Args:
        widths: output channels of the four stride-2 convolutions.
        in_channels: image channels (1: greyscale).
        negative_slope: slope of the LeakyReLUs.
        kernel_size: side of the convolution kernels (odd); the receptive field of the last features is
            ``1 + 15 (kernel_size - 1)`` px (31 at 3, 61 at 5).

    Shape:
        ``(B, in_channels, H, W)`` in ``[0, 1]``, ``H, W >= MIN_INPUT_SIZE`` -> logits ``(B, 2)``, column
        ``VISIBLE`` then ``INFRARED``.
    """

    def __init__(
        self, widths: Sequence[int] = (32, 64, 128, 256), in_channels: int = 1, negative_slope: float = 0.2,
        kernel_size: int = 3,
    ) -> None:
        super().__init__()
        if len(widths) != 4:
            raise ValueError(f"the classifier has 4 convolution layers, got widths {tuple(widths)}")
        if kernel_size < 1 or kernel_size % 2 == 0:
            raise ValueError(f"kernel_size must be a positive odd number, got {kernel_size}")
        layers: list[nn.Module] = []
        for c_in, c_out in zip((in_channels, *widths[:-1]), widths):
            layers += [nn.Conv2d(c_in, c_out, kernel_size, stride=2, padding=kernel_size // 2, bias=False),
                       nn.BatchNorm2d(c_out), nn.LeakyReLU(negative_slope)]
        self.features = nn.Sequential(*layers)
        self.fc = nn.Linear(3 * widths[-1], 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_input_size(x, MIN_INPUT_SIZE)
        features = self.features((x - INPUT_MEAN) / INPUT_STD)
        return self.fc(global_statistics(features.float()).to(features.dtype))

    def probabilities(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``(p_visible, p_infrared)``, each ``(B,)`` in ``(0, 1)``: the sigmoid of the two logits."""
        probs = torch.sigmoid(self(x))
        return probs[:, VISIBLE], probs[:, INFRARED]
