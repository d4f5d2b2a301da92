"""DRAGAN: Kodali et al., "On Convergence and Stability of GANs", 2017.

The standard (non-saturating) GAN loss plus a gradient penalty (lambda = 10) on points perturbed around the
real data, x + 0.5 std(x) u, which targets the sharp gradients around real points that cause mode
collapse. Adam(1e-4, betas=(0.5, 0.9)) as in the authors' code; layer norm in D since the penalty is per
sample.
"""

from __future__ import annotations

import functools
from typing import Any

import torch

from ganzoo.models.dcgan import DCGAN
from ganzoo.models.latent import PenaltyName
from ganzoo.nn.dcgan import Norm
from ganzoo.registry import PAPERS


@PAPERS.register
class DRAGAN(DCGAN):
    paper_optimizer = functools.partial(torch.optim.Adam, betas=(0.5, 0.9))

    def __init__(
        self,
        penalty: PenaltyName | None = "dragan",
        d_norm: Norm = "layer",
        lr_g: float = 1e-4,
        lr_d: float = 1e-4,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            penalty=penalty,
            d_norm=d_norm,
            lr_g=lr_g,
            lr_d=lr_d,
            **kwargs,
        )
