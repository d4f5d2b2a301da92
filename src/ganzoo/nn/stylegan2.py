"""StyleGAN2's networks (Karras et al. 2020, config F): a skip generator of modulated convolutions and a
residual discriminator, both resampling with the [1, 3, 3, 1] FIR filter.

Module and parameter names are those of NVIDIA's ``training/networks_stylegan2.py`` (stylegan2-ada-pytorch,
stylegan3), so a published state dict loads without renaming. The networks run in the dtype of their input;
NVIDIA's fp16 blocks are a training-speed option of their CUDA kernels and are not reproduced.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import Tensor, nn

from ganzoo.nn.equalized import ACTIVATIONS, EqualizedConv2d, EqualizedLinear, MinibatchStdLayer, bias_act
from ganzoo.nn.mapping import MappingNetwork
from ganzoo.nn.modulated_conv import modulated_conv2d
from ganzoo.nn.style_generator import StyleGenerator
from ganzoo.nn.upfirdn2d import conv2d_resample, downsample2d, setup_filter, upsample2d

NoiseMode = str  # "random" | "const" | "none"
_NOISE_MODES = ("random", "const", "none")


class Conv2dLayer(EqualizedConv2d):
    """An equalized-lr convolution that can upsample or downsample through the FIR filter on the way."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int,
        *,
        up: int = 1,
        down: int = 1,
        resample_filter: Sequence[float] = (1, 3, 3, 1),
        **conv_kwargs: object,
    ) -> None:
        """``conv_kwargs``: ``bias``, ``activation``, ``conv_clamp`` of ``EqualizedConv2d``."""
        super().__init__(in_channels, out_channels, kernel_size, **conv_kwargs)
        self.up, self.down = up, down
        self.register_buffer("resample_filter", setup_filter(list(resample_filter)))
        self.act_gain = ACTIVATIONS[self.activation][1]

    def forward(self, x: Tensor, gain: float = 1.0) -> Tensor:
        w = (self.weight * self.weight_gain).to(x.dtype)
        x = conv2d_resample(
            x,
            w,
            self.resample_filter,
            up=self.up,
            down=self.down,
            padding=self.padding,
            flip_weight=self.up == 1,
        )
        clamp = None if self.conv_clamp is None else self.conv_clamp * gain
        b = None if self.bias is None else self.bias.to(x.dtype)
        return bias_act(x, b, activation=self.activation, gain=self.act_gain * gain, clamp=clamp)

    def extra_repr(self) -> str:
        return f"{super().extra_repr()}, up={self.up}, down={self.down}"


