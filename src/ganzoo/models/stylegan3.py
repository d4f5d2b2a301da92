"""StyleGAN3: Karras et al., "Alias-Free Generative Adversarial Networks", NeurIPS 2021.

StyleGAN2's training (its residual discriminator, non-saturating loss and lazy R1, ADA as an option) with the
alias-free generator of ``ganzoo.nn.stylegan3``: config T (translation equivariant, 3x3 convolutions,
separable Kaiser filters) by default, config R (rotation equivariant: 1x1 convolutions, radial filters,
twice the channels) with ``config="r"``. The authors' settings: a 2-layer mapping network, no path length
regularisation and no style mixing, G lr 0.0025 and D lr 0.002, and an EMA ramped up over the first
images; for config R, D's inputs are blurred at the start of training (Gaussian sigma 10, fading to 0 over
the first ``batch_size * 200 / 32`` thousand images).
"""

from __future__ import annotations

from typing import Any, Literal

from torch import nn

from ganzoo.models.stylegan2 import StyleGAN2
from ganzoo.nn.stylegan3 import StyleGAN3Generator
from ganzoo.registry import PAPERS


@PAPERS.register
class StyleGAN3(StyleGAN2):
    """Args: those of ``StyleGAN2`` with StyleGAN3's defaults, and
    config: ``"t"`` or ``"r"``; R sets ``conv_kernel=1``, ``use_radial_filters=True`` and doubles
    ``channel_base`` / ``channel_max`` in ``synthesis_kwargs`` (unless they are given there).
    blur_init_sigma: 10 for config R, 0 (no blur) for T (``None``); the fade is ``StyleGAN2``'s
    ``blur_fade_kimg``.
    """

    generator_class: type[nn.Module] = StyleGAN3Generator

    def __init__(
        self,
        *,
        config: Literal["t", "r"] = "t",
        synthesis_kwargs: dict[str, Any] | None = None,
        mapping_kwargs: dict[str, Any] | None = None,
        discriminator_kwargs: dict[str, Any] | None = None,
        pl_weight: float = 0.0,
        style_mixing_prob: float = 0.0,
        ema_rampup: float | None = 0.05,
        lr_g: float = 0.0025,
        lr_d: float = 0.002,
        blur_init_sigma: float | None = None,
        **kwargs: Any,
    ) -> None:
        if config not in ("t", "r"):
            raise ValueError(f"config must be 't' or 'r', got {config!r}")
        synthesis = dict(synthesis_kwargs or {})
        if config == "r":
            synthesis.setdefault("conv_kernel", 1)
            synthesis.setdefault("use_radial_filters", True)
            synthesis.setdefault("channel_base", 32768 * 2)
            synthesis.setdefault("channel_max", 512 * 2)
        super().__init__(
            synthesis_kwargs=synthesis,
            mapping_kwargs={"num_layers": 2, **(mapping_kwargs or {})},
            discriminator_kwargs=discriminator_kwargs,
            pl_weight=pl_weight,
            style_mixing_prob=style_mixing_prob,
            ema_rampup=ema_rampup,
            lr_g=lr_g,
            lr_d=lr_d,
            blur_init_sigma=(10.0 if config == "r" else 0.0) if blur_init_sigma is None else blur_init_sigma,
            **kwargs,
        )

    def synthesis_training_kwargs(self, update_emas: bool) -> dict[str, Any]:
        """D's fakes update the layers' running input magnitudes."""
        return {"update_emas": update_emas}
