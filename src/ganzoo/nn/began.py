"""BEGAN's networks (Berthelot et al. 2017): the decoder that is G and D's decoder, and D's auto-encoder.

Decoder: h -> 8x8xn, then [conv-ELU, conv-ELU, nearest-neighbour up-sampling x2] until the image size, then a
conv to the image channels. Encoder: [conv-ELU, conv-ELU] with channels growing linearly (n, 2n, 3n, ...) at
each stride-2 sub-sampling, then a linear map to h.
"""

from __future__ import annotations

import math

from torch import Tensor, nn


def _conv(cin: int, cout: int, stride: int = 1) -> list[nn.Module]:
    return [nn.Conv2d(cin, cout, 3, stride, 1), nn.ELU(inplace=True)]


def _num_scales(image_size: int) -> int:
    n = math.log2(image_size / 8)
    if n < 0 or n != int(n):
        raise ValueError(f"BEGAN needs image_size = 8 * 2^k (8, 16, 32, 64, 128), got {image_size}")
    return int(n) + 1


class BEGANDecoder(nn.Module):
    """h -> 8x8xn, then [conv-ELU, conv-ELU, up-sample x2] until ``image_size``, then a conv to RGB."""

    def __init__(self, hidden: int, image_size: int, channels: int, width: int, tanh: bool = False) -> None:
        super().__init__()
        self.width = width
        self.fc = nn.Linear(hidden, width * 8 * 8)
        layers: list[nn.Module] = []
        scales = _num_scales(image_size)
        for i in range(scales):
            layers += _conv(width, width) + _conv(width, width)
            if i < scales - 1:
                layers.append(nn.Upsample(scale_factor=2, mode="nearest"))
        layers.append(nn.Conv2d(width, channels, 3, 1, 1))
        if tanh:
            layers.append(nn.Tanh())
        self.net = nn.Sequential(*layers)

    def forward(self, h: Tensor) -> Tensor:
        return self.net(self.fc(h).view(h.shape[0], self.width, 8, 8))


class BEGANEncoder(nn.Module):
    """Image -> h, with channels growing linearly (n, 2n, 3n, ...) at each stride-2 sub-sampling."""

    def __init__(self, hidden: int, image_size: int, channels: int, width: int) -> None:
        super().__init__()
        scales = _num_scales(image_size)
        layers: list[nn.Module] = _conv(channels, width)
        for i in range(1, scales + 1):
            c = width * i
            layers += _conv(c, c) + _conv(c, c)
            if i < scales:
                layers += _conv(c, width * (i + 1), stride=2)
        self.net = nn.Sequential(*layers)
        self.fc = nn.Linear(width * scales * 8 * 8, hidden)

    def forward(self, x: Tensor) -> Tensor:
        return self.fc(self.net(x).flatten(1))


class BEGANAutoencoder(nn.Module):
    def __init__(self, hidden: int, image_size: int, channels: int, width: int) -> None:
        super().__init__()
        self.encoder = BEGANEncoder(hidden, image_size, channels, width)
        self.decoder = BEGANDecoder(hidden, image_size, channels, width)

    def forward(self, x: Tensor) -> Tensor:
        return self.decoder(self.encoder(x))
