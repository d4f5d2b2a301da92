"""SPADE (Park et al. 2019): spatially-adaptive normalisation, and the generator and encoder built on it.

Batch norm without affine parameters normalises the activations; the scale and shift then come from the
label map, resized to the layer and passed through a small conv net, so every pixel is modulated by the
classes around it. Unlike feeding labels to the first layer, no normalisation can wash the layout out.
Layouts (``head_0``, ``G_middle_0``, ``up_0``, ``conv_img``; ``norm_0.mlp_shared.0``; ``layer1``, ``fc_mu``)
are those of NVlabs/SPADE's ``SPADEGenerator`` / ``ConvEncoder`` (spectral norm on G's convolutions, the
``spectralspadesyncbatch3x3`` default, with plain batch norm for the synchronised one).
"""

from __future__ import annotations

from typing import Literal

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.nn.utils import spectral_norm


class SPADE(nn.Module):
    """``BN(x) * (1 + gamma(seg)) + beta(seg)``; gamma and beta are 3x3 convs over a shared 3x3 conv + ReLU
    of the label map resized (nearest) to x."""

    def __init__(self, channels: int, label_channels: int, hidden: int = 128) -> None:
        super().__init__()
        self.param_free_norm = nn.BatchNorm2d(channels, affine=False)
        self.mlp_shared = nn.Sequential(nn.Conv2d(label_channels, hidden, 3, padding=1), nn.ReLU())
        self.mlp_gamma = nn.Conv2d(hidden, channels, 3, padding=1)
        self.mlp_beta = nn.Conv2d(hidden, channels, 3, padding=1)

    def forward(self, x: Tensor, segmap: Tensor) -> Tensor:
        actv = self.mlp_shared(F.interpolate(segmap, size=x.shape[-2:], mode="nearest"))
        return self.param_free_norm(x) * (1 + self.mlp_gamma(actv)) + self.mlp_beta(actv)


class SPADEResnetBlock(nn.Module):
    """``shortcut(x) + conv_1(act(SPADE(conv_0(act(SPADE(x))))))``; a 1x1 learned shortcut across widths."""

    def __init__(self, fin: int, fout: int, label_channels: int) -> None:
        super().__init__()
        self.learned_shortcut = fin != fout
        middle = min(fin, fout)
        self.conv_0 = spectral_norm(nn.Conv2d(fin, middle, 3, padding=1))
        self.conv_1 = spectral_norm(nn.Conv2d(middle, fout, 3, padding=1))
        if self.learned_shortcut:
            self.conv_s = spectral_norm(nn.Conv2d(fin, fout, 1, bias=False))
            self.norm_s = SPADE(fin, label_channels)
        self.norm_0 = SPADE(fin, label_channels)
        self.norm_1 = SPADE(middle, label_channels)

    def forward(self, x: Tensor, seg: Tensor) -> Tensor:
        shortcut = self.conv_s(self.norm_s(x, seg)) if self.learned_shortcut else x
        dx = self.conv_0(F.leaky_relu(self.norm_0(x, seg), 0.2))
        dx = self.conv_1(F.leaky_relu(self.norm_1(dx, seg), 0.2))
        return shortcut + dx


class SPADEGenerator(nn.Module):
    """From the label map downsampled to (H/32, W/32) (or from a style code z, ``z_dim`` > 0) through seven
    SPADE residual blocks, doubling the resolution five times (``--num_upsampling_layers normal``; six and
    H/64 with ``more``, the authors' setting for Cityscapes)."""

    def __init__(
        self,
        label_channels: int,
        image_size: int = 256,
        aspect_ratio: float = 1.0,
        ngf: int = 64,
        z_dim: int = 0,
        out_channels: int = 3,
        num_upsampling_layers: Literal["normal", "more"] = "normal",
    ) -> None:
        super().__init__()
        if num_upsampling_layers not in ("normal", "more"):
            raise ValueError(
                f"num_upsampling_layers must be 'normal' or 'more', got {num_upsampling_layers!r}"
            )
        nf = ngf
        self.more = num_upsampling_layers == "more"  # one more doubling, between the middle blocks
        self.sw = image_size // 2 ** (6 if self.more else 5)
        self.sh = round(self.sw / aspect_ratio)
        self.z_dim = z_dim
        if z_dim:
            self.fc = nn.Linear(z_dim, 16 * nf * self.sw * self.sh)
        else:
            self.fc = nn.Conv2d(label_channels, 16 * nf, 3, padding=1)
        self.head_0 = SPADEResnetBlock(16 * nf, 16 * nf, label_channels)
        self.G_middle_0 = SPADEResnetBlock(16 * nf, 16 * nf, label_channels)
        self.G_middle_1 = SPADEResnetBlock(16 * nf, 16 * nf, label_channels)
        self.up_0 = SPADEResnetBlock(16 * nf, 8 * nf, label_channels)
        self.up_1 = SPADEResnetBlock(8 * nf, 4 * nf, label_channels)
        self.up_2 = SPADEResnetBlock(4 * nf, 2 * nf, label_channels)
        self.up_3 = SPADEResnetBlock(2 * nf, nf, label_channels)
        self.conv_img = nn.Conv2d(nf, out_channels, 3, padding=1)

    def forward(self, seg: Tensor, z: Tensor | None = None) -> Tensor:
        if self.z_dim:
            if z is None:
                z = torch.randn(seg.shape[0], self.z_dim, device=seg.device, dtype=seg.dtype)
            x = self.fc(z).view(seg.shape[0], -1, self.sh, self.sw)
        else:
            x = self.fc(F.interpolate(seg, size=(self.sh, self.sw)))
        x = F.interpolate(self.head_0(x, seg), scale_factor=2)
        x = self.G_middle_0(x, seg)
        x = self.G_middle_1(F.interpolate(x, scale_factor=2) if self.more else x, seg)
        for block in (self.up_0, self.up_1, self.up_2, self.up_3):
            x = block(F.interpolate(x, scale_factor=2), seg)
        return torch.tanh(self.conv_img(F.leaky_relu(x, 0.2)))


class ConvEncoder(nn.Module):
    """SPADE's image encoder for style: six stride-2 3x3 convs (spectral norm + instance norm) on the image
    resized to 256x256, then ``(mu, logvar)`` of a ``z_dim`` code."""

    def __init__(self, ndf: int = 64, z_dim: int = 256) -> None:
        super().__init__()
        widths = [3, ndf, 2 * ndf, 4 * ndf, 8 * ndf, 8 * ndf, 8 * ndf]
        for i in range(6):
            conv = spectral_norm(nn.Conv2d(widths[i], widths[i + 1], 3, stride=2, padding=1, bias=False))
            self.add_module(
                f"layer{i + 1}", nn.Sequential(conv, nn.InstanceNorm2d(widths[i + 1], affine=False))
            )
        self.fc_mu = nn.Linear(8 * ndf * 4 * 4, z_dim)
        self.fc_var = nn.Linear(8 * ndf * 4 * 4, z_dim)

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        if x.shape[-2:] != (256, 256):
            x = F.interpolate(x, size=(256, 256), mode="bilinear")
        x = self.layer1(x)
        for i in range(2, 7):
            x = getattr(self, f"layer{i}")(F.leaky_relu(x, 0.2))
        x = F.leaky_relu(x, 0.2).flatten(1)
        return self.fc_mu(x), self.fc_var(x)
