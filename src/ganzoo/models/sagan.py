"""SAGAN: Zhang, Goodfellow, Metaxas & Odena, "Self-Attention Generative Adversarial Networks", ICML 2019.

SNGAN's projection-discriminator model plus self-attention in both networks (long-range dependencies
that 3x3 convolutions need many layers to reach), spectral norm in the generator too, and the two-timescale
update rule: lr_g 1e-4, lr_d 4e-4, one D step per G step, Adam betas (0, 0.9), hinge loss, class-conditional
batch norm in G. The paper reports ImageNet 128x128 only; here the networks are SNGAN's 32x32 ResNets with
attention at 16x16 by default (after G's second block and D's first).
"""

from __future__ import annotations

from typing import Any

from ganzoo.models.sngan import SNGAN
from ganzoo.registry import PAPERS


@PAPERS.register
class SAGAN(SNGAN):
    def __init__(
        self,
        num_classes: int | None = 10,
        g_spectral_norm: bool = True,
        attention_at: int | None = 16,
        d_steps: int = 1,
        lr_g: float = 1e-4,
        lr_d: float = 4e-4,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            num_classes=num_classes,
            g_spectral_norm=g_spectral_norm,
            attention_at=attention_at,
            d_steps=d_steps,
            lr_g=lr_g,
            lr_d=lr_d,
            **kwargs,
        )
