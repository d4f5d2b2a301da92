"""LSGAN: Mao et al., "Least Squares Generative Adversarial Networks", ICCV 2017.

The least-squares loss with the paper's a=0, b=1, c=1 coding on DCGAN networks, Adam(2e-4, beta1=0.5).
"""

from __future__ import annotations

from typing import Any

from ganzoo.models.dcgan import DCGAN
from ganzoo.models.latent import LossName
from ganzoo.registry import PAPERS


@PAPERS.register
class LSGAN(DCGAN):
    def __init__(self, loss: LossName = "least_squares", **kwargs: Any) -> None:
        super().__init__(loss=loss, **kwargs)