class SynthesisLayer(nn.Module):
    """Modulated 3x3 convolution (optionally 2x upsampling), per-pixel noise scaled by a learned strength,
    bias, leaky ReLU and clamp. ``noise_const`` is one fixed noise image for ``noise_mode="const"``."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        w_dim: int,
        resolution: int,
        *,
        kernel_size: int = 3,
        up: int = 1,
        use_noise: bool = True,
        activation: str = "lrelu",
        resample_filter: Sequence[float] = (1, 3, 3, 1),
        conv_clamp: float | None = None,
    ) -> None:
        super().__init__()
        self.in_channels, self.out_channels, self.w_dim = in_channels, out_channels, w_dim
        self.resolution, self.up, self.use_noise = resolution, up, use_noise
        self.activation, self.conv_clamp = activation, conv_clamp
        self.register_buffer("resample_filter", setup_filter(list(resample_filter)))
        self.padding = kernel_size // 2
        self.act_gain = ACTIVATIONS[activation][1]
        self.affine = EqualizedLinear(w_dim, in_channels, bias_init=1.0)
        self.weight = nn.Parameter(torch.randn(out_channels, in_channels, kernel_size, kernel_size))
        if use_noise:
            self.register_buffer("noise_const", torch.randn(resolution, resolution))
            self.noise_strength = nn.Parameter(torch.zeros(()))
        self.bias = nn.Parameter(torch.zeros(out_channels))
        # Set by prepare_for_inference on a frozen copy; never saved.
        self.register_buffer("weight_sq", None, persistent=False)
        self.register_buffer("weight_inference", None, persistent=False)

    def prepare_for_inference(self) -> None:
        """Precompute the weights' squared norms per (output, input) channel, which demodulation would
        otherwise recompute from N x O x I x k x k modulated weights on every call; and for the upsampling
        layer the weights stored input-channel first, the layout of a transposed convolution, which would
        otherwise copy them on every call."""
        weight = self.weight.detach()
        self.weight_sq = weight.square().sum([2, 3])
        if self.up > 1:
            self.weight_inference = weight.transpose(0, 1).contiguous().transpose(0, 1)

    def forward(
        self,
        x: Tensor,
        w: Tensor,
        noise_mode: NoiseMode = "random",
        fused_modconv: bool = True,
        gain: float = 1.0,
    ) -> Tensor:
        if noise_mode not in _NOISE_MODES:
            raise ValueError(f"noise_mode must be one of {_NOISE_MODES}, got {noise_mode!r}")
        styles = self.affine(w)
        noise = None
        if self.use_noise and noise_mode == "random":
            shape = (x.shape[0], 1, self.resolution, self.resolution)
            noise = torch.randn(shape, device=x.device, dtype=x.dtype) * self.noise_strength
        elif self.use_noise and noise_mode == "const":
            noise = self.noise_const * self.noise_strength
        x = modulated_conv2d(
            x,
            self.weight if self.weight_inference is None else self.weight_inference,
            styles,
            noise=noise,
            up=self.up,
            padding=self.padding,
            resample_filter=self.resample_filter,
            flip_weight=self.up == 1,
            fused_modconv=fused_modconv,
            weight_sq=self.weight_sq,
        )
        clamp = None if self.conv_clamp is None else self.conv_clamp * gain
        return bias_act(
            x,
            self.bias.to(x.dtype),
            activation=self.activation,
            gain=self.act_gain * gain,
            clamp=clamp,
            overwrite=True,
        )

    def extra_repr(self) -> str:
        return f"{self.in_channels}, {self.out_channels}, resolution={self.resolution}, up={self.up}"


class ToRGBLayer(nn.Module):
    """A modulated 1x1 convolution to RGB, without demodulation (colour is absolute, not normalised)."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        w_dim: int,
        kernel_size: int = 1,
        conv_clamp: float | None = None,
    ) -> None:
        super().__init__()
        self.in_channels, self.out_channels, self.w_dim, self.conv_clamp = (
            in_channels,
            out_channels,
            w_dim,
            conv_clamp,
        )
        self.affine = EqualizedLinear(w_dim, in_channels, bias_init=1.0)
        self.weight = nn.Parameter(torch.randn(out_channels, in_channels, kernel_size, kernel_size))
        self.bias = nn.Parameter(torch.zeros(out_channels))
        self.weight_gain = 1 / math.sqrt(in_channels * kernel_size**2)

    def forward(self, x: Tensor, w: Tensor, fused_modconv: bool = True) -> Tensor:
        styles = self.affine(w) * self.weight_gain
        x = modulated_conv2d(x, self.weight, styles, demodulate=False, fused_modconv=fused_modconv)
        return bias_act(x, self.bias.to(x.dtype), clamp=self.conv_clamp, overwrite=True)


