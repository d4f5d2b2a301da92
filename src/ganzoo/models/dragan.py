"""DRAGAN: Kodali et al., "On Convergence and Stability of GANs", 2017.

The standard (non-saturating) GAN loss plus a gradient penalty (lambda = 10) on points perturbed around the
real data, x + 0.5 std(x) u, which targets the sharp gradients around real points that cause mode
collapse. Adam(1e-4, betas=(0.5, 0.9)) as in the authors' code; layer norm in D since the penalty is per
sample.
"""

from __future__ import annotations

from typing import Any

from ganzoo.models.base import PenaltyName
from ganzoo.models.dcgan import DCGAN
from ganzoo.nn.dcgan import Norm


class DRAGAN(DCGAN):
    def __init__(
        self,
        penalty: PenaltyName | None = "dragan",
        penalty_weight: float = 10.0,
        d_norm: Norm = "layer",
        lr_g: float = 1e-4,
        lr_d: float = 1e-4,
        betas: tuple[float, float] = (0.5, 0.9),
        **kwargs: Any,
    ) -> None:
        super().__init__(
            penalty=penalty,
            penalty_weight=penalty_weight,
            d_norm=d_norm,
            lr_g=lr_g,
            lr_d=lr_d,
            betas=betas,
            **kwargs,
        )
