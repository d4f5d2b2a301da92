"""DiscoGAN: Kim et al., "Learning to Discover Cross-Domain Relations with Generative Adversarial Networks",
ICML 2017.

Two generators and a discriminator per domain, as CycleGAN, with DiscoGAN's own objective: each side's G
loss mixes the adversarial loss (0.1) with feature matching on D's intermediate features (0.9), then
trades that against the reconstruction of the other domain's images (mean squared error) with a weight
``rate``, small (0.01) during a first ``gan_curriculum`` iterations and 0.5 after:
(1 - rate) (0.1 L_GAN + 0.9 L_FM) + rate L_CONST. D is trained with BCE, halved.

Defaults are the authors' (``SKTBrain/DiscoGAN``, ``discogan/image_translation.py``): 64x64 images, batch 64,
Adam(2e-4, (0.5, 0.999), weight decay 1e-5), curriculum 10,000 iterations. The networks are the zoo's
CycleGAN-family ones (a ResNet generator and PatchGAN with batch norm by default) rather than the authors'
4-level encoder-decoder. The schedule is theirs, two G updates per D update (``g_steps=2``), with one
difference: their loop gives each update its own batch (``--update_interval 3``: D on batches 0, 3, 6 ...,
G on the others), this one runs G's two updates on the batch D was just trained on, so an epoch here makes
three times as many updates.
"""

from __future__ import annotations

import functools
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor

from ganzoo import losses
from ganzoo.models.translation import GeneratorName, TranslationLoss
from ganzoo.models.unpaired import UnpairedTranslationModule
from ganzoo.nn.features import sequential_features
from ganzoo.nn.norm import NormName
from ganzoo.registry import PAPERS


@PAPERS.register
class DiscoGAN(UnpairedTranslationModule):
    """Args:
    gan_curriculum, starting_rate, default_rate: the authors' ``--gan_curriculum`` (in iterations: updates
        of either network, as their ``iters`` counts), ``--starting_rate`` and ``--default_rate``, the
        weight of the reconstruction loss.
    g_steps: G updates per D update (their ``update_interval - 1``).
    gan_weight: the share of the adversarial loss against feature matching (their 0.1 / 0.9).
    The network flags (``net_g``, ``norm`` ...) are ``ImageTranslationModule``'s; the discriminator must
    be a PatchGAN (``net_d="basic"`` or ``"n_layers"``), whose layers feature matching reads.
    """

    paper_optimizer = functools.partial(torch.optim.Adam, betas=(0.5, 0.999), weight_decay=1e-5)

    def __init__(
        self,
        in_channels: int = 3,
        out_channels: int = 3,
        net_g: GeneratorName = "resnet_6blocks",
        norm: NormName = "batch",
        dropout: bool = False,
        gan_curriculum: int = 10_000,
        starting_rate: float = 0.01,
        default_rate: float = 0.5,
        gan_weight: float = 0.1,
        g_steps: int = 2,
        image_size: int = 64,
        n_epochs: int = 100,
        n_epochs_decay: int = 0,
        loss: TranslationLoss = "nonsaturating",
        **kwargs: Any,
    ) -> None:
        if kwargs.get("net_d", "basic") == "pixel":
            raise ValueError(
                "DiscoGAN's feature matching needs a PatchGAN discriminator ('basic' or 'n_layers')"
            )
        super().__init__(
            in_channels=in_channels,
            out_channels=out_channels,
            net_g=net_g,
            norm=norm,
            dropout=dropout,
            loss=loss,
            g_steps=g_steps,
            image_size=image_size,
            n_epochs=n_epochs,
            n_epochs_decay=n_epochs_decay,
            **kwargs,
        )
        self.gan_curriculum, self.starting_rate, self.default_rate = (
            gan_curriculum,
            starting_rate,
            default_rate,
        )
        self.gan_weight = gan_weight

    @property
    def rate(self) -> float:
        """The weight of the reconstruction loss at this point of training."""
        iterations = int(self.num_d_steps) + int(self.num_g_steps)
        return self.starting_rate if iterations < self.gan_curriculum else self.default_rate

    def g_loss(self, batch: Any) -> dict[str, Tensor]:
        real, fake = self.reals(batch), self.fakes(batch)
        back = {"A": self.generator["BtoA"](fake["B"]), "B": self.generator["AtoB"](fake["A"])}
        rate, out = self.rate, {}
        loss = torch.zeros((), device=real["A"].device)
        for k in "AB":  # the images of domain k: judged by D_k, and reconstructed
            _, real_features = sequential_features(self.discriminator[k].model, real[k])
            score, fake_features = sequential_features(self.discriminator[k].model, fake[k])
            out[f"g_gan_{k.lower()}"] = self.loss_g(score)
            out[f"fm_{k.lower()}"] = losses.mean_feature_matching(
                [f.detach() for f in real_features], fake_features
            )
            out[f"recon_{k.lower()}"] = F.mse_loss(back[k], real[k])
            adversarial = (
                self.gan_weight * out[f"g_gan_{k.lower()}"] + (1 - self.gan_weight) * out[f"fm_{k.lower()}"]
            )
            loss = loss + (1 - rate) * adversarial + rate * out[f"recon_{k.lower()}"]
        return {"loss": loss, **out}
