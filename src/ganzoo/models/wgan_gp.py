"""WGAN-GP: Gulrajani et al., "Improved Training of Wasserstein GANs", NeurIPS 2017.

The Wasserstein loss with a gradient penalty (lambda = 10) on interpolates instead of weight clipping,
Adam(1e-4, betas=(0, 0.9)), 5 critic updates per generator update, and no batch norm in the critic (the
penalty is per sample; layer norm is the paper's suggested replacement).
"""

from __future__ import annotations

import functools
from typing import Any

import torch

from ganzoo.models.dcgan import DCGAN
from ganzoo.models.latent import LossName, PenaltyName
from ganzoo.nn.dcgan import Norm
from ganzoo.registry import PAPERS


@PAPERS.register
class WGANGP(DCGAN):
    paper_optimizer = functools.partial(torch.optim.Adam, betas=(0.0, 0.9))

    def __init__(
        self,
        loss: LossName = "wasserstein",
        penalty: PenaltyName | None = "gradient",
        d_steps: int = 5,
        d_norm: Norm = "layer",
        lr_g: float = 1e-4,
        lr_d: float = 1e-4,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            loss=loss,
            penalty=penalty,
            d_steps=d_steps,
            d_norm=d_norm,
            lr_g=lr_g,
            lr_d=lr_d,
            **kwargs,
        )
