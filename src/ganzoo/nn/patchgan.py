"""PatchGAN discriminators of pix2pix (Isola et al. 2017, Sec. 3.2.2), also used by CycleGAN.

Rather than one score per image, D classifies every overlapping N x N patch as real or fake, which models
high frequencies while the L1 / cycle loss takes care of low ones. ``n_layers=3`` gives the paper's 70x70
patches (a 30x30 score map for a 256x256 input); the PixelGAN (1x1 patches) only judges colour.
Layouts (``model.<i>`` / ``net.<i>``) are those of the authors' ``NLayerDiscriminator`` /
``PixelDiscriminator``.
"""

from __future__ import annotations

from torch import Tensor, nn

from ganzoo.nn.norm import NormName, conv_bias, norm_layer


class PatchDiscriminator(nn.Module):
    """``n_layers`` stride-2 4x4 convs (widths ndf ... 8ndf), one stride-1 conv, and a 1-channel score map.

    Receptive field: 70 (n_layers 3), 34 (2), 16 (1), 142 (4). Scores are logits; the loss adds the sigmoid.
    """

    def __init__(self, in_channels: int, ndf: int = 64, n_layers: int = 3, norm: NormName = "batch") -> None:
        super().__init__()
        if n_layers < 1:
            raise ValueError(f"n_layers must be >= 1, got {n_layers}")
        bias = conv_bias(norm)
        layers: list[nn.Module] = [
            nn.Conv2d(in_channels, ndf, 4, stride=2, padding=1),
            nn.LeakyReLU(0.2, True),
        ]
        width = ndf
        for n in range(1, n_layers + 1):
            out = ndf * min(2**n, 8)
            stride = 2 if n < n_layers else 1
            layers += [
                nn.Conv2d(width, out, 4, stride=stride, padding=1, bias=bias),
                norm_layer(norm, out),
                nn.LeakyReLU(0.2, True),
            ]
            width = out
        layers.append(nn.Conv2d(width, 1, 4, stride=1, padding=1))
        self.model = nn.Sequential(*layers)

    def forward(self, x: Tensor) -> Tensor:
        return self.model(x)


class PixelDiscriminator(nn.Module):
    """1x1 convolutions only: a 1x1 PatchGAN that scores each pixel's colour, blind to spatial structure."""

    def __init__(self, in_channels: int, ndf: int = 64, norm: NormName = "batch") -> None:
        super().__init__()
        bias = conv_bias(norm)
        self.net = nn.Sequential(
            nn.Conv2d(in_channels, ndf, 1),
            nn.LeakyReLU(0.2, True),
            nn.Conv2d(ndf, 2 * ndf, 1, bias=bias),
            norm_layer(norm, 2 * ndf),
            nn.LeakyReLU(0.2, True),
            nn.Conv2d(2 * ndf, 1, 1, bias=bias),
        )

    def forward(self, x: Tensor) -> Tensor:
        return self.net(x)
