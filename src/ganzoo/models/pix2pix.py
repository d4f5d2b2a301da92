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
    DiscriminatorName,
    GeneratorName,
    ImageTranslationModule,
    TranslationLoss,
    build_discriminator,
    build_generator,
    discriminator_objective,
    gan_criterion,
)
from ganzoo.nn.norm import NormName


class Pix2Pix(ImageTranslationModule):
    """Args: ``net_g``, ``net_d``, ``n_layers_d``, ``ngf``, ``ndf``, ``norm``, ``lambda_l1`` are the authors'
    ``--netG``, ``--netD``, ``--n_layers_D``, ``--ngf``, ``--ndf``, ``--norm``, ``--lambda_L1``; ``dropout``
    is ``not --no_dropout``. Which side of the data is the input "A" is the DataModule's ``direction``.
    ``generator_only=True`` builds the published form: the generator alone, for inference."""

    def __init__(
        self,
        in_channels: int = 3,
        out_channels: int = 3,
        net_g: GeneratorName = "unet_256",
        net_d: DiscriminatorName = "basic",
        n_layers_d: int = 3,
        ngf: int = 64,
        ndf: int = 64,
        norm: NormName = "batch",
        dropout: bool = True,
        lambda_l1: float = 100.0,
        loss: TranslationLoss = "nonsaturating",
        generator_only: bool = False,
        **kwargs: Any,
    ) -> None:
        generator = build_generator(net_g, in_channels, out_channels, ngf, norm, dropout)
        if generator_only:
            discriminator = nn.ModuleDict()
        else:
            discriminator = build_discriminator(net_d, in_channels + out_channels, ndf, n_layers_d, norm)
        super().__init__(generator, discriminator, loss=loss, **kwargs)
        self.lambda_l1 = lambda_l1

    def translator(self, direction: Direction | None) -> nn.Module:
        if direction not in (None, "AtoB"):
            raise ValueError(
                "a pix2pix model translates one way only, the direction it was trained in (the data's "
                f"`direction`); call translate() without direction (got {direction!r})"
            )
        return self.generator

    def d_loss(self, batch: Any) -> dict[str, Tensor]:
        x, y = self.pair(batch)
        with torch.no_grad():
            fake = self.generator(x)
        real_scores = self.discriminator(torch.cat([x, y], 1))
        fake_scores = self.discriminator(torch.cat([x, fake], 1))
        return {
            "loss": discriminator_objective(real_scores, fake_scores, self.hparams.loss),
            "d_real": real_scores.mean(),
            "d_fake": fake_scores.mean(),
        }

    def g_loss(self, batch: Any) -> dict[str, Tensor]:
        x, y = self.pair(batch)
        fake = self.generator(x)
        gan = gan_criterion(self.discriminator(torch.cat([x, fake], 1)), True, self.hparams.loss)
        l1 = F.l1_loss(fake, y)
        return {"loss": gan + self.lambda_l1 * l1, "g_gan": gan, "g_l1": l1}