class SynthesisBlock(nn.Module):
    """One resolution of the generator: (learned constant or 2x upsampling conv), conv, and in the skip
    architecture a ToRGB whose output is added to the upsampled image of the block below."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        w_dim: int,
        resolution: int,
        img_channels: int,
        is_last: bool,
        *,
        architecture: str = "skip",
        resample_filter: Sequence[float] = (1, 3, 3, 1),
        conv_clamp: float | None = 256,
        use_noise: bool = True,
        fused_modconv_default: bool | str = True,
        **layer_kwargs: object,
    ) -> None:
        if architecture not in ("orig", "skip", "resnet"):
            raise ValueError(f"architecture must be 'orig', 'skip' or 'resnet', got {architecture!r}")
        super().__init__()
        self.in_channels, self.w_dim, self.resolution = in_channels, w_dim, resolution
        self.img_channels, self.is_last, self.architecture = img_channels, is_last, architecture
        self.fused_modconv_default = fused_modconv_default
        self.register_buffer("resample_filter", setup_filter(list(resample_filter)))
        self.num_conv = self.num_torgb = 0
        layer = {"w_dim": w_dim, "resolution": resolution, "conv_clamp": conv_clamp, "use_noise": use_noise}
        layer.update(layer_kwargs)  # kernel_size, activation
        if in_channels == 0:
            self.const = nn.Parameter(torch.randn(out_channels, resolution, resolution))
        else:
            self.conv0 = SynthesisLayer(
                in_channels, out_channels, up=2, resample_filter=resample_filter, **layer
            )
            self.num_conv += 1
        self.conv1 = SynthesisLayer(out_channels, out_channels, **layer)
        self.num_conv += 1
        if is_last or architecture == "skip":
            self.torgb = ToRGBLayer(out_channels, img_channels, w_dim=w_dim, conv_clamp=conv_clamp)
            self.num_torgb += 1
        if in_channels != 0 and architecture == "resnet":
            self.skip = Conv2dLayer(
                in_channels, out_channels, kernel_size=1, bias=False, up=2, resample_filter=resample_filter
            )

    def forward(
        self,
        x: Tensor | None,
        img: Tensor | None,
        ws: Tensor,
        noise_mode: NoiseMode = "random",
        fused_modconv: bool | str | None = None,
    ) -> tuple[Tensor, Tensor | None]:
        fused = self.fused_modconv_default if fused_modconv is None else fused_modconv
        if fused == "inference_only":
            fused = not self.training
        w_iter = iter(ws.unbind(dim=1))
        if self.in_channels == 0:
            x = self.const.to(ws.dtype).unsqueeze(0).repeat(ws.shape[0], 1, 1, 1)
            x = self.conv1(x, next(w_iter), noise_mode, fused)
        elif self.architecture == "resnet":
            y = self.skip(x, gain=math.sqrt(0.5))
            x = self.conv0(x, next(w_iter), noise_mode, fused)
            x = y + self.conv1(x, next(w_iter), noise_mode, fused, gain=math.sqrt(0.5))
        else:
            x = self.conv0(x, next(w_iter), noise_mode, fused)
            x = self.conv1(x, next(w_iter), noise_mode, fused)
        if img is not None:
            img = upsample2d(img, self.resample_filter)
        if self.is_last or self.architecture == "skip":
            y = self.torgb(x, next(w_iter), fused)
            img = y if img is None else img + y
        return x, img

    def extra_repr(self) -> str:
        return f"resolution={self.resolution}, architecture={self.architecture}"


def block_resolutions(img_resolution: int) -> list[int]:
    """4, 8, ..., ``img_resolution``: one synthesis block each; refuses a size that is not a power of two."""
    if img_resolution < 4 or img_resolution & (img_resolution - 1):
        raise ValueError(f"img_resolution must be a power of two >= 4, got {img_resolution}")
    return [2**i for i in range(2, int(math.log2(img_resolution)) + 1)]


def channels_at(resolution: int, channel_base: int, channel_max: int) -> int:
    """Feature maps at a resolution: ``min(channel_base / res, channel_max)`` (32768 and 512 in config F)."""
    return min(channel_base // resolution, channel_max)


class SynthesisNetwork(nn.Module):
    """ws [N, num_ws, w_dim] -> image, one ``SynthesisBlock`` ``b{res}`` per resolution from 4 upwards.

    Consecutive blocks share a w at their boundary: each block reads ``num_conv + num_torgb`` ws starting
    ``num_conv`` after the previous block's first, as NVIDIA's code slices them.
    """

    def __init__(
        self,
        w_dim: int,
        img_resolution: int,
        img_channels: int,
        *,
        channel_base: int = 32768,
        channel_max: int = 512,
        **block_kwargs: object,
    ) -> None:
        resolutions = block_resolutions(img_resolution)
        super().__init__()
        self.w_dim, self.img_resolution, self.img_channels = w_dim, img_resolution, img_channels
        self.block_resolutions = resolutions
        self.num_ws = 0
        for res in self.block_resolutions:
            in_channels = channels_at(res // 2, channel_base, channel_max) if res > 4 else 0
            out_channels = channels_at(res, channel_base, channel_max)
            is_last = res == img_resolution
            block = SynthesisBlock(
                in_channels, out_channels, w_dim, res, img_channels, is_last, **block_kwargs
            )
            self.num_ws += block.num_conv + (block.num_torgb if is_last else 0)
            setattr(self, f"b{res}", block)

    def forward(
        self,
        ws: Tensor,
        noise_mode: NoiseMode = "random",
        fused_modconv: bool | None = None,
        update_emas: bool = False,
    ) -> Tensor:
        """``update_emas`` is accepted for the family's interface; this network tracks no statistics."""
        if ws.dim() != 3 or ws.shape[1:] != (self.num_ws, self.w_dim):
            raise ValueError(f"ws must have shape [N, {self.num_ws}, {self.w_dim}], got {list(ws.shape)}")
        x = img = None
        w_idx = 0
        for res in self.block_resolutions:
            block = getattr(self, f"b{res}")
            x, img = block(
                x, img, ws.narrow(1, w_idx, block.num_conv + block.num_torgb), noise_mode, fused_modconv
            )
            w_idx += block.num_conv
        return img


