"""Feeding a class label to an unconditional network: the one-hot code concatenated to its input.

The conditioning of CGAN (Mirza & Osindero 2014) and ACGAN's generator (Odena et al. 2017, whose CIFAR-10
generator takes 100 noise dimensions + a 10-way one-hot class, 110 inputs): any generator of
``latent_dim + num_classes`` inputs becomes ``G(z, y)`` without knowing about labels.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn


def concat_one_hot(x: Tensor, labels: Tensor, num_classes: int) -> Tensor:
    """``[x, one_hot(labels)]`` along the feature axis, the code in ``x``'s dtype."""
    return torch.cat([x, F.one_hot(labels, num_classes).to(x.dtype)], dim=1)


class OneHotConcat(nn.Module):
    """``net([z, one_hot(y)])``: wraps a network whose input has ``num_classes`` extra features."""

    def __init__(self, net: nn.Module, num_classes: int) -> None:
        super().__init__()
        self.net, self.num_classes = net, num_classes

    def forward(self, z: Tensor, labels: Tensor) -> Tensor:
        return self.net(concat_one_hot(z, labels, self.num_classes))
