"""BEGAN: Berthelot et al., "BEGAN: Boundary Equilibrium Generative Adversarial Networks", 2017.

D is an auto-encoder and L(v) = |v - D(v)|_1 its reconstruction loss. D minimises L(x) - k_t L(G(z)), G
minimises L(G(z)), and k_t is steered so that E[L(G(z))] = gamma E[L(x)]. The convergence measure
M = L(x) + |gamma L(x) - L(G(z))| is logged as ``train/convergence``. Defaults follow the paper: z ~ U[-1, 1]
of size h = 64, n = 64 filters, ELU, nearest-neighbour up-sampling, gamma = 0.5, lambda_k = 0.001,
Adam(1e-4). G ends in tanh (the paper's decoder has no output activation) so samples stay in [-1, 1].
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import Tensor, nn

from ganzoo import losses
from ganzoo.models.base import GANModule


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


class BEGAN(GANModule):
    def __init__(
        self,
        latent_dim: int = 64,
        image_size: int = 64,
        channels: int = 3,
        width: int = 64,
        gamma: float = 0.5,
        lambda_k: float = 0.001,
        lr_g: float = 1e-4,
        lr_d: float = 1e-4,
        betas: tuple[float, float] = (0.5, 0.999),
        **kwargs: Any,
    ) -> None:
        super().__init__(
            BEGANDecoder(latent_dim, image_size, channels, width, tanh=True),
            BEGANAutoencoder(latent_dim, image_size, channels, width),
            latent_dim=latent_dim,
            lr_g=lr_g,
            lr_d=lr_d,
            betas=betas,
            **kwargs,
        )
        self.gamma, self.lambda_k = gamma, lambda_k
        self.register_buffer("k", torch.zeros(()))

    def sample_latent(self, n: int, generator: torch.Generator | None = None) -> Tensor:
        return torch.rand(n, self.latent_dim, device=self.device, generator=generator) * 2.0 - 1.0

    def reconstruction_loss(self, x: Tensor) -> Tensor:
        """L(v) = mean |v - D(v)|."""
        return (self.discriminator(x) - x).abs().mean()

    def d_loss(self, batch: Any) -> dict[str, Tensor]:
        real = self.real_images(batch)
        with torch.no_grad():
            fake = self.generator(self.sample_latent(real.shape[0]))
        loss_real, loss_fake = self.reconstruction_loss(real), self.reconstruction_loss(fake)
        return {
            "loss": loss_real - self.k * loss_fake,
            "loss_real": loss_real,
            "loss_fake": loss_fake,
            "k": self.k.clone(),
            "convergence": losses.began_convergence(loss_real, loss_fake, self.gamma),
        }

    def g_loss(self, batch: Any) -> dict[str, Tensor]:
        n = self.real_images(batch).shape[0]
        return {"loss": self.reconstruction_loss(self.generator(self.sample_latent(n)))}

    def after_d_step(self, out: dict[str, Tensor]) -> None:
        self.k.copy_(
            losses.began_equilibrium_update(
                self.k, out["loss_real"], out["loss_fake"], self.gamma, self.lambda_k
            )
        )
