"""DCGAN: Radford et al., "Unsupervised Representation Learning with Deep Convolutional GANs", ICLR 2016.

All-convolutional G and D with batch norm, Adam(2e-4, beta1=0.5), batch 128, the non-saturating loss.
LSGAN, WGAN, WGAN-GP and DRAGAN are this model with another loss, penalty or optimizer; with
``architecture="lucic2018"`` all of them train the shared networks of Lucic et al.'s study instead.
"""

from __future__ import annotations

from typing import Any, Literal

from torch import nn

from ganzoo.models.latent import LatentGANModule
from ganzoo.nn.dcgan import DCGANDiscriminator, DCGANGenerator, Norm
from ganzoo.nn.lucic import LucicDiscriminator, lucic_generator
from ganzoo.registry import PAPERS

Architecture = Literal["paper", "lucic2018"]


@PAPERS.register
class DCGAN(LatentGANModule):
    """Args: ``image_size`` must be 4 * 2^k (32 for MNIST resized, 64 for CelebA); ``g_width`` / ``d_width``
    are the paper's ngf / ndf; ``d_norm`` is the critic's normalisation (batch norm in the paper). The
    optimizer is the paper's Adam with betas (0.5, 0.999) (``GANModule.paper_optimizer``).
    ``architecture="lucic2018"`` builds the InfoGAN-style networks of Lucic et al. 2018 (``nn.lucic``; any
    image_size divisible by 4, fixed widths, so ``g_width`` / ``d_width`` are not used; ``d_norm`` batch
    or none). ``generator_only=True`` builds G alone, the form shipped generators load into."""

    def __init__(
        self,
        latent_dim: int = 100,
        image_size: int = 64,
        channels: int = 3,
        g_width: int = 64,
        d_width: int = 64,
        d_norm: Norm = "batch",
        architecture: Architecture = "paper",
        generator_only: bool = False,
        **kwargs: Any,
    ) -> None:
        generator: nn.Module
        discriminator: nn.Module | None = None
        if architecture == "paper":
            generator = DCGANGenerator(latent_dim, image_size, channels, g_width)
            if not generator_only:
                discriminator = DCGANDiscriminator(image_size, channels, d_width, norm=d_norm)
        elif architecture == "lucic2018":
            generator = lucic_generator(latent_dim, image_size, channels)
            if not generator_only:
                discriminator = LucicDiscriminator(image_size, channels, d_norm)
        else:
            raise ValueError(f"unknown architecture {architecture!r}; choose 'paper' or 'lucic2018'")
        super().__init__(generator, discriminator, latent_dim=latent_dim, **kwargs)
