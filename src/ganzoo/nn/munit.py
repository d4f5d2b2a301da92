"""The networks of UNIT (Liu et al. 2017) and MUNIT (Huang et al. 2018), in the module layout of NVlabs'
``networks.py``: convolution blocks with their own padding and norm, residual blocks, a content encoder, a
style encoder and a decoder whose residual blocks are normalised by AdaIN parameters an MLP makes from the
style code, and the multi-scale discriminator (the same PatchGAN on the image at 1, 1/2, 1/4 ... scale).
"""

from __future__ import annotations

from typing import Literal

import torch
from torch import Tensor, nn

Norm = Literal["none", "in", "ln", "adain"]
Activation = Literal["relu", "lrelu", "tanh", "none"]
Padding = Literal["reflect", "zero"]


class LayerNorm(nn.Module):
    """Normalises each sample over all of (C, H, W) with an unbiased std, then a per-channel affine map
    (``gamma`` drawn from U[0, 1), as the authors initialise it): the decoder's upsampling norm. The std is
    taken of the variance clamped to float's smallest normal number, which changes no output (a constant
    sample normalises to 0 either way) but keeps the gradient finite where the plain std's is NaN."""

    def __init__(self, num_features: int, eps: float = 1e-5) -> None:
        super().__init__()
        self.eps = eps
        self.gamma = nn.Parameter(torch.rand(num_features))
        self.beta = nn.Parameter(torch.zeros(num_features))

    def forward(self, x: Tensor) -> Tensor:
        flat = x.flatten(1)
        shape = (-1,) + (1,) * (x.dim() - 1)
        std = flat.var(1).clamp_min(torch.finfo(x.dtype).tiny).sqrt()
        x = (x - flat.mean(1).view(shape)) / (std.view(shape) + self.eps)
        return x * self.gamma.view(1, -1, 1, 1) + self.beta.view(1, -1, 1, 1)


class AdaptiveInstanceNorm2d(nn.Module):
    """Instance norm whose per-sample scale and shift (``weight``, ``bias``, each (N, C)) are set before each
    forward pass from a style code (``AdaINGenerator.decode``), AdaIN (Huang & Belongie 2017)."""

    def __init__(self, num_features: int, eps: float = 1e-5) -> None:
        super().__init__()
        self.num_features, self.eps = num_features, eps
        self.weight: Tensor | None = None
        self.bias: Tensor | None = None

    def forward(self, x: Tensor) -> Tensor:
        if self.weight is None or self.bias is None:
            raise RuntimeError("AdaIN parameters are not set: decode through the generator with a style code")
        x = nn.functional.instance_norm(x, eps=self.eps)
        return x * self.weight[:, :, None, None] + self.bias[:, :, None, None]


def _norm(kind: Norm, channels: int) -> nn.Module | None:
    if kind == "in":
        return nn.InstanceNorm2d(channels, track_running_stats=True)
    if kind == "ln":
        return LayerNorm(channels)
    if kind == "adain":
        return AdaptiveInstanceNorm2d(channels)
    return None


def _activation(kind: Activation) -> nn.Module | None:
    return {"relu": nn.ReLU(inplace=True), "lrelu": nn.LeakyReLU(0.2, inplace=True), "tanh": nn.Tanh()}.get(
        kind
    )


