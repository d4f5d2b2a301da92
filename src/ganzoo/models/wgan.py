"""WGAN: Arjovsky et al., "Wasserstein GAN", ICML 2017.

Algorithm 1 of the paper: the Wasserstein loss, critic weights clipped to [-0.01, 0.01], RMSprop(5e-5),
5 critic updates per generator update, DCGAN networks (batch norm kept in the critic, as the authors did).
"""

from __future__ import annotations

from typing import Any

import torch

from ganzoo.models.dcgan import DCGAN
from ganzoo.models.latent import LossName
from ganzoo.registry import PAPERS


@PAPERS.register
class WGAN(DCGAN):
    paper_optimizer = torch.optim.RMSprop

    def __init__(
        self,
        loss: LossName = "wasserstein",
        weight_clip: float | None = 0.01,
        d_steps: int = 5,
        lr_g: float = 5e-5,
        lr_d: float = 5e-5,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            loss=loss,
            weight_clip=weight_clip,
            d_steps=d_steps,
            lr_g=lr_g,
            lr_d=lr_d,
            **kwargs,
        )
