"""The residual blocks of the SNGAN / projection-discriminator ResNets (Miyato et al. 2018), reused by SAGAN.

Generator block: BN-ReLU-upsample-conv3x3-BN-ReLU-conv3x3, plus an upsample-conv1x1 shortcut (batch norm
class-conditional when the model is). Discriminator block: ReLU-conv3x3-ReLU-conv3x3-avgpool, plus a
conv1x1-avgpool shortcut; the first discriminator block is "optimized": no activation before its first
convolution (its input is the image) and it pools before the shortcut convolution (4x cheaper). Layer
names (c1, c2, c_sc, b1, b2) and the initialisation (Glorot-uniform, gain sqrt(2) on the residual path,
1 on the shortcut) follow the authors' Chainer code.
"""

from __future__ import annotations

import math

import torch.nn.functional as F
from torch import Tensor, nn

from ganzoo.nn.conditional_norm import ConditionalBatchNorm2d
from ganzoo.nn.spectral_norm import has_spectral_norm, maybe_spectral_norm

RESIDUAL_GAIN = math.sqrt(2.0)


def glorot_init_(module: nn.Module, gain: float = 1.0) -> nn.Module:
    """Glorot-uniform weight (the raw weight under spectral norm), zero bias; returns ``module``."""
    weight = module.weight_orig if has_spectral_norm(module) else module.weight
    nn.init.xavier_uniform_(weight, gain)
    if getattr(module, "bias", None) is not None:
        nn.init.zeros_(module.bias)
    return module


def conv(c_in: int, c_out: int, kernel_size: int, sn: bool, gain: float = 1.0) -> nn.Conv2d:
    """A same-padded convolution, Glorot-initialised, spectrally normalised when ``sn``."""
    layer = glorot_init_(nn.Conv2d(c_in, c_out, kernel_size, padding=kernel_size // 2), gain)
    return maybe_spectral_norm(layer, sn)


class GBlock(nn.Module):
    """Upsampling pre-activation residual block; ``y`` is used only when ``num_classes`` is set."""

    def __init__(
        self, in_channels: int, out_channels: int, num_classes: int | None = None, sn: bool = False
    ) -> None:
        super().__init__()
        self.conditional = num_classes is not None
        self.b1 = self._norm(in_channels, num_classes)
        self.c1 = conv(in_channels, out_channels, 3, sn, RESIDUAL_GAIN)
        self.b2 = self._norm(out_channels, num_classes)
        self.c2 = conv(out_channels, out_channels, 3, sn, RESIDUAL_GAIN)
        self.c_sc = conv(in_channels, out_channels, 1, sn)

    @staticmethod
    def _norm(channels: int, num_classes: int | None) -> nn.Module:
        """Batch norm, per-class conditional when ``num_classes`` is set (de Vries et al. 2017; Dumoulin
        et al. 2017): per-class gain 1 + W[y] and bias W'[y], zero tables so a fresh layer is plain BN."""
        if num_classes is None:
            return nn.BatchNorm2d(channels)
        norm = ConditionalBatchNorm2d(channels, num_classes, embedding=True)
        nn.init.zeros_(norm.gain.weight)
        nn.init.zeros_(norm.bias.weight)
        return norm

    def _bn(self, bn: nn.Module, h: Tensor, y: Tensor | None) -> Tensor:
        return bn(h, y) if self.conditional else bn(h)

    def forward(self, x: Tensor, y: Tensor | None = None) -> Tensor:
        h = F.interpolate(F.relu(self._bn(self.b1, x, y)), scale_factor=2, mode="nearest")
        h = self.c2(F.relu(self._bn(self.b2, self.c1(h), y)))
        return h + self.c_sc(F.interpolate(x, scale_factor=2, mode="nearest"))


class DBlock(nn.Module):
    """Pre-activation residual block, average-pooled 2x2 when ``downsample``; spectral norm throughout."""

    def __init__(self, in_channels: int, out_channels: int, downsample: bool = True, sn: bool = True) -> None:
        super().__init__()
        self.downsample = downsample
        self.c1 = conv(in_channels, in_channels, 3, sn, RESIDUAL_GAIN)
        self.c2 = conv(in_channels, out_channels, 3, sn, RESIDUAL_GAIN)
        learnable_sc = downsample or in_channels != out_channels
        self.c_sc = conv(in_channels, out_channels, 1, sn) if learnable_sc else None

    def _pool(self, h: Tensor) -> Tensor:
        return F.avg_pool2d(h, 2) if self.downsample else h

    def forward(self, x: Tensor) -> Tensor:
        h = self._pool(self.c2(F.relu(self.c1(F.relu(x)))))
        shortcut = x if self.c_sc is None else self._pool(self.c_sc(x))
        return h + shortcut


class OptimizedDBlock(nn.Module):
    """The discriminator's first block: conv-ReLU-conv-avgpool on the image, shortcut avgpool-conv1x1."""

    def __init__(self, in_channels: int, out_channels: int, sn: bool = True) -> None:
        super().__init__()
        self.c1 = conv(in_channels, out_channels, 3, sn, RESIDUAL_GAIN)
        self.c2 = conv(out_channels, out_channels, 3, sn, RESIDUAL_GAIN)
        self.c_sc = conv(in_channels, out_channels, 1, sn)

    def forward(self, x: Tensor) -> Tensor:
        h = F.avg_pool2d(self.c2(F.relu(self.c1(x))), 2)
        return h + self.c_sc(F.avg_pool2d(x, 2))