class Conv2dBlock(nn.Module):
    """pad -> conv -> norm -> activation (``pad``, ``conv``, ``norm``, ``activation``)."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int,
        stride: int,
        padding: int = 0,
        norm: Norm = "none",
        activation: Activation = "relu",
        pad_type: Padding = "reflect",
    ) -> None:
        super().__init__()
        self.pad = nn.ReflectionPad2d(padding) if pad_type == "reflect" else nn.ZeroPad2d(padding)
        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size, stride)
        self.norm = _norm(norm, out_channels)
        self.activation = _activation(activation)

    def forward(self, x: Tensor) -> Tensor:
        x = self.conv(self.pad(x))
        if self.norm is not None:
            x = self.norm(x)
        return x if self.activation is None else self.activation(x)


class LinearBlock(nn.Module):
    def __init__(self, in_features: int, out_features: int, activation: Activation = "relu") -> None:
        super().__init__()
        self.fc = nn.Linear(in_features, out_features)
        self.activation = _activation(activation)

    def forward(self, x: Tensor) -> Tensor:
        x = self.fc(x)
        return x if self.activation is None else self.activation(x)


class ResBlock(nn.Module):
    def __init__(self, dim: int, norm: Norm, activation: Activation, pad_type: Padding) -> None:
        super().__init__()
        self.model = nn.Sequential(
            Conv2dBlock(dim, dim, 3, 1, 1, norm, activation, pad_type),
            Conv2dBlock(dim, dim, 3, 1, 1, norm, "none", pad_type),
        )

    def forward(self, x: Tensor) -> Tensor:
        return x + self.model(x)


class ResBlocks(nn.Module):
    def __init__(self, n: int, dim: int, norm: Norm, activation: Activation, pad_type: Padding) -> None:
        super().__init__()
        self.model = nn.Sequential(*(ResBlock(dim, norm, activation, pad_type) for _ in range(n)))

    def forward(self, x: Tensor) -> Tensor:
        return self.model(x)


class ContentEncoder(nn.Module):
    """conv7 -> ``n_downsample`` stride-2 conv4 -> ``n_res`` residual blocks, instance norm throughout: the
    spatial code, stripped of each channel's global statistics (which carry style)."""

    def __init__(
        self,
        n_downsample: int,
        n_res: int,
        in_channels: int,
        dim: int,
        activation: Activation,
        pad_type: Padding,
    ) -> None:
        super().__init__()
        layers: list[nn.Module] = [Conv2dBlock(in_channels, dim, 7, 1, 3, "in", activation, pad_type)]
        for _ in range(n_downsample):
            layers.append(Conv2dBlock(dim, 2 * dim, 4, 2, 1, "in", activation, pad_type))
            dim *= 2
        layers.append(ResBlocks(n_res, dim, "in", activation, pad_type))
        self.model = nn.Sequential(*layers)
        self.output_dim = dim

    def forward(self, x: Tensor) -> Tensor:
        return self.model(x)


class StyleEncoder(nn.Module):
    """conv7 -> 4 stride-2 conv4 (widths doubling twice) -> global average pool -> 1x1 conv to the style code;
    no normalisation, so the code keeps the global statistics the content encoder removes."""

    def __init__(
        self,
        n_downsample: int,
        in_channels: int,
        dim: int,
        style_dim: int,
        activation: Activation,
        pad_type: Padding,
    ) -> None:
        super().__init__()
        layers: list[nn.Module] = [Conv2dBlock(in_channels, dim, 7, 1, 3, "none", activation, pad_type)]
        for i in range(n_downsample):
            out = dim * 2 if i < 2 else dim
            layers.append(Conv2dBlock(dim, out, 4, 2, 1, "none", activation, pad_type))
            dim = out
        layers += [nn.AdaptiveAvgPool2d(1), nn.Conv2d(dim, style_dim, 1, 1, 0)]
        self.model = nn.Sequential(*layers)

    def forward(self, x: Tensor) -> Tensor:
        return self.model(x)


