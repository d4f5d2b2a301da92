"""The InfoGAN networks (Chen et al. 2016, Table 1 of the appendix, MNIST) and their MLP versions.

G: [z, c] -> FC 1024 BN ReLU -> FC 7x7x128 BN ReLU -> 4x4 up-conv 64 BN ReLU -> 4x4 up-conv 1 -> tanh.
D and Q share a body: 4x4 conv 64 lReLU -> 4x4 conv 128 BN lReLU -> FC 1024 BN lReLU; D adds FC -> 1 logit,
Q adds FC 128 BN lReLU -> FC -> the parameters of Q(c | x). Q is one of D's submodules, so D's optimizer
trains it together with the shared body, as in the authors' code.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

from torch import Tensor, nn

from ganzoo.nn.dcgan import init_dcgan_weights_
from ganzoo.nn.mlp import discriminator_unit


def _check_size(image_size: int) -> int:
    if image_size % 4 != 0:
        raise ValueError(f"InfoGAN's convolutional networks need image_size divisible by 4, got {image_size}")
    return image_size // 4


def _activation(slope: float) -> nn.Module:
    return nn.ReLU(True) if slope == 0 else nn.LeakyReLU(slope, True)


class InfoGANGenerator(nn.Module):
    """``slope`` > 0 makes the hidden units leaky ReLUs (Lucic et al. 2018's GAN generator uses 0.2)."""

    def __init__(self, input_dim: int, image_size: int = 28, channels: int = 1, slope: float = 0.0) -> None:
        super().__init__()
        s = _check_size(image_size)
        self.net = nn.Sequential(
            nn.Linear(input_dim, 1024),
            nn.BatchNorm1d(1024),
            _activation(slope),
            nn.Linear(1024, 128 * s * s),
            nn.BatchNorm1d(128 * s * s),
            _activation(slope),
            nn.Unflatten(1, (128, s, s)),
            nn.ConvTranspose2d(128, 64, 4, 2, 1),
            nn.BatchNorm2d(64),
            _activation(slope),
            nn.ConvTranspose2d(64, channels, 4, 2, 1),
            nn.Tanh(),
        )
        init_dcgan_weights_(self)

    def forward(self, latent: Tensor) -> Tensor:
        return self.net(latent)


def conv_body(image_size: int, channels: int, slope: float, batch_norm: bool = True) -> tuple[nn.Module, int]:
    """The shared D/Q body for images and its number of output features; ``batch_norm=False`` drops its two
    batch norms (a per-sample critic, as gradient penalties want)."""
    s = _check_size(image_size)
    body = nn.Sequential(
        nn.Conv2d(channels, 64, 4, 2, 1),
        nn.LeakyReLU(slope, True),
        nn.Conv2d(64, 128, 4, 2, 1),
        nn.BatchNorm2d(128) if batch_norm else nn.Identity(),
        nn.LeakyReLU(slope, True),
        nn.Flatten(),
        nn.Linear(128 * s * s, 1024),
        nn.BatchNorm1d(1024) if batch_norm else nn.Identity(),
        nn.LeakyReLU(slope, True),
    )
    return body, 1024


def mlp_body(input_shape: Sequence[int], hidden: Sequence[int]) -> tuple[nn.Module, int]:
    """An MLP body (linear + LeakyReLU(0.2) layers) for vector data, and its number of output features."""
    dims = [math.prod(input_shape), *hidden]
    layers: list[nn.Module] = [nn.Flatten()]
    for a, b in itertools.pairwise(dims):
        layers += discriminator_unit(a, b)
    return nn.Sequential(*layers), dims[-1]


class InfoGANDiscriminator(nn.Module):
    """``x -> (D's raw logit (N,), Q's raw outputs (N, code_outputs))`` from one shared ``body``."""

    def __init__(
        self,
        body: nn.Module,
        features: int,
        code_outputs: int,
        q_hidden: int = 128,
        slope: float = 0.1,
        batch_norm: bool = True,
    ) -> None:
        super().__init__()
        self.body = body
        self.head = nn.Linear(features, 1)
        self.q = nn.Sequential(
            nn.Linear(features, q_hidden),
            nn.BatchNorm1d(q_hidden) if batch_norm else nn.Identity(),
            nn.LeakyReLU(slope, True),
            nn.Linear(q_hidden, code_outputs),
        )

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        h = self.body(x)
        return self.head(h).flatten(), self.q(h)
