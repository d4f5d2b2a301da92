"""StyleGAN's generator (Karras et al., "A Style-Based Generator Architecture for GANs", CVPR 2019).

The mapping network (shared with StyleGAN2, ``nn.mapping``) turns z into one w per layer; the synthesis
network starts from a learned 4x4 constant, and every layer ends in the paper's epilogue: per-channel scaled
noise, bias, leaky ReLU, then AdaIN (instance norm, then a per-channel scale and bias from an affine map of
w). Upsampling convolutions use the [1, 3, 3, 1] FIR filter, which is the paper's nearest-neighbour
upsampling followed by its [1, 2, 1] blur. There is one toRGB, at the last resolution (no growing).
"""

from __future__ import annotations

from typing import Any, ClassVar

import torch
from torch import Tensor, nn

from ganzoo.nn.equalized import EqualizedLinear, bias_act
from ganzoo.nn.style_generator import StyleGenerator
from ganzoo.nn.stylegan2 import Conv2dLayer, block_resolutions, channels_at

NOISE_MODES = ("random", "const", "none")


class NoiseInjection(nn.Module):
    """Adds a single-channel noise image scaled by a learned weight per feature map (Sec. 3.2); the weights
    start at zero. ``noise_const`` is the fixed image used by ``noise_mode="const"``."""

    def __init__(self, channels: int, resolution: int) -> None:
        super().__init__()
        self.resolution = resolution
        self.weight = nn.Parameter(torch.zeros(channels))
        self.register_buffer("noise_const", torch.randn(resolution, resolution))

    def forward(self, x: Tensor, noise_mode: str = "random") -> Tensor:
        if noise_mode not in NOISE_MODES:
            raise ValueError(f"noise_mode must be one of {NOISE_MODES}, got {noise_mode!r}")
        if noise_mode == "none":
            return x
        if noise_mode == "random":
            noise = torch.randn(x.shape[0], 1, *x.shape[2:], device=x.device, dtype=x.dtype)
        else:
            noise = self.noise_const.to(x.dtype)
        return x + noise * self.weight.to(x.dtype).view(1, -1, 1, 1)


class AdaIN(nn.Module):
    """Adaptive instance normalisation: each feature map normalised per sample, then scaled by ``1 + y_s`` and
    shifted by ``y_b``, where ``(y_s, y_b)`` is an equalized-lr affine map of w (Eq. 1)."""

    def __init__(self, channels: int, w_dim: int, eps: float = 1e-8) -> None:
        super().__init__()
        self.channels, self.eps = channels, eps
        self.style = EqualizedLinear(w_dim, 2 * channels)

    def forward(self, x: Tensor, w: Tensor) -> Tensor:
        x = x - x.mean(dim=(2, 3), keepdim=True)
        x = x * (x.square().mean(dim=(2, 3), keepdim=True) + self.eps).rsqrt()
        scale, shift = self.style(w).unsqueeze(-1).unsqueeze(-1).chunk(2, dim=1)
        return x * (scale + 1) + shift


class StyleLayer(nn.Module):
    """A 3x3 convolution (``up=2``: upsampling first; ``in_channels=0``: the learned constant instead), then
    noise, bias, leaky ReLU and AdaIN. Instance norm cancels any gain of the activation."""

    def __init__(self, in_channels: int, out_channels: int, w_dim: int, resolution: int, up: int = 1) -> None:
        super().__init__()
        if in_channels == 0:
            self.const = nn.Parameter(torch.ones(out_channels, resolution, resolution))
        else:
            self.conv = Conv2dLayer(in_channels, out_channels, 3, bias=False, up=up)
        self.noise = NoiseInjection(out_channels, resolution)
        self.bias = nn.Parameter(torch.zeros(out_channels))
        self.adain = AdaIN(out_channels, w_dim)

    def forward(self, x: Tensor | None, w: Tensor, noise_mode: str = "random") -> Tensor:
        x = self.const.to(w.dtype).expand(w.shape[0], -1, -1, -1) if x is None else self.conv(x)
        x = bias_act(self.noise(x, noise_mode), self.bias.to(x.dtype), activation="lrelu", gain=1.0)
        return self.adain(x, w)


class StyleGANSynthesis(nn.Module):
    """ws [N, num_ws, w_dim] -> images: two ``StyleLayer`` per resolution (``layers.{2i}`` and
    ``layers.{2i+1}``), each reading its own w, and a 1x1 toRGB at the end.

    Args:
        w_dim, img_resolution, img_channels: as the generator's.
        channel_base, channel_max: feature maps ``min(channel_base / res, channel_max)``; the paper's
            ``fmap_base`` 8192 at its stage numbering is 16384 here (512 maps up to 32x32, 16 at 1024).
    """

    def __init__(
        self,
        w_dim: int,
        img_resolution: int,
        img_channels: int,
        *,
        channel_base: int = 16384,
        channel_max: int = 512,
    ) -> None:
        resolutions = block_resolutions(img_resolution)
        super().__init__()
        self.w_dim, self.img_resolution, self.img_channels = w_dim, img_resolution, img_channels
        layers = []
        for res in resolutions:
            channels = channels_at(res, channel_base, channel_max)
            previous = channels_at(res // 2, channel_base, channel_max) if res > 4 else 0
            layers.append(StyleLayer(previous, channels, w_dim, res, up=1 if res == 4 else 2))
            layers.append(StyleLayer(channels, channels, w_dim, res))
        self.layers = nn.ModuleList(layers)
        self.num_ws = len(layers)
        self.torgb = Conv2dLayer(channels_at(img_resolution, channel_base, channel_max), img_channels, 1)

    def forward(self, ws: Tensor, noise_mode: str = "random", update_emas: bool = False) -> Tensor:
        """``update_emas`` is accepted for the family's interface; this network tracks no statistics."""
        if ws.dim() != 3 or ws.shape[1:] != (self.num_ws, self.w_dim):
            raise ValueError(f"ws must have shape [N, {self.num_ws}, {self.w_dim}], got {list(ws.shape)}")
        x = None
        for i, layer in enumerate(self.layers):
            x = layer(x, ws[:, i], noise_mode)
        return self.torgb(x)


class StyleGANGenerator(StyleGenerator):
    """``mapping`` (z, c -> ws) then ``synthesis`` (ws -> images), with StyleGAN2's generator interface:
    StyleGAN's 8 mapping layers at lr x0.01 with ``w_avg`` decay 0.995, then ``StyleGANSynthesis``
    (``channel_base``, ``channel_max``)."""

    synthesis_class = StyleGANSynthesis
    mapping_defaults: ClassVar[dict[str, Any]] = {"num_layers": 8, "lr_multiplier": 0.01, "w_avg_beta": 0.995}
