"""The U-Net generator of pix2pix (Isola et al. 2017, Sec. 3.2.1): an encoder-decoder whose mirrored layers
are joined by skip connections, so low-level structure shared by input and output bypasses the bottleneck.

Built recursively from the innermost level outwards, one ``UNetBlock`` per resolution, so the state-dict
keys are those of the authors' ``UnetSkipConnectionBlock`` (``model.model.1.model.3...``) and their
published files load with no renaming.
"""

from __future__ import annotations

from typing import Literal

import torch
from torch import Tensor, nn

from ganzoo.nn.norm import NormName, conv_bias, norm_layer

Position = Literal["outermost", "middle", "innermost"]


class UNetBlock(nn.Module):
    """One level: ``x -> [x, up(sub(down(x)))]``; the outermost level returns ``up(...)`` alone (tanh).

    ``outer`` / ``inner`` are the channel counts outside and inside this level; ``in_channels`` is the
    image's channel count at the outermost level (else ``outer``). The innermost level has no down-norm:
    its output is 1x1 for a ``2^num_downs`` input, where batch statistics of one pixel are meaningless.
    """

    def __init__(
        self,
        outer: int,
        inner: int,
        *,
        position: Position = "middle",
        submodule: nn.Module | None = None,
        in_channels: int | None = None,
        norm: NormName = "batch",
        dropout: bool = False,
    ) -> None:
        super().__init__()
        if (submodule is None) != (position == "innermost"):
            raise ValueError("only the innermost level has no submodule")
        self.outermost = position == "outermost"
        bias = conv_bias(norm)
        down_conv = nn.Conv2d(in_channels or outer, inner, 4, stride=2, padding=1, bias=bias)
        # Every level but the innermost receives [skip, submodule output]: twice ``inner`` channels.
        up_in = inner if position == "innermost" else 2 * inner
        if position == "outermost":
            layers = [
                down_conv,
                submodule,
                nn.ReLU(True),
                nn.ConvTranspose2d(up_in, outer, 4, 2, 1),
                nn.Tanh(),
            ]
        else:
            up_conv = nn.ConvTranspose2d(up_in, outer, 4, stride=2, padding=1, bias=bias)
            down = [nn.LeakyReLU(0.2, True), down_conv]
            if position == "middle":
                down.append(norm_layer(norm, inner))
            layers = [
                *down,
                *([submodule] if submodule else []),
                nn.ReLU(True),
                up_conv,
                norm_layer(norm, outer),
            ]
            if dropout:
                layers.append(nn.Dropout(0.5))
        self.model = nn.Sequential(*layers)

    def forward(self, x: Tensor) -> Tensor:
        if self.outermost:
            return self.model(x)
        return torch.cat([x, self.model(x)], 1)


class UNetGenerator(nn.Module):
    """U-Net with ``num_downs`` halvings (7: ``unet_128``, 8: ``unet_256``); widths ngf, 2, 4, then 8 ngf.

    Dropout (p = 0.5, pix2pix's only source of noise) sits in the ``num_downs - 5`` innermost 8ngf levels
    bar the very innermost, as in the authors' code. Inputs must be a multiple of ``2^num_downs`` pixels.
    """

    def __init__(
        self,
        in_channels: int = 3,
        out_channels: int = 3,
        num_downs: int = 8,
        ngf: int = 64,
        norm: NormName = "batch",
        dropout: bool = True,
    ) -> None:
        super().__init__()
        if num_downs < 5:
            raise ValueError(
                f"a U-Net needs num_downs >= 5 (ngf ... 8ngf plus the bottleneck), got {num_downs}"
            )
        self.num_downs = num_downs
        block = UNetBlock(ngf * 8, ngf * 8, position="innermost", norm=norm)
        for _ in range(num_downs - 5):
            block = UNetBlock(ngf * 8, ngf * 8, submodule=block, norm=norm, dropout=dropout)
        for mult in (4, 2, 1):
            block = UNetBlock(ngf * mult, ngf * mult * 2, submodule=block, norm=norm)
        self.model = UNetBlock(
            out_channels, ngf, position="outermost", submodule=block, in_channels=in_channels
        )

    def forward(self, x: Tensor) -> Tensor:
        size = 2**self.num_downs
        if x.shape[-1] % size or x.shape[-2] % size:
            raise ValueError(
                f"this U-Net halves its input {self.num_downs} times, so height and width must be multiples "
                f"of {size}; got {tuple(x.shape[-2:])}. Resize the input (translate() does this for images)."
            )
        return self.model(x)


def unet_128(in_channels: int = 3, out_channels: int = 3, **kwargs: object) -> UNetGenerator:
    return UNetGenerator(in_channels, out_channels, num_downs=7, **kwargs)


def unet_256(in_channels: int = 3, out_channels: int = 3, **kwargs: object) -> UNetGenerator:
    return UNetGenerator(in_channels, out_channels, num_downs=8, **kwargs)
