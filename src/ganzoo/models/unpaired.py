"""UnpairedTranslationModule: the two-way structure of the unpaired papers (CycleGAN, DiscoGAN, DualGAN,
DistanceGAN): a generator per direction, a discriminator per domain, and translation either way.

``generator["AtoB"]`` maps A to B and ``generator["BtoA"]`` back; ``discriminator["B"]`` judges images of B
(real B against translated A), ``discriminator["A"]`` those of A. ``generator_only=True`` builds the
published form: one generator, translating "AtoB" (the way its name says), no discriminators.
"""

from __future__ import annotations

from typing import Any

from torch import Tensor, nn

from ganzoo.models.translation import Direction, ImageTranslationModule, NetworkOptions

DIRECTIONS = ("AtoB", "BtoA")


class UnpairedTranslationModule(ImageTranslationModule):
    """A paper adds its objectives (``d_loss`` / ``g_loss``); the network flags are
    ``ImageTranslationModule``'s."""

    def build_networks(
        self, options: NetworkOptions, generator_only: bool
    ) -> tuple[nn.Module, nn.Module | None]:
        """G: A -> B alone when ``generator_only``; else both generators and a D per domain."""
        g_ab = options.generator(options.in_channels, options.out_channels)
        if generator_only:
            return g_ab, None
        generators = {"AtoB": g_ab, "BtoA": options.generator(options.out_channels, options.in_channels)}
        discriminators = {
            "A": options.discriminator(options.in_channels),
            "B": options.discriminator(options.out_channels),
        }
        return nn.ModuleDict(generators), nn.ModuleDict(discriminators)

    @property
    def directions(self) -> tuple[str, ...]:
        return ("AtoB",) if self.generator_only else DIRECTIONS

    def translator(self, direction: Direction | None) -> nn.Module:
        direction = direction or "AtoB"
        if direction not in DIRECTIONS:
            raise ValueError(f"direction must be 'AtoB' or 'BtoA', got {direction!r}")
        if not self.generator_only:
            return self.generator[direction]
        if direction != "AtoB":
            raise ValueError(
                f"this {type(self).__name__} holds one generator (the published form), which translates "
                "'AtoB' only; load the model published for the other direction (e.g. cyclegan-zebra2horse)"
            )
        return self.generator

    def fakes(self, batch: Any) -> dict[str, Tensor]:
        """The translations of both sides: ``{"B": G_AtoB(A), "A": G_BtoA(B)}``, keyed by their domain."""
        real_a, real_b = self.pair(batch)
        return {"B": self.generator["AtoB"](real_a), "A": self.generator["BtoA"](real_b)}

    def judged_fakes(self, batch: Any) -> dict[str, Tensor]:
        """What each domain's D is trained against: ``fake_batch`` (CycleGAN draws from a pool)."""
        return self.fake_batch(batch)

    def d_loss(self, batch: Any) -> dict[str, Tensor]:
        """Each domain's D on its real images against the translations into that domain, summed."""
        real, fake = self.reals(batch), self.judged_fakes(batch)
        out = {
            f"d_{k.lower()}": self.loss_d(self.discriminator[k](real[k]), self.discriminator[k](fake[k]))
            for k in "AB"
        }
        return {"loss": out["d_a"] + out["d_b"], **out}

    def reals(self, batch: Any) -> dict[str, Tensor]:
        """The batch's images keyed by their domain: ``{"A": ..., "B": ...}``."""
        return dict(zip("AB", self.pair(batch), strict=True))
