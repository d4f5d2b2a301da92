"""ProGAN's networks (Karras et al., "Progressive Growing of GANs", ICLR 2018), grown a resolution at a time.

Every resolution's layers exist from the start, so the parameter set (and the optimizers) never change; the
buffers ``level`` (0 is 4x4, each level doubles the side) and ``alpha`` (the weight of the newest level while
it fades in, 1 once it is in) say how much of the network runs. Each layer is an equalized-lr convolution with
He's constant sqrt(2) as its gain, followed by a leaky ReLU and, in G, pixel norm, as in
facebookresearch/pytorch_GAN_zoo's ``GNet`` / ``DNet``, whose module tree this follows one for one.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ganzoo.nn.equalized import EqualizedConv2d, EqualizedLinear, minibatch_stddev, pixel_norm

HE_GAIN = math.sqrt(2)


def _conv(in_channels: int, out_channels: int, kernel_size: int) -> EqualizedConv2d:
    return EqualizedConv2d(in_channels, out_channels, kernel_size, gain=HE_GAIN)


class _Growing(nn.Module):
    """The ``level`` / ``alpha`` state both networks share, and the checks on it."""

    def __init__(self, depths: Sequence[int], negative_slope: float) -> None:
        super().__init__()
        if not depths or any(d < 1 for d in depths):
            raise ValueError(f"depths must list one positive width per resolution from 4x4, got {depths}")
        self.depths = list(depths)
        self.negative_slope = negative_slope
        self.register_buffer("level", torch.tensor(len(depths) - 1))
        self.register_buffer("alpha", torch.tensor(1.0))

    @property
    def max_level(self) -> int:
        return len(self.depths) - 1

    @property
    def resolution(self) -> int:
        """The side of the images at the current level."""
        return 4 * 2 ** int(self.level)

    def grow_to(self, level: int, alpha: float) -> None:
        """Run up to ``level``, the newest level weighted by ``alpha`` against the upsampled one below."""
        if not 0 <= level <= self.max_level:
            raise ValueError(f"level must be in [0, {self.max_level}], got {level}")
        if not 0.0 <= alpha <= 1.0:
            raise ValueError(f"alpha must be in [0, 1], got {alpha}")
        self.level.fill_(level)
        self.alpha.fill_(alpha)

    def act(self, x: Tensor) -> Tensor:
        return F.leaky_relu(x, self.negative_slope)


class _UpBlock(nn.Module):
    """Upsample x2 (nearest), then two 3x3 convolutions."""

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__()
        self.conv0 = _conv(in_channels, out_channels, 3)
        self.conv1 = _conv(out_channels, out_channels, 3)


class _DownBlock(nn.Module):
    """Two 3x3 convolutions, then 2x2 average pooling."""

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__()
        self.conv0 = _conv(in_channels, in_channels, 3)
        self.conv1 = _conv(in_channels, out_channels, 3)


class ProGANGenerator(_Growing):
    """z -> images at the current level's resolution.

    Args:
        latent_dim: size of z.
        depths: channels at 4x4, 8x8, ... (the last entry sets the full resolution).
        channels: image channels.
        negative_slope: of the leaky ReLUs.
        normalize: pixel norm on z and after every convolution (the paper's Sec. 4.2).
    """

    def __init__(
        self,
        latent_dim: int,
        depths: Sequence[int],
        channels: int = 3,
        *,
        negative_slope: float = 0.2,
        normalize: bool = True,
    ) -> None:
        super().__init__(depths, negative_slope)
        self.latent_dim, self.normalize = latent_dim, normalize
        self.format_layer = EqualizedLinear(latent_dim, 16 * depths[0], gain=HE_GAIN)
        self.scale0 = _conv(depths[0], depths[0], 3)
        self.blocks = nn.ModuleList(_UpBlock(a, b) for a, b in itertools.pairwise(depths))
        self.to_rgb = nn.ModuleList(_conv(d, channels, 1) for d in depths)

    def norm(self, x: Tensor) -> Tensor:
        return pixel_norm(x) if self.normalize else x

    def forward(self, z: Tensor) -> Tensor:
        if z.dim() != 2 or z.shape[1] != self.latent_dim:
            raise ValueError(f"z must have shape (N, {self.latent_dim}), got {tuple(z.shape)}")
        level, alpha = int(self.level), float(self.alpha)
        x = self.act(self.format_layer(self.norm(z))).view(z.shape[0], -1, 4, 4)
        # pytorch_GAN_zoo normalises the 4x4 map whatever ``normalize`` says; so do we, to load its weights.
        x = self.norm(self.act(self.scale0(pixel_norm(x))))
        previous = x
        for block in self.blocks[:level]:
            previous = x
            x = F.interpolate(x, scale_factor=2, mode="nearest")
            x = self.norm(self.act(block.conv0(x)))
            x = self.norm(self.act(block.conv1(x)))
        image = self.to_rgb[level](x)
        if level > 0 and alpha < 1.0:
            below = F.interpolate(self.to_rgb[level - 1](previous), scale_factor=2, mode="nearest")
            image = alpha * image + (1.0 - alpha) * below
        return image


class ProGANDiscriminator(_Growing):
    """Images at the current level's resolution -> one score each, shape (N, 1).

    Args:
        depths: as the generator's.
        channels: image channels.
        negative_slope: of the leaky ReLUs.
        minibatch_stddev: append the minibatch standard deviation channel before the 4x4 layers (Sec. 3), in
            pytorch_GAN_zoo's variant (N - 1 variance over groups of consecutive samples).
        group_size: samples per minibatch-stddev group.
    """

    def __init__(
        self,
        depths: Sequence[int],
        channels: int = 3,
        *,
        negative_slope: float = 0.2,
        minibatch_stddev: bool = True,
        group_size: int = 4,
    ) -> None:
        super().__init__(depths, negative_slope)
        self.minibatch_stddev, self.group_size = minibatch_stddev, group_size
        self.from_rgb = nn.ModuleList(_conv(channels, d, 1) for d in depths)
        self.blocks = nn.ModuleList(_DownBlock(b, a) for a, b in itertools.pairwise(depths))
        self.scale0_conv = _conv(depths[0] + int(minibatch_stddev), depths[0], 3)
        self.scale0_linear = EqualizedLinear(16 * depths[0], depths[0], gain=HE_GAIN)
        self.decision = EqualizedLinear(depths[0], 1, gain=HE_GAIN)

    def down(self, level: int, x: Tensor) -> Tensor:
        block = self.blocks[level - 1]
        x = self.act(block.conv1(self.act(block.conv0(x))))
        return F.avg_pool2d(x, 2)

    def forward(self, images: Tensor) -> Tensor:
        level, alpha = int(self.level), float(self.alpha)
        if images.shape[-1] != self.resolution or images.shape[-2] != self.resolution:
            raise ValueError(
                f"the discriminator is at {self.resolution}x{self.resolution} (level {level}), got images of "
                f"{tuple(images.shape[-2:])}"
            )
        x = self.act(self.from_rgb[level](images))
        if level > 0:
            x = self.down(level, x)
            if alpha < 1.0:
                below = self.act(self.from_rgb[level - 1](F.avg_pool2d(images, 2)))
                x = alpha * x + (1.0 - alpha) * below
            for lower in range(level - 1, 0, -1):
                x = self.down(lower, x)
        if self.minibatch_stddev:
            x = minibatch_stddev(x, self.group_size, unbiased=True, contiguous_groups=True)
        x = self.act(self.scale0_conv(x))
        x = self.act(self.scale0_linear(x.flatten(1)))
        return self.decision(x)
