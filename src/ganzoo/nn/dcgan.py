"""The DCGAN networks (Radford et al. 2016), sized by image resolution.

Several papers (LSGAN, WGAN, WGAN-GP, DRAGAN) report results with these networks, so they live here.
G: z -> 4x4 projection, then stride-2 transposed convolutions that halve the width each time, BN + ReLU,
tanh output. D: the mirror image with stride-2 convolutions and LeakyReLU(0.2), no BN on the first layer.
"""

from __future__ import annotations

import math
from typing import Literal

from torch import Tensor, nn

Norm = Literal["batch", "layer", "none"]


def _num_upsamplings(image_size: int) -> int:
    n = math.log2(image_size / 4)
    if image_size < 8 or n != int(n):
        raise ValueError(
            f"DCGAN networks need image_size = 4 * 2^k with k >= 1 (8, 16, 32, 64, ...), got {image_size}"
        )
    return int(n)


def _norm(kind: Norm, channels: int, size: int) -> nn.Module:
    if kind == "batch":
        return nn.BatchNorm2d(channels)
    if kind == "layer":  # WGAN-GP's drop-in for BN in the critic: normalise each sample on its own
        return nn.LayerNorm([channels, size, size])
    if kind == "none":
        return nn.Identity()
    raise ValueError(f"unknown norm {kind!r}; choose 'batch', 'layer' or 'none'")


def init_dcgan_weights_(module: nn.Module) -> None:
    """N(0, 0.02) for convolutions, N(1, 0.02) for norm scales, as in the paper."""
    for m in module.modules():
        if isinstance(m, nn.Conv2d | nn.ConvTranspose2d | nn.Linear):
            nn.init.normal_(m.weight, 0.0, 0.02)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.BatchNorm2d | nn.LayerNorm) and m.weight is not None:
            nn.init.normal_(m.weight, 1.0, 0.02)
            nn.init.zeros_(m.bias)


class DCGANGenerator(nn.Module):
    def __init__(
        self, latent_dim: int = 100, image_size: int = 64, channels: int = 3, width: int = 64
    ) -> None:
        super().__init__()
        n = _num_upsamplings(image_size)
        ch = width * 2 ** (n - 1)
        layers: list[nn.Module] = [
            nn.ConvTranspose2d(latent_dim, ch, 4, 1, 0, bias=False),
            nn.BatchNorm2d(ch),
            nn.ReLU(True),
        ]
        for _ in range(n - 1):
            layers += [
                nn.ConvTranspose2d(ch, ch // 2, 4, 2, 1, bias=False),
                nn.BatchNorm2d(ch // 2),
                nn.ReLU(True),
            ]
            ch //= 2
        layers += [nn.ConvTranspose2d(ch, channels, 4, 2, 1, bias=False), nn.Tanh()]
        self.net = nn.Sequential(*layers)
        self.latent_dim = latent_dim
        init_dcgan_weights_(self)

    def forward(self, z: Tensor) -> Tensor:
        return self.net(z.view(z.shape[0], -1, 1, 1))


class DCGANDiscriminator(nn.Module):
    """Outputs one raw score per image (no sigmoid: the loss decides how to read it).

    ``outputs`` > 1 gives that many raw outputs per image, shape (N, outputs), from the same last
    convolution: extra linear heads on the same features (ACGAN's source + class logits).
    """

    def __init__(
        self,
        image_size: int = 64,
        channels: int = 3,
        width: int = 64,
        norm: Norm = "batch",
        outputs: int = 1,
    ) -> None:
        super().__init__()
        n = _num_upsamplings(image_size)
        ch, size = width, image_size // 2
        layers: list[nn.Module] = [nn.Conv2d(channels, ch, 4, 2, 1, bias=False), nn.LeakyReLU(0.2, True)]
        for _ in range(n - 1):
            size //= 2
            layers += [
                nn.Conv2d(ch, ch * 2, 4, 2, 1, bias=False),
                _norm(norm, ch * 2, size),
                nn.LeakyReLU(0.2, True),
            ]
            ch *= 2
        layers += [nn.Conv2d(ch, outputs, 4, 1, 0, bias=False)]
        self.net = nn.Sequential(*layers)
        self.outputs = outputs
        init_dcgan_weights_(self)

    def forward(self, x: Tensor) -> Tensor:
        out = self.net(x).flatten(1)
        return out.flatten() if self.outputs == 1 else out
