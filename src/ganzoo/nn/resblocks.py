"""The pre-activation residual blocks of SNGAN (Miyato et al. 2018), SAGAN and BigGAN (Brock et al. 2019).

One design serves all three (BigGAN Fig. 15 b-c):

- ``GBlock``: norm-ReLU-upsample-conv3x3-norm-ReLU-conv3x3, plus an upsample-conv1x1 shortcut. The norm is
  batch norm, class-conditional batch norm, or BigGAN's batch norm conditioned on the shared embedding and a
  chunk of z; ``forward(x, y)`` passes ``y`` to it when given.
- ``DBlock``: (ReLU)-conv3x3-ReLU-conv3x3-(avgpool), plus a 1x1 conv shortcut where the shape changes. The
  first block of a discriminator reads images, so it skips the pre-activation and pools before its
  shortcut convolution (SNGAN's "optimized" block, 4x cheaper); ``wide`` gives the hidden layer the output
  width (BigGAN, SAGAN) instead of the input's (SNGAN).

The options are the papers' differences: ``sn`` (spectral norm on every convolution, always in D; in G for
SAGAN and BigGAN), ``sn_eps``, and ``init``: ``"glorot"`` is the SNGAN authors' Glorot-uniform with gain
sqrt(2) on the residual path and 1 on the shortcut, ``None`` leaves the weights to the network (BigGAN
initialises whole networks). Layer names (``bn1``, ``conv1``, ``bn2``, ``conv2``, ``conv_sc``) are BigGAN-
PyTorch's, which its converters map to.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Literal

import torch.nn.functional as F
from torch import Tensor, nn

from ganzoo.nn.conditional_norm import ConditionalBatchNorm2d
from ganzoo.nn.spectral_norm import has_spectral_norm, maybe_spectral_norm

RESIDUAL_GAIN = math.sqrt(2.0)
BlockInit = Literal["glorot"]
Norm = Callable[[int], nn.Module]


def glorot_init_(module: nn.Module, gain: float = 1.0) -> nn.Module:
    """Glorot-uniform weight (the raw weight under spectral norm), zero bias; returns ``module``."""
    weight = module.weight_orig if has_spectral_norm(module) else module.weight
    nn.init.xavier_uniform_(weight, gain)
    if getattr(module, "bias", None) is not None:
        nn.init.zeros_(module.bias)
    return module


def conv(
    c_in: int,
    c_out: int,
    kernel_size: int,
    *,
    sn: bool,
    sn_eps: float = 1e-12,
    init: BlockInit | None = "glorot",
    gain: float = 1.0,
) -> nn.Conv2d:
    """A same-padded convolution, Glorot-initialised (when ``init``), spectrally normalised when ``sn``."""
    layer = nn.Conv2d(c_in, c_out, kernel_size, padding=kernel_size // 2)
    if init == "glorot":
        glorot_init_(layer, gain)
    return maybe_spectral_norm(layer, sn, sn_eps)


def batch_norm(channels: int, num_classes: int | None = None) -> nn.Module:
    """SNGAN's generator norm: batch norm, per-class conditional when ``num_classes`` is set (de Vries et al.
    2017; Dumoulin et al. 2017): gain 1 + W[y] and bias W'[y], zero tables so a fresh layer is plain BN."""
    if num_classes is None:
        return nn.BatchNorm2d(channels)
    norm = ConditionalBatchNorm2d(channels, num_classes, embedding=True)
    nn.init.zeros_(norm.gain.weight)
    nn.init.zeros_(norm.bias.weight)
    return norm


class GBlock(nn.Module):
    """Upsampling pre-activation residual block; ``norm(channels)`` builds its two norms."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        norm: Norm = nn.BatchNorm2d,
        *,
        sn: bool = False,
        sn_eps: float = 1e-12,
        init: BlockInit | None = "glorot",
    ) -> None:
        super().__init__()
        residual = {"sn": sn, "sn_eps": sn_eps, "init": init, "gain": RESIDUAL_GAIN}
        self.bn1 = norm(in_channels)
        self.conv1 = conv(in_channels, out_channels, 3, **residual)
        self.bn2 = norm(out_channels)
        self.conv2 = conv(out_channels, out_channels, 3, **residual)
        self.conv_sc = conv(in_channels, out_channels, 1, sn=sn, sn_eps=sn_eps, init=init)

    def forward(self, x: Tensor, y: Tensor | None = None) -> Tensor:
        def norm(bn: nn.Module, h: Tensor) -> Tensor:
            return bn(h) if y is None else bn(h, y)

        h = F.interpolate(F.relu(norm(self.bn1, x)), scale_factor=2.0)
        h = self.conv2(F.relu(norm(self.bn2, self.conv1(h))))
        return h + self.conv_sc(F.interpolate(x, scale_factor=2.0))


class DBlock(nn.Module):
    """Pre-activation residual block (or, with ``preactivation=False``, a first block on images), average-
    pooled 2x2 when ``downsample``."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        *,
        downsample: bool = True,
        preactivation: bool = True,
        wide: bool = False,
        sn: bool = True,
        sn_eps: float = 1e-12,
        init: BlockInit | None = "glorot",
    ) -> None:
        super().__init__()
        hidden = out_channels if wide else in_channels
        self.downsample, self.preactivation = downsample, preactivation
        residual = {"sn": sn, "sn_eps": sn_eps, "init": init, "gain": RESIDUAL_GAIN}
        self.conv1 = conv(in_channels, hidden, 3, **residual)
        self.conv2 = conv(hidden, out_channels, 3, **residual)
        learnable_sc = downsample or in_channels != out_channels
        self.conv_sc = (
            conv(in_channels, out_channels, 1, sn=sn, sn_eps=sn_eps, init=init) if learnable_sc else None
        )

    def _pool(self, x: Tensor) -> Tensor:
        return F.avg_pool2d(x, 2) if self.downsample else x

    def shortcut(self, x: Tensor) -> Tensor:
        if self.conv_sc is None:
            return self._pool(x)
        return self._pool(self.conv_sc(x)) if self.preactivation else self.conv_sc(self._pool(x))

    def forward(self, x: Tensor) -> Tensor:
        h = F.relu(x) if self.preactivation else x
        h = self._pool(self.conv2(F.relu(self.conv1(h))))
        return h + self.shortcut(x)
