"""The ResNet generator of CycleGAN (Zhu et al. 2017, appendix 7.2), after Johnson et al.'s style-transfer
network: a 7x7 stem, two stride-2 downsamplings, residual blocks, two transposed-conv upsamplings, 7x7 out.

Reflection padding avoids border artifacts. The module layout (``model.<i>``, ``conv_block.<j>``) is that of
the authors' ``ResnetGenerator``, so their published files load with no renaming.
"""

from __future__ import annotations

from torch import Tensor, nn

from ganzoo.nn.norm import NormName, conv_bias, norm_layer

_DOWNSAMPLINGS = 2


class ResnetBlock(nn.Module):
    """``x + F(x)`` with F = pad, conv3x3, norm, ReLU, [dropout], pad, conv3x3, norm."""

    def __init__(self, dim: int, norm: NormName = "instance", dropout: bool = False) -> None:
        super().__init__()
        bias = conv_bias(norm)
        layers: list[nn.Module] = [
            nn.ReflectionPad2d(1),
            nn.Conv2d(dim, dim, 3, bias=bias),
            norm_layer(norm, dim),
        ]
        layers.append(nn.ReLU(True))
        if dropout:
            layers.append(nn.Dropout(0.5))
        layers += [nn.ReflectionPad2d(1), nn.Conv2d(dim, dim, 3, bias=bias), norm_layer(norm, dim)]
        self.conv_block = nn.Sequential(*layers)

    def forward(self, x: Tensor) -> Tensor:
        return x + self.conv_block(x)


class ResnetGenerator(nn.Module):
    """``n_blocks`` residual blocks at 4ngf channels and 1/4 resolution (6 for 128x128 images, 9 for 256)."""

    def __init__(
        self,
        in_channels: int = 3,
        out_channels: int = 3,
        ngf: int = 64,
        n_blocks: int = 9,
        norm: NormName = "instance",
        dropout: bool = False,
    ) -> None:
        super().__init__()
        if n_blocks < 0:
            raise ValueError(f"n_blocks must be >= 0, got {n_blocks}")
        bias = conv_bias(norm)
        layers: list[nn.Module] = [nn.ReflectionPad2d(3), nn.Conv2d(in_channels, ngf, 7, bias=bias)]
        layers += [norm_layer(norm, ngf), nn.ReLU(True)]
        for i in range(_DOWNSAMPLINGS):
            ch = ngf * 2**i
            layers += [
                nn.Conv2d(ch, 2 * ch, 3, stride=2, padding=1, bias=bias),
                norm_layer(norm, 2 * ch),
                nn.ReLU(True),
            ]
        width = ngf * 2**_DOWNSAMPLINGS
        layers += [ResnetBlock(width, norm, dropout) for _ in range(n_blocks)]
        for i in range(_DOWNSAMPLINGS):
            ch = width // 2**i
            up = nn.ConvTranspose2d(ch, ch // 2, 3, stride=2, padding=1, output_padding=1, bias=bias)
            layers += [up, norm_layer(norm, ch // 2), nn.ReLU(True)]
        layers += [nn.ReflectionPad2d(3), nn.Conv2d(ngf, out_channels, 7), nn.Tanh()]
        self.model = nn.Sequential(*layers)

    def forward(self, x: Tensor) -> Tensor:
        if x.shape[-1] % 4 or x.shape[-2] % 4:
            raise ValueError(
                f"the ResNet generator halves its input twice, so height and width must be multiples of 4; "
                f"got {tuple(x.shape[-2:])}"
            )
        return self.model(x)
