"""DCGAN: Radford et al., "Unsupervised Representation Learning with Deep Convolutional GANs", ICLR 2016.

All-convolutional G and D with batch norm, Adam(2e-4, beta1=0.5), batch 128, the non-saturating loss.
LSGAN, WGAN, WGAN-GP and DRAGAN are this model with another loss, penalty or optimizer.
"""

from __future__ import annotations

from typing import Any

from ganzoo.models.latent import LatentGANModule
from ganzoo.nn.dcgan import DCGANDiscriminator, DCGANGenerator, Norm
from ganzoo.registry import PAPERS


@PAPERS.register
class DCGAN(LatentGANModule):
    """Args: ``image_size`` must be 4 * 2^k (32 for MNIST resized, 64 for CelebA); ``g_width`` / ``d_width``
    are the paper's ngf / ndf; ``d_norm`` is the critic's normalisation (batch norm in the paper). The
    optimizer is the paper's Adam with betas (0.5, 0.999) (``GANModule.paper_optimizer``)."""

    def __init__(
        self,
        latent_dim: int = 100,
        image_size: int = 64,
        channels: int = 3,
        g_width: int = 64,
        d_width: int = 64,
        d_norm: Norm = "batch",
        **kwargs: Any,
    ) -> None:
        super().__init__(
            DCGANGenerator(latent_dim, image_size, channels, g_width),
            DCGANDiscriminator(image_size, channels, d_width, norm=d_norm),
            latent_dim=latent_dim,
            **kwargs,
        )
