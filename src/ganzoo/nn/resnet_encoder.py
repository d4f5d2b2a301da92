"""BicycleGAN's ResNet encoder E(B) -> (mu, log sigma^2) (Zhu et al. 2017, Sec. 3.4): the latent code of a
target image, used by the cVAE-GAN path and to recover z in the cLR-GAN path.

A stride-2 4x4 conv, then residual blocks that each halve the resolution (pre-activation: norm, LeakyReLU,
conv, norm, LeakyReLU, conv + 2x2 mean pool; shortcut: mean pool + 1x1 conv), a global average and two
linear heads. The layout (``conv.<i>.conv.<j>``, ``.shortcut.1``, ``fc.0``, ``fcVar.0``) is the authors'
``E_ResNet`` (``--netE resnet_256``, ``vaeLike``), so their published ``*_net_E.pth`` load without renaming.
"""

from __future__ import annotations

import itertools

from torch import Tensor, nn

from ganzoo.nn.norm import NormName, norm_layer


class DownResBlock(nn.Module):
    """The authors' ``BasicBlock``: a residual block that halves the resolution."""

    def __init__(self, in_channels: int, out_channels: int, norm: NormName = "instance") -> None:
        super().__init__()
        self.conv = nn.Sequential(
            norm_layer(norm, in_channels),
            nn.LeakyReLU(0.2, True),
            nn.Conv2d(in_channels, in_channels, 3, padding=1),
            norm_layer(norm, in_channels),
            nn.LeakyReLU(0.2, True),
            nn.Sequential(nn.Conv2d(in_channels, out_channels, 3, padding=1), nn.AvgPool2d(2)),
        )
        self.shortcut = nn.Sequential(nn.AvgPool2d(2), nn.Conv2d(in_channels, out_channels, 1))

    def forward(self, x: Tensor) -> Tensor:
        return self.conv(x) + self.shortcut(x)


class ResNetEncoder(nn.Module):
    """``n_blocks`` stages (5 for 256x256 images, the authors' ``resnet_256``; 4 for 128), widths ndf, 2, 3,
    then 4 ndf. The authors average an 8x8 map with ``AvgPool2d(8)``; a global average computes the same
    there and also takes other sizes. Returns ``(mu, logvar)``, each (N, nz)."""

    def __init__(
        self, in_channels: int = 3, nz: int = 8, ndf: int = 64, n_blocks: int = 5, norm: NormName = "instance"
    ) -> None:
        super().__init__()
        if n_blocks < 2:
            raise ValueError(f"n_blocks must be >= 2, got {n_blocks}")
        layers: list[nn.Module] = [nn.Conv2d(in_channels, ndf, 4, stride=2, padding=1)]
        widths = [ndf * min(4, n) for n in range(1, n_blocks + 1)]
        layers += [DownResBlock(a, b, norm) for a, b in itertools.pairwise(widths)]
        layers += [nn.LeakyReLU(0.2, True), nn.AdaptiveAvgPool2d(1)]
        self.conv = nn.Sequential(*layers)
        self.fc = nn.Sequential(nn.Linear(widths[-1], nz))
        self.fcVar = nn.Sequential(nn.Linear(widths[-1], nz))  # the authors' key

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        features = self.conv(x).flatten(1)
        return self.fc(features), self.fcVar(features)
