"""CycleGAN: Zhu et al., "Unpaired Image-to-Image Translation using Cycle-Consistent Adversarial Networks"
(ICCV 2017).

Two generators, G: A -> B and F: B -> A, each with a discriminator on its output domain, trained with the
least-squares GAN loss plus cycle consistency, lambda_A ||F(G(a)) - a||_1 + lambda_B ||G(F(b)) - b||_1,
and an identity term (G(b) ~ b, F(a) ~ a, weighted lambda_identity * lambda) that preserves colour.
D learns from a 50-image history of fakes. Defaults are the authors' (``pytorch-CycleGAN-and-pix2pix``,
``models/cycle_gan_model.py``): ResNet-9 generators, 70x70 PatchGANs, instance norm, no dropout,
one Adam(2e-4, (0.5, 0.999)) over both generators and one over both discriminators, 100 + 100 epochs.
"""

from __future__ import annotations

from typing import Any

import torch.nn.functional as F
from torch import Tensor

from ganzoo.models.translation import GeneratorName, TranslationLoss
from ganzoo.models.unpaired import UnpairedTranslationModule
from ganzoo.nn.image_pool import ImagePool
from ganzoo.nn.norm import NormName
from ganzoo.registry import PAPERS


@PAPERS.register
class CycleGAN(UnpairedTranslationModule):
    """``generator["AtoB"]`` is the authors' ``netG_A``, ``generator["BtoA"]`` their ``netG_B``; the
    discriminators are keyed by the domain they judge: ``discriminator["B"]`` is their ``netD_A``
    (``UnpairedTranslationModule``).

    Args: ``lambda_a``, ``lambda_b``, ``lambda_identity``, ``pool_size`` are the authors' ``--lambda_A``,
    ``--lambda_B``, ``--lambda_identity``, ``--pool_size``; the network flags (``net_g``, ``norm``,
    ``dropout``, ``ngf`` ...) are ``ImageTranslationModule``'s. ``generator_only=True`` builds the published
    form: one generator (translating "AtoB", i.e. the way its name says), no discriminators, inference only.
    """

    def __init__(
        self,
        in_channels: int = 3,
        out_channels: int = 3,
        net_g: GeneratorName = "resnet_9blocks",
        norm: NormName = "instance",
        dropout: bool = False,
        lambda_a: float = 10.0,
        lambda_b: float = 10.0,
        lambda_identity: float = 0.5,
        pool_size: int = 50,
        loss: TranslationLoss = "least_squares",
        **kwargs: Any,
    ) -> None:
        if lambda_identity > 0 and in_channels != out_channels:
            raise ValueError(
                f"the identity loss needs as many input as output channels ({in_channels} vs "
                f"{out_channels}); pass lambda_identity=0"
            )
        super().__init__(
            in_channels=in_channels,
            out_channels=out_channels,
            net_g=net_g,
            norm=norm,
            dropout=dropout,
            loss=loss,
            **kwargs,
        )
        self.lambda_a, self.lambda_b, self.lambda_identity = lambda_a, lambda_b, lambda_identity
        self.pools = {"A": ImagePool(pool_size), "B": ImagePool(pool_size)}

    def on_save_checkpoint(self, checkpoint: dict[str, Any]) -> None:
        # The history is training state: without it a resumed run would show D other fakes.
        super().on_save_checkpoint(checkpoint)
        checkpoint["image_pools"] = {k: [im.cpu() for im in pool.images] for k, pool in self.pools.items()}

    def on_load_checkpoint(self, checkpoint: dict[str, Any]) -> None:
        super().on_load_checkpoint(checkpoint)
        for k, images in checkpoint.get("image_pools", {}).items():
            self.pools[k].images = list(images)

    def judged_fakes(self, batch: Any) -> dict[str, Tensor]:
        """Translations drawn from the 50-image histories (the authors' ``fake_pool``)."""
        return {k: self.pools[k].query(v) for k, v in self.fake_batch(batch).items()}

    def cycle_losses(self, real: dict[str, Tensor], fake: dict[str, Tensor]) -> dict[str, Tensor]:
        """lambda_A ||G_BtoA(G_AtoB(a)) - a||_1 and lambda_B ||G_AtoB(G_BtoA(b)) - b||_1."""
        return {
            "cycle_a": F.l1_loss(self.generator["BtoA"](fake["B"]), real["A"]) * self.lambda_a,
            "cycle_b": F.l1_loss(self.generator["AtoB"](fake["A"]), real["B"]) * self.lambda_b,
        }

    def identity_losses(self, real: dict[str, Tensor]) -> dict[str, Tensor]:
        """G_AtoB should leave B images alone (weighted with B's lambda), G_BtoA the A images; none when
        ``lambda_identity`` is 0."""
        if self.lambda_identity <= 0:
            return {}
        return {
            "idt_b": F.l1_loss(self.generator["AtoB"](real["B"]), real["B"])
            * self.lambda_b
            * self.lambda_identity,
            "idt_a": F.l1_loss(self.generator["BtoA"](real["A"]), real["A"])
            * self.lambda_a
            * self.lambda_identity,
        }

    def g_loss(self, batch: Any) -> dict[str, Tensor]:
        real, fake = self.reals(batch), self.fakes(batch)
        gan = self.loss_g(self.discriminator["B"](fake["B"])) + self.loss_g(
            self.discriminator["A"](fake["A"])
        )
        out = {"g_gan": gan, **self.cycle_losses(real, fake), **self.identity_losses(real)}
        return {"loss": sum(out.values()), **out}
