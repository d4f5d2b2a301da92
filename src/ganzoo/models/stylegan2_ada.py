"""StyleGAN2-ADA: Karras et al., "Training Generative Adversarial Networks with Limited Data", NeurIPS 2020.

StyleGAN2 with adaptive discriminator augmentation switched on at the paper's settings: target r_t = 0.6,
p updated every 4 D steps at a rate that can take it from 0 to 1 in 500k images, starting from p = 0.
The networks and the training are ``StyleGAN2``'s; its ``ada_*`` arguments are the knobs.
"""

from __future__ import annotations

from typing import Any

from ganzoo.models.stylegan2 import StyleGAN2
from ganzoo.registry import PAPERS


@PAPERS.register
class StyleGAN2ADA(StyleGAN2):
    """Args: those of ``StyleGAN2``, ADA on (``ada_target`` 0.6, ``ada_interval`` 4, ``ada_kimg`` 500)."""

    def __init__(
        self, *, ada_target: float | None = 0.6, ada_interval: int = 4, ada_kimg: float = 500.0, **kwargs: Any
    ) -> None:
        super().__init__(ada_target=ada_target, ada_interval=ada_interval, ada_kimg=ada_kimg, **kwargs)