class Decoder(nn.Module):
    """``n_res`` residual blocks (AdaIN for MUNIT, instance norm for UNIT) -> ``n_upsample`` x (nearest
    upsampling, conv5, layer norm) -> conv7 -> tanh."""

    def __init__(
        self,
        n_upsample: int,
        n_res: int,
        dim: int,
        out_channels: int,
        res_norm: Norm,
        activation: Activation,
        pad_type: Padding,
    ) -> None:
        super().__init__()
        layers: list[nn.Module] = [ResBlocks(n_res, dim, res_norm, activation, pad_type)]
        for _ in range(n_upsample):
            layers += [
                nn.Upsample(scale_factor=2),
                Conv2dBlock(dim, dim // 2, 5, 1, 2, "ln", activation, pad_type),
            ]
            dim //= 2
        layers.append(Conv2dBlock(dim, out_channels, 7, 1, 3, "none", "tanh", pad_type))
        self.model = nn.Sequential(*layers)

    def forward(self, x: Tensor) -> Tensor:
        return self.model(x)


class MLP(nn.Module):
    """``n_blocks`` linear layers, ReLU between them: style code -> every AdaIN layer's (shift, scale)."""

    def __init__(
        self, in_features: int, out_features: int, dim: int, n_blocks: int, activation: Activation
    ) -> None:
        super().__init__()
        layers = [LinearBlock(in_features, dim, activation)]
        layers += [LinearBlock(dim, dim, activation) for _ in range(n_blocks - 2)]
        layers.append(LinearBlock(dim, out_features, "none"))
        self.model = nn.Sequential(*layers)

    def forward(self, x: Tensor) -> Tensor:
        return self.model(x.flatten(1))


class AdaINGenerator(nn.Module):
    """MUNIT's auto-encoder of one domain (the authors' ``AdaINGen``): ``encode`` an image into a content
    code and a style code, ``decode`` any content with any style."""

    def __init__(
        self,
        channels: int = 3,
        dim: int = 64,
        style_dim: int = 8,
        n_downsample: int = 2,
        n_res: int = 4,
        mlp_dim: int = 256,
        activation: Activation = "relu",
        pad_type: Padding = "reflect",
    ) -> None:
        super().__init__()
        self.style_dim = style_dim
        self.enc_style = StyleEncoder(4, channels, dim, style_dim, activation, pad_type)
        self.enc_content = ContentEncoder(n_downsample, n_res, channels, dim, activation, pad_type)
        self.dec = Decoder(
            n_downsample, n_res, self.enc_content.output_dim, channels, "adain", activation, pad_type
        )
        self.adain_layers = [m for m in self.dec.modules() if isinstance(m, AdaptiveInstanceNorm2d)]
        n_params = sum(2 * m.num_features for m in self.adain_layers)
        self.mlp = MLP(style_dim, n_params, mlp_dim, 3, activation)

    def encode(self, x: Tensor) -> tuple[Tensor, Tensor]:
        """(content, style): a (N, C, H/4, W/4) map and a (N, style_dim, 1, 1) code."""
        return self.enc_content(x), self.enc_style(x)

    def decode(self, content: Tensor, style: Tensor) -> Tensor:
        params = self.mlp(style)
        for layer in self.adain_layers:  # per layer: the shift (mean) first, then the scale (std)
            n = layer.num_features
            layer.bias, layer.weight, params = params[:, :n], params[:, n : 2 * n], params[:, 2 * n :]
        return self.dec(content)

    def forward(self, x: Tensor) -> Tensor:
        return self.decode(*self.encode(x))


class VAEGenerator(nn.Module):
    """UNIT's auto-encoder of one domain (the authors' ``VAEGen``): the code is the mean of a Gaussian with
    unit variance, so sampling it is adding N(0, I) noise; instance norm in the decoder too."""

    def __init__(
        self,
        channels: int = 3,
        dim: int = 64,
        n_downsample: int = 2,
        n_res: int = 4,
        activation: Activation = "relu",
        pad_type: Padding = "reflect",
    ) -> None:
        super().__init__()
        self.enc = ContentEncoder(n_downsample, n_res, channels, dim, activation, pad_type)
        self.dec = Decoder(n_downsample, n_res, self.enc.output_dim, channels, "in", activation, pad_type)

    def encode(self, x: Tensor) -> Tensor:
        return self.enc(x)

    def decode(self, hidden: Tensor) -> Tensor:
        return self.dec(hidden)

    def forward(self, x: Tensor) -> Tensor:
        return self.decode(self.encode(x))


class MultiScaleDiscriminator(nn.Module):
    """``num_scales`` PatchGANs of ``n_layer`` stride-2 conv4 + LeakyReLU(0.2) layers and a 1x1 conv, the
    k-th judging the image average-pooled k times (the authors' ``MsImageDis``); returns every scale's map."""

    def __init__(
        self,
        channels: int = 3,
        dim: int = 64,
        n_layer: int = 4,
        num_scales: int = 3,
        pad_type: Padding = "reflect",
    ) -> None:
        super().__init__()
        self.downsample = nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False)
        self.cnns = nn.ModuleList()
        for _ in range(num_scales):
            width = dim
            layers: list[nn.Module] = [Conv2dBlock(channels, width, 4, 2, 1, "none", "lrelu", pad_type)]
            for _ in range(n_layer - 1):
                layers.append(Conv2dBlock(width, width * 2, 4, 2, 1, "none", "lrelu", pad_type))
                width *= 2
            layers.append(nn.Conv2d(width, 1, 1, 1, 0))
            self.cnns.append(nn.Sequential(*layers))

    def forward(self, x: Tensor) -> list[Tensor]:
        outputs = []
        for cnn in self.cnns:
            outputs.append(cnn(x))
            x = self.downsample(x)
        return outputs


def init_munit_weights_(module: nn.Module, kind: Literal["kaiming", "gaussian"]) -> nn.Module:
    """The authors' ``weights_init``: conv and linear weights Kaiming-normal (fan in) for the generators or
    N(0, 0.02) for the discriminators, biases 0."""
    for m in module.modules():
        if isinstance(m, nn.Conv2d | nn.Linear):
            if kind == "kaiming":
                nn.init.kaiming_normal_(m.weight, a=0, mode="fan_in")
            else:
                nn.init.normal_(m.weight, 0.0, 0.02)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
    return module
