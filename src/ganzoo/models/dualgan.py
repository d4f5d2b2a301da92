"""DualGAN: Yi et al., "DualGAN: Unsupervised Dual Learning for Image-to-Image Translation", ICCV 2017.

A primal generator U -> V and a dual one V -> U, each with a discriminator on its output domain, trained with
an adversarial loss plus the L1 reconstruction error of both round trips,
lambda_U ||u - G_B(G_A(u))||_1 + lambda_V ||v - G_A(G_B(v))||_1, with RMSProp.

The paper's adversarial loss is WGAN's (``loss="wasserstein"``, weights clipped to ``clip``, lambda in
[100, 1000]); the authors' released code (``duxingren14/DualGAN``, ``model.py`` / ``main.py``), which these
defaults follow, uses the sigmoid cross-entropy (``loss="nonsaturating"``) with lambda_U = lambda_V = 20,
RMSProp(5e-5, decay 0.9), a U-Net 256 with batch norm and dropout and a 70x70 PatchGAN, batch 1, 50 epochs
at constant lr, and their schedule: one D update, then two G updates on the same batch (``g_steps=2``).
One difference: the zoo's BCE objective halves D's loss (immaterial under RMSProp, which normalises
gradient scale).
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
from ganzoo.nn.norm import NormName
from ganzoo.registry import PAPERS


@PAPERS.register
class DualGAN(UnpairedTranslationModule):
    """Args:
    lambda_a, lambda_b: weights of the reconstruction of A (the paper's U) and of B (V) images.
    loss: ``"nonsaturating"`` (the released code's sigmoid cross-entropy) or ``"wasserstein"`` (the
        paper's WGAN loss, with the critics' weights clipped to [-clip, clip] after each update).
    clip: WGAN's clipping bound (the paper uses values in [0.01, 0.1]).
    g_steps: G updates per D update (the released ``run_optim`` makes two).
    The network flags (``net_g``, ``norm``, ``dropout`` ...) are ``ImageTranslationModule``'s.
    """

    paper_optimizer = functools.partial(torch.optim.RMSprop, alpha=0.9)

    def __init__(
        self,
        in_channels: int = 3,
        out_channels: int = 3,
        net_g: GeneratorName = "unet_256",
        norm: NormName = "batch",
        dropout: bool = True,
        lambda_a: float = 20.0,
        lambda_b: float = 20.0,
        loss: TranslationLoss = "nonsaturating",
        clip: float = 0.01,
        g_steps: int = 2,
        lr_g: float = 5e-5,
        lr_d: float = 5e-5,
        n_epochs: int = 50,
        n_epochs_decay: int = 0,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            in_channels=in_channels,
            out_channels=out_channels,
            net_g=net_g,
            norm=norm,
            dropout=dropout,
            loss=loss,
            g_steps=g_steps,
            lr_g=lr_g,
            lr_d=lr_d,
            n_epochs=n_epochs,
            n_epochs_decay=n_epochs_decay,
            **kwargs,
        )
        self.lambda_a, self.lambda_b = lambda_a, lambda_b
        self.clip = clip if loss == "wasserstein" else None

    def after_d_step(self, out: dict[str, Tensor]) -> None:
        if self.clip is not None:
            losses.clip_weights_(self.discriminator, self.clip)

    def g_loss(self, batch: Any) -> dict[str, Tensor]:
        real, fake = self.reals(batch), self.fakes(batch)
        out = {f"g_gan_{k.lower()}": self.loss_g(self.discriminator[k](fake[k])) for k in "AB"}
        out["recon_a"] = self.lambda_a * F.l1_loss(self.generator["BtoA"](fake["B"]), real["A"])
        out["recon_b"] = self.lambda_b * F.l1_loss(self.generator["AtoB"](fake["A"]), real["B"])
        return {"loss": sum(out.values()), **out}
