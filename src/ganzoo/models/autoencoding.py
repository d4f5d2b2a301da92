"""AutoencodingTranslationModule: what UNIT and MUNIT share (NVlabs' ``trainer.py``). Each domain has an
auto-encoder (``generator["A"]``, ``generator["B"]``) whose codes are exchanged to translate, and a
multi-scale discriminator (``discriminator["A"]``, ``discriminator["B"]``) trained with the LSGAN loss.
Optimisation is the authors': Adam(1e-4, (0.5, 0.999), weight decay 1e-4) for each side, the lr halved
every 100,000 iterations, Kaiming-initialised generators and N(0, 0.02) discriminators.
"""

from __future__ import annotations

import functools
from typing import Any

import torch
from torch import Tensor, nn
from torch.optim.lr_scheduler import StepLR

from ganzoo import losses
from ganzoo.models.translation import Direction, TranslationModule
from ganzoo.nn.munit import MultiScaleDiscriminator, init_munit_weights_

DIRECTIONS = ("AtoB", "BtoA")


class AutoencodingTranslationModule(TranslationModule):
    """Batches are ``{"A": images, "B": images}`` (the ``unpaired`` DataModule).

    Args:
        autoencoders: the two domains' auto-encoders, built by the paper.
        channels, dis_dim, n_layer, num_scales: the discriminators (the authors' ``dis:`` settings).
        step_size, gamma: the lr schedule, in iterations (``lr_policy: step``).
        generator_only: keep the auto-encoders alone, for translation.
        Everything else goes to ``TranslationModule`` / ``GANModule``.
    """

    paper_optimizer = functools.partial(torch.optim.Adam, betas=(0.5, 0.999), weight_decay=1e-4)

    def __init__(
        self,
        autoencoders: dict[str, nn.Module],
        *,
        channels: int = 3,
        dis_dim: int = 64,
        n_layer: int = 4,
        num_scales: int = 3,
        step_size: int = 100_000,
        gamma: float = 0.5,
        lr_g: float = 1e-4,
        lr_d: float = 1e-4,
        generator_only: bool = False,
        **kwargs: Any,
    ) -> None:
        generator = nn.ModuleDict({k: init_munit_weights_(v, "kaiming") for k, v in autoencoders.items()})
        discriminator = None
        if not generator_only:
            discriminator = nn.ModuleDict(
                {
                    k: init_munit_weights_(
                        MultiScaleDiscriminator(channels, dis_dim, n_layer, num_scales), "gaussian"
                    )
                    for k in "AB"
                }
            )

        def scheduler(opt: torch.optim.Optimizer) -> StepLR:
            return StepLR(opt, step_size=step_size, gamma=gamma)

        # Fixed to "step" and passed explicitly below, so the CLI offers no other value; a saved model's
        # hyperparameters give it back as "step".
        if kwargs.pop("scheduler_interval", "step") != "step":
            raise ValueError("the authors' lr schedule counts iterations: scheduler_interval must be 'step'")
        super().__init__(
            generator,
            discriminator,
            lr_g=lr_g,
            lr_d=lr_d,
            scheduler=scheduler,
            scheduler_interval="step",
            **kwargs,
        )
        self.channels = channels

    @staticmethod
    def pair(batch: Any) -> dict[str, Tensor]:
        if not isinstance(batch, dict) or not {"A", "B"} <= batch.keys():
            raise TypeError(
                "UNIT and MUNIT train on {'A': images, 'B': images} batches; use the 'unpaired' data"
            )
        return {"A": batch["A"], "B": batch["B"]}

    @property
    def directions(self) -> tuple[str, ...]:
        return DIRECTIONS

    @staticmethod
    def domains(direction: Direction | None) -> tuple[str, str]:
        """(source, target) domain of ``direction`` ("AtoB" when ``None``)."""
        direction = direction or "AtoB"
        if direction not in DIRECTIONS:
            raise ValueError(f"direction must be 'AtoB' or 'BtoA', got {direction!r}")
        return direction[0], direction[-1]

    def translator(self, direction: Direction | None) -> nn.Module:
        """``{"source": ..., "target": ...}``: a translation encodes with the source domain's auto-encoder
        and decodes with the target's (``run_translator``)."""
        source, target = self.domains(direction)
        return nn.ModuleDict({"source": self.generator[source], "target": self.generator[target]})

    def image_channels(self, net: nn.Module) -> int:
        return self.channels

    def adversarial_d(self, real: dict[str, Tensor], fake: dict[str, Tensor]) -> dict[str, Tensor]:
        """Each domain's multi-scale D on its real images against the (detached) translations into it."""
        out = {
            f"d_{k.lower()}": losses.multiscale_least_squares_d(
                self.discriminator[k](real[k]), self.discriminator[k](fake[k].detach())
            )
            for k in "AB"
        }
        return {"loss": out["d_a"] + out["d_b"], **out}

    def adversarial_g(self, fake: dict[str, Tensor]) -> dict[str, Tensor]:
        return {
            f"g_gan_{k.lower()}": losses.multiscale_least_squares_g(self.discriminator[k](fake[k]))
            for k in "AB"
        }

    def d_loss(self, batch: Any) -> dict[str, Tensor]:
        return self.adversarial_d(self.pair(batch), self.fake_batch(batch))
