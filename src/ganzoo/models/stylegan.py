"""StyleGAN: Karras et al., "A Style-Based Generator Architecture for Generative Adversarial Networks",
CVPR 2019.

The style-based generator of ``ganzoo.nn.stylegan`` (mapping network, learned constant input, AdaIN, per-layer
noise) trained as in the paper's FFHQ configuration: the non-saturating logistic loss with R1 on reals
(gamma 10, every D step), style mixing regularisation with probability 0.9, Adam(0.001, betas (0, 0.99)),
and an EMA of G with a half-life of 10k images. Sampling truncates in W (``truncation`` psi towards the
tracked ``w_avg``; the paper uses psi 0.7 on the first 8 layers, ``truncation_cutoff=8``). The loop, the
sampling / ``mapping`` / ``synthesis`` / ``mix`` API and D come from ``StyleGAN2``: D is StyleGAN2's
non-residual ("orig") discriminator, the paper's progressive D without growing.

Not reproduced: progressive growing (the generator is trained at its full resolution from the start, as in
StyleGAN2) and the paper's resolution-dependent learning rates and batch sizes.
"""

from __future__ import annotations

from typing import Any

from torch import nn

from ganzoo.models.stylegan2 import StyleGAN2
from ganzoo.nn.stylegan import StyleGANGenerator
from ganzoo.registry import PAPERS


@PAPERS.register
class StyleGAN(StyleGAN2):
    """Args: those of ``StyleGAN2`` with StyleGAN's defaults; ``synthesis_kwargs`` are
    ``StyleGANSynthesis``'s (``channel_base`` 16384, ``channel_max`` 512)."""

    generator_class: type[nn.Module] = StyleGANGenerator

    def __init__(
        self,
        *,
        discriminator_kwargs: dict[str, Any] | None = None,
        r1_every: int = 1,
        pl_weight: float = 0.0,
        lr_g: float = 0.001,
        lr_d: float = 0.001,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            discriminator_kwargs={"architecture": "orig", **(discriminator_kwargs or {})},
            r1_every=r1_every,
            pl_weight=pl_weight,
            lr_g=lr_g,
            lr_d=lr_d,
            **kwargs,
        )
