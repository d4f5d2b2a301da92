"""Pix2Pix: Isola et al., "Image-to-Image Translation with Conditional Adversarial Networks", CVPR 2017.

A conditional GAN: G maps an input image x to y; D judges (x, y) pairs, patch by patch (PatchGAN); G also
minimises lambda * ||y - G(x)||_1, which gets low frequencies right so D need only judge texture.
Defaults are the authors' (``pytorch-CycleGAN-and-pix2pix``, ``models/pix2pix_model.py``): ``unet_256``
with batch norm and dropout, 70x70 PatchGAN, vanilla GAN loss, lambda = 100, Adam(2e-4, (0.5, 0.999)),
100 epochs at constant lr then 100 of linear decay.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ganzoo.models.translation import (
    Direction,
    GeneratorName,
    ImageTranslationModule,
    NetworkOptions,
    TranslationLoss,
)
from ganzoo.nn.norm import NormName
from ganzoo.registry import PAPERS


@PAPERS.register
class Pix2Pix(ImageTranslationModule):
    """Args: ``lambda_l1`` is the authors' ``--lambda_L1``; the network flags (``net_g``, ``norm``,
    ``dropout``, ``ngf`` ...) are ``ImageTranslationModule``'s. Which side of the data is the input "A" is the
    DataModule's ``direction``. ``generator_only=True`` builds the published form: the generator alone."""

    def __init__(
        self,
        in_channels: int = 3,
        out_channels: int = 3,
        net_g: GeneratorName = "unet_256",
        norm: NormName = "batch",
        dropout: bool = True,
        lambda_l1: float = 100.0,
        loss: TranslationLoss = "nonsaturating",
        **kwargs: Any,
    ) -> None:
        super().__init__(
            in_channels=in_channels,
            out_channels=out_channels,
            net_g=net_g,
            norm=norm,
            dropout=dropout,
            loss=loss,
            **kwargs,
        )
        self.lambda_l1 = lambda_l1

    def build_networks(
        self, options: NetworkOptions, generator_only: bool
    ) -> tuple[nn.Module, nn.Module | None]:
        """A U-Net G; a PatchGAN D on (input, output) pairs."""
        generator = options.generator(options.in_channels, options.out_channels)
        return generator, None if generator_only else options.discriminator(
            options.in_channels + options.out_channels
        )

    def translator(self, direction: Direction | None) -> nn.Module:
        if direction not in (None, "AtoB"):
            raise ValueError(
                "a pix2pix model translates one way only, the direction it was trained in (the data's "
                f"`direction`); call translate() without direction (got {direction!r})"
            )
        return self.generator

    def fakes(self, batch: Any) -> Tensor:
        return self.generator(self.pair(batch)[0])

    def d_loss(self, batch: Any) -> dict[str, Tensor]:
        x, y = self.pair(batch)
        fake = self.fake_batch(batch)
        real_scores = self.discriminator(torch.cat([x, y], 1))
        fake_scores = self.discriminator(torch.cat([x, fake], 1))
        return {
            "loss": self.loss_d(real_scores, fake_scores),
            "d_real": real_scores.mean(),
            "d_fake": fake_scores.mean(),
        }

    def g_loss(self, batch: Any) -> dict[str, Tensor]:
        x, y = self.pair(batch)
        fake = self.fakes(batch)
        gan = self.loss_g(self.discriminator(torch.cat([x, fake], 1)))
        l1 = F.l1_loss(fake, y)
        return {"loss": gan + self.lambda_l1 * l1, "g_gan": gan, "g_l1": l1}
