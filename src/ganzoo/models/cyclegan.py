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
from torch import Tensor, nn

from ganzoo.models.translation import (
    Direction,
    GeneratorName,
    ImageTranslationModule,
    NetworkOptions,
    TranslationLoss,
)
from ganzoo.nn.image_pool import ImagePool
from ganzoo.nn.norm import NormName
from ganzoo.registry import PAPERS

_DIRECTIONS = ("AtoB", "BtoA")


@PAPERS.register
class CycleGAN(ImageTranslationModule):
    """``generator["AtoB"]`` is the authors' ``netG_A``, ``generator["BtoA"]`` their ``netG_B``; the
    discriminators are keyed by the domain they judge: ``discriminator["B"]`` is their ``netD_A``.

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

    def build_networks(
        self, options: NetworkOptions, generator_only: bool
    ) -> tuple[nn.Module, nn.Module | None]:
        """G: A -> B alone when ``generator_only``; else both generators and a D per domain."""
        g_ab = options.generator(options.in_channels, options.out_channels)
        if generator_only:
            return g_ab, None
        generators = {"AtoB": g_ab, "BtoA": options.generator(options.out_channels, options.in_channels)}
        discriminators = {
            "A": options.discriminator(options.in_channels),
            "B": options.discriminator(options.out_channels),
        }
        return nn.ModuleDict(generators), nn.ModuleDict(discriminators)

    @property
    def directions(self) -> tuple[str, ...]:
        return ("AtoB",) if self.generator_only else _DIRECTIONS

    def translator(self, direction: Direction | None) -> nn.Module:
        direction = direction or "AtoB"
        if direction not in _DIRECTIONS:
            raise ValueError(f"direction must be 'AtoB' or 'BtoA', got {direction!r}")
        if not self.generator_only:
            return self.generator[direction]
        if direction != "AtoB":
            raise ValueError(
                "this CycleGAN holds one generator (the published form), which translates 'AtoB' only; "
                "load the model published for the other direction (e.g. cyclegan-zebra2horse)"
            )
        return self.generator

    def fakes(self, batch: Any) -> dict[str, Tensor]:
        """The translations of both sides: ``{"B": G_AtoB(A), "A": G_BtoA(B)}``, keyed by their domain."""
        real_a, real_b = self.pair(batch)
        return {"B": self.generator["AtoB"](real_a), "A": self.generator["BtoA"](real_b)}

    def d_loss(self, batch: Any) -> dict[str, Tensor]:
        real = dict(zip("AB", self.pair(batch), strict=True))
        fake = {k: self.pools[k].query(v) for k, v in self.fake_batch(batch).items()}
        out = {
            f"d_{k.lower()}": self.loss_d(self.discriminator[k](real[k]), self.discriminator[k](fake[k]))
            for k in "AB"
        }
        return {"loss": out["d_a"] + out["d_b"], **out}

    def g_loss(self, batch: Any) -> dict[str, Tensor]:
        real_a, real_b = self.pair(batch)
        g_ab, g_ba = self.generator["AtoB"], self.generator["BtoA"]
        fake = self.fakes(batch)
        fake_b, fake_a = fake["B"], fake["A"]
        gan = self.loss_g(self.discriminator["B"](fake_b)) + self.loss_g(self.discriminator["A"](fake_a))
        cycle_a = F.l1_loss(g_ba(fake_b), real_a) * self.lambda_a
        cycle_b = F.l1_loss(g_ab(fake_a), real_b) * self.lambda_b
        out = {"g_gan": gan, "cycle_a": cycle_a, "cycle_b": cycle_b}
        loss = gan + cycle_a + cycle_b
        if self.lambda_identity > 0:
            # G_AtoB should leave B images alone (weighted with B's lambda), G_BtoA the A images.
            out["idt_b"] = F.l1_loss(g_ab(real_b), real_b) * self.lambda_b * self.lambda_identity
            out["idt_a"] = F.l1_loss(g_ba(real_a), real_a) * self.lambda_a * self.lambda_identity
            loss = loss + out["idt_a"] + out["idt_b"]
        return {"loss": loss, **out}