class StyleGAN2Generator(StyleGenerator):
    """NVIDIA's StyleGAN2 ``Generator``: the mapping network (8 layers by default) then ``SynthesisNetwork``,
    whose arguments (``channel_base``, ``channel_max``, ``architecture``, ``conv_clamp``, ``use_noise``,
    ``fused_modconv_default`` ...) are the ``**synthesis_kwargs``."""

    synthesis_class = SynthesisNetwork


class DiscriminatorBlock(nn.Module):
    """One resolution of D: (fromRGB on the first block), two 3x3 convs the second of which halves the
    resolution, and in the residual architecture a 1x1 downsampling skip; both paths scaled by sqrt(1/2)."""

    def __init__(
        self,
        in_channels: int,
        tmp_channels: int,
        out_channels: int,
        resolution: int,
        img_channels: int,
        *,
        architecture: str = "resnet",
        activation: str = "lrelu",
        resample_filter: Sequence[float] = (1, 3, 3, 1),
        conv_clamp: float | None = None,
    ) -> None:
        if architecture not in ("orig", "skip", "resnet"):
            raise ValueError(f"architecture must be 'orig', 'skip' or 'resnet', got {architecture!r}")
        super().__init__()
        self.in_channels, self.resolution, self.img_channels = in_channels, resolution, img_channels
        self.architecture = architecture
        self.register_buffer("resample_filter", setup_filter(list(resample_filter)))
        conv = {"activation": activation, "conv_clamp": conv_clamp}
        if in_channels == 0 or architecture == "skip":
            self.fromrgb = Conv2dLayer(img_channels, tmp_channels, kernel_size=1, **conv)
        self.conv0 = Conv2dLayer(tmp_channels, tmp_channels, kernel_size=3, **conv)
        self.conv1 = Conv2dLayer(
            tmp_channels, out_channels, kernel_size=3, down=2, resample_filter=resample_filter, **conv
        )
        if architecture == "resnet":
            self.skip = Conv2dLayer(
                tmp_channels, out_channels, kernel_size=1, bias=False, down=2, resample_filter=resample_filter
            )

    def forward(self, x: Tensor | None, img: Tensor | None) -> tuple[Tensor, Tensor | None]:
        if self.in_channels == 0 or self.architecture == "skip":
            y = self.fromrgb(img)
            x = y if x is None else x + y
            img = downsample2d(img, self.resample_filter) if self.architecture == "skip" else None
        if self.architecture == "resnet":
            y = self.skip(x, gain=math.sqrt(0.5))
            x = y + self.conv1(self.conv0(x), gain=math.sqrt(0.5))
        else:
            x = self.conv1(self.conv0(x))
        return x, img


