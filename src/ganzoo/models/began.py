"""BEGAN: Berthelot et al., "BEGAN: Boundary Equilibrium Generative Adversarial Networks", 2017.

D is an auto-encoder and L(v) = |v - D(v)|_1 its reconstruction loss. D minimises L(x) - k_t L(G(z)), G
minimises L(G(z)), and k_t is steered so that E[L(G(z))] = gamma E[L(x)]. The convergence measure
M = L(x) + |gamma L(x) - L(G(z))| is logged as ``train/convergence``. Defaults follow the paper: z ~ U[-1, 1]
of size h = 64, n = 64 filters, ELU, nearest-neighbour up-sampling, gamma = 0.5, lambda_k = 0.001,
Adam(1e-4). G ends in tanh (the paper's decoder has no output activation) so samples stay in [-1, 1].
``architecture="lucic2018"`` trains the networks of Lucic et al.'s study instead (its shared generator and
its small auto-encoder D, ``nn.lucic``), where k_t is the same proportional control.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor, nn

from ganzoo import losses
from ganzoo.models.dcgan import Architecture
from ganzoo.models.latent import LatentGANModule
from ganzoo.nn.began import BEGANAutoencoder, BEGANDecoder
from ganzoo.nn.dcgan import Norm
from ganzoo.nn.lucic import LucicAutoencoder, lucic_generator
from ganzoo.registry import PAPERS


@PAPERS.register
class BEGAN(LatentGANModule):
    """Args: ``width`` is the paper's n; ``d_norm`` (batch or none) applies to the study's auto-encoder only
    (``architecture="lucic2018"``, where ``width`` is not used); ``generator_only=True`` builds G alone."""

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
        architecture: Architecture = "paper",
        d_norm: Norm = "none",
        generator_only: bool = False,
        **kwargs: Any,
    ) -> None:
        generator: nn.Module
        discriminator: nn.Module | None = None
        if architecture == "paper":  # the paper's own networks
            generator = BEGANDecoder(latent_dim, image_size, channels, width, tanh=True)
            if not generator_only:
                discriminator = BEGANAutoencoder(latent_dim, image_size, channels, width)
        elif architecture == "lucic2018":
            generator = lucic_generator(latent_dim, image_size, channels)
            if not generator_only:
                discriminator = LucicAutoencoder(image_size, channels, d_norm)
        else:
            raise ValueError(f"unknown architecture {architecture!r}; choose 'paper' or 'lucic2018'")
        super().__init__(
            generator,
            discriminator,
            latent_dim=latent_dim,
            lr_g=lr_g,
            lr_d=lr_d,
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
        fake, _ = self.fake_batch(batch)
        loss_real, loss_fake = self.reconstruction_loss(real), self.reconstruction_loss(fake)
        return {
            "loss": loss_real - self.k * loss_fake,
            "loss_real": loss_real,
            "loss_fake": loss_fake,
            "k": self.k.clone(),
            "convergence": losses.began_convergence(loss_real, loss_fake, self.gamma),
        }

    def g_loss(self, batch: Any) -> dict[str, Tensor]:
        fake, _ = self.fakes(batch)
        return {"loss": self.reconstruction_loss(fake)}

    def after_d_step(self, out: dict[str, Tensor]) -> None:
        self.k.copy_(
            losses.began_equilibrium_update(
                self.k, out["loss_real"], out["loss_fake"], self.gamma, self.lambda_k
            )
        )
