"""The networks of Lucic et al. 2018 ("Are GANs Created Equal?"), shared by every model of the study.

All GANs of the study use the InfoGAN-style pair of its released code (google/compare_gan, ``abstract_gan``):
G: z -> FC 1024 BN lReLU -> FC 7x7x128 BN lReLU -> 4x4 up-conv 64 BN lReLU -> 4x4 up-conv C (the InfoGAN
generator with leaky units, slope 0.2); D: 4x4 conv 64 lReLU -> 4x4 conv 128 [BN] lReLU -> FC 1024 [BN] lReLU
-> FC 1, batch norm in D being one of the searched hyperparameters. The VAE's encoder is D's body with a
Gaussian head, its decoder the generator (with plain ReLUs, as in the study's code); BEGAN's auto-encoder D
is the study's own small one. Every weight starts N(0, 0.02), as in the study's ``ops``. Outputs are in
[-1, 1] (tanh where the study has a sigmoid on [0, 1] pixels: the same function, rescaled).
"""

from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor, nn

from ganzoo.nn.dcgan import Norm, init_dcgan_weights_
from ganzoo.nn.infogan import InfoGANGenerator, conv_body

SLOPE = 0.2  # the study's lrelu leak


def _batch_norm(norm: Norm) -> bool:
    if norm not in ("batch", "none"):
        raise ValueError(
            f"the study's networks take d_norm 'batch' or 'none' (its searched choice), got {norm!r}"
        )
    return norm == "batch"


def lucic_generator(
    latent_dim: int, image_size: int, channels: int, slope: float = SLOPE
) -> InfoGANGenerator:
    """The study's generator (``slope`` 0: the VAE decoder's plain ReLUs)."""
    return InfoGANGenerator(latent_dim, image_size, channels, slope=slope)


class LucicDiscriminator(nn.Module):
    """One raw score per image from D's body."""

    def __init__(self, image_size: int = 28, channels: int = 1, norm: Norm = "batch") -> None:
        super().__init__()
        self.body, features = conv_body(image_size, channels, SLOPE, _batch_norm(norm))
        self.head = nn.Linear(features, 1)
        init_dcgan_weights_(self)

    def forward(self, x: Tensor) -> Tensor:
        return self.head(self.body(x)).flatten()


class LucicEncoder(nn.Module):
    """x -> (mean, std) of the Gaussian q(z | x): D's body, then FC 2 * latent_dim; std = 1e-6 + softplus."""

    def __init__(self, latent_dim: int, image_size: int = 28, channels: int = 1, norm: Norm = "none") -> None:
        super().__init__()
        self.body, features = conv_body(image_size, channels, SLOPE, _batch_norm(norm))
        self.head = nn.Linear(features, 2 * latent_dim)
        self.latent_dim = latent_dim
        init_dcgan_weights_(self)

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        mean, pre_std = self.head(self.body(x)).chunk(2, dim=1)
        return mean, 1e-6 + F.softplus(pre_std)


class LucicAutoencoder(nn.Module):
    """BEGAN's D in the study: 4x4 conv 64 lReLU -> 4x4 conv 128 -> FC 64 [BN] lReLU -> FC 7x7x128 [BN]
    lReLU -> 4x4 up-conv 64 [BN] lReLU -> 4x4 up-conv C -> tanh; returns the reconstruction."""

    def __init__(self, image_size: int = 28, channels: int = 1, norm: Norm = "none", code: int = 64) -> None:
        super().__init__()
        bn = _batch_norm(norm)
        s = image_size // 4
        if image_size % 4:
            raise ValueError(f"the study's auto-encoder needs image_size divisible by 4, got {image_size}")

        def norm1d(n: int) -> nn.Module:
            return nn.BatchNorm1d(n) if bn else nn.Identity()

        self.net = nn.Sequential(
            nn.Conv2d(channels, 64, 4, 2, 1),
            nn.LeakyReLU(SLOPE, True),
            nn.Conv2d(64, 128, 4, 2, 1),
            nn.Flatten(),
            nn.Linear(128 * s * s, code),
            norm1d(code),
            nn.LeakyReLU(SLOPE, True),
            nn.Linear(code, 128 * s * s),
            norm1d(128 * s * s),
            nn.LeakyReLU(SLOPE, True),
            nn.Unflatten(1, (128, s, s)),
            nn.ConvTranspose2d(128, 64, 4, 2, 1),
            nn.BatchNorm2d(64) if bn else nn.Identity(),
            nn.LeakyReLU(SLOPE, True),
            nn.ConvTranspose2d(64, channels, 4, 2, 1),
            nn.Tanh(),
        )
        init_dcgan_weights_(self)

    def forward(self, x: Tensor) -> Tensor:
        return self.net(x)