class DiscriminatorEpilogue(nn.Module):
    """D at 4x4: minibatch standard deviation, a 3x3 conv, two dense layers; with classes, the output is
    projected onto the mapped class embedding ``cmap`` (scaled by 1/sqrt(cmap_dim))."""

    def __init__(
        self,
        in_channels: int,
        cmap_dim: int,
        resolution: int,
        img_channels: int,
        *,
        architecture: str = "resnet",
        mbstd_group_size: int | None = 4,
        mbstd_num_channels: int = 1,
        activation: str = "lrelu",
        conv_clamp: float | None = None,
    ) -> None:
        super().__init__()
        self.in_channels, self.cmap_dim, self.resolution = in_channels, cmap_dim, resolution
        self.img_channels, self.architecture = img_channels, architecture
        if architecture == "skip":
            self.fromrgb = Conv2dLayer(img_channels, in_channels, kernel_size=1, activation=activation)
        self.mbstd = (
            MinibatchStdLayer(mbstd_group_size, mbstd_num_channels) if mbstd_num_channels > 0 else None
        )
        self.conv = Conv2dLayer(
            in_channels + mbstd_num_channels,
            in_channels,
            kernel_size=3,
            activation=activation,
            conv_clamp=conv_clamp,
        )
        self.fc = EqualizedLinear(in_channels * resolution**2, in_channels, activation=activation)
        self.out = EqualizedLinear(in_channels, 1 if cmap_dim == 0 else cmap_dim)

    def forward(self, x: Tensor, img: Tensor | None, cmap: Tensor | None) -> Tensor:
        if self.architecture == "skip":
            x = x + self.fromrgb(img)
        if self.mbstd is not None:
            x = self.mbstd(x)
        x = self.out(self.fc(self.conv(x).flatten(1)))
        if self.cmap_dim > 0:
            x = (x * cmap).sum(dim=1, keepdim=True) * (1 / math.sqrt(self.cmap_dim))
        return x


class StyleGAN2Discriminator(nn.Module):
    """NVIDIA's residual ``Discriminator``: blocks ``b{res}`` from the image resolution down to 8, the
    epilogue ``b4``, and for class-conditional models a ``mapping`` of the one-hot class to ``cmap``.

    Args:
        c_dim, img_resolution, img_channels: the inputs.
        architecture, channel_base, channel_max, conv_clamp: as in the generator.
        cmap_dim: size of the class projection (``None``: the channels at 4x4).
        block_kwargs, mapping_kwargs, epilogue_kwargs: per-part arguments (``mbstd_group_size`` ...).
    """

    def __init__(
        self,
        c_dim: int,
        img_resolution: int,
        img_channels: int,
        *,
        architecture: str = "resnet",
        channel_base: int = 32768,
        channel_max: int = 512,
        conv_clamp: float | None = 256,
        cmap_dim: int | None = None,
        block_kwargs: dict | None = None,
        mapping_kwargs: dict | None = None,
        epilogue_kwargs: dict | None = None,
    ) -> None:
        super().__init__()
        if img_resolution < 8:
            # The epilogue reads the features of block b8; NVIDIA's discriminator has no 4x4-only form.
            raise ValueError(f"the discriminator needs img_resolution >= 8, got {img_resolution}")
        self.c_dim, self.img_resolution, self.img_channels = c_dim, img_resolution, img_channels
        self.block_resolutions = block_resolutions(img_resolution)[:0:-1]
        cmap_dim = channels_at(4, channel_base, channel_max) if cmap_dim is None else cmap_dim
        cmap_dim = 0 if c_dim == 0 else cmap_dim
        common = {"img_channels": img_channels, "architecture": architecture, "conv_clamp": conv_clamp}
        for res in self.block_resolutions:
            in_channels = channels_at(res, channel_base, channel_max) if res < img_resolution else 0
            tmp_channels = channels_at(res, channel_base, channel_max)
            out_channels = channels_at(res // 2, channel_base, channel_max)
            block = DiscriminatorBlock(
                in_channels, tmp_channels, out_channels, resolution=res, **(block_kwargs or {}), **common
            )
            setattr(self, f"b{res}", block)
        if c_dim > 0:
            self.mapping = MappingNetwork(
                0, c_dim, cmap_dim, num_ws=None, w_avg_beta=None, **(mapping_kwargs or {})
            )
        self.b4 = DiscriminatorEpilogue(
            channels_at(4, channel_base, channel_max), cmap_dim, 4, **(epilogue_kwargs or {}), **common
        )

    def forward(self, img: Tensor, c: Tensor | None = None) -> Tensor:
        x = None
        for res in self.block_resolutions:
            x, img = getattr(self, f"b{res}")(x, img)
        cmap = self.mapping(None, c) if self.c_dim > 0 else None
        return self.b4(x, img, cmap)
