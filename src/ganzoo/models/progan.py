"""ProGAN: Karras et al., "Progressive Growing of GANs for Improved Quality, Stability, and Variation",
ICLR 2018.

Training starts at 4x4 and adds one resolution at a time: the new layers fade in as ``alpha`` goes from 0 to 1
over ``images_per_stage`` real images, then train as they are for as many more, then the next resolution
starts fading in (``growth_schedule``). Reals are shown to D at the current resolution, blended with their
lower-resolution version while a level fades in, so that D never tells fakes from reals by their sharpness.
The paper's recipe: WGAN-GP (lambda 10) plus the epsilon-drift term (1e-3), Adam(1e-3, betas (0, 0.99)),
equalized learning rate, pixel norm in G, minibatch standard deviation in D, and an EMA of G (0.999) to
sample with. The networks (``nn.progan``) follow facebookresearch/pytorch_GAN_zoo's module tree, so its
published ``.pth`` files load by renaming (``ganzoo.hub.convert.gan_zoo``).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ganzoo.models.latent import LatentGANModule, LossName, PenaltyName
from ganzoo.nn.progan import ProGANDiscriminator, ProGANGenerator
from ganzoo.registry import PAPERS

CELEBAHQ_DEPTHS = (512, 512, 512, 512, 256, 128, 64, 32, 16)
"""Channels per resolution from 4x4 to 1024x1024 of the paper's CelebA-HQ networks (Table 2)."""


def growth_schedule(images_seen: int, images_per_stage: int, max_level: int) -> tuple[int, float]:
    """``(level, alpha)`` after ``images_seen`` real images: level 0 (4x4) trains for one stage, then each
    level fades in over one stage (alpha rising linearly from 0 to 1) and trains for one more."""
    if images_per_stage < 1:
        raise ValueError(f"images_per_stage must be >= 1, got {images_per_stage}")
    stage = images_seen // images_per_stage
    level = (stage + 1) // 2
    if level > max_level:
        return max_level, 1.0
    if stage % 2 == 1:  # the stage in which ``level`` fades in
        return level, (images_seen - stage * images_per_stage) / images_per_stage
    return level, 1.0


@PAPERS.register
class ProGAN(LatentGANModule):
    """Args:
    latent_dim: size of z (512 in the paper).
    depths: channels at 4x4, 8x8, ...; the number of entries sets the full resolution (4 * 2^(len - 1));
        the paper's CelebA-HQ widths are ``CELEBAHQ_DEPTHS``.
    channels: image channels.
    images_per_stage: real images per fade-in stage and per stabilising stage (800k in the paper).
    minibatch_stddev, group_size: D's minibatch standard deviation layer and its group size.
    drift: weight of the epsilon-drift term on D's real scores.
    generator_only: build G alone, the form published generators load into.
    **kwargs: everything ``LatentGANModule`` takes (``loss``, ``penalty``, ``lr_g``, ``ema_decay`` ...).
    """

    paper_optimizer = functools.partial(torch.optim.Adam, betas=(0.0, 0.99), eps=1e-8)

    def __init__(
        self,
        latent_dim: int = 512,
        depths: Sequence[int] = CELEBAHQ_DEPTHS,
        channels: int = 3,
        images_per_stage: int = 800_000,
        minibatch_stddev: bool = True,
        group_size: int = 4,
        loss: LossName = "wasserstein",
        penalty: PenaltyName | None = "gradient",
        penalty_weight: float = 10.0,
        drift: float = 1e-3,
        lr_g: float = 1e-3,
        lr_d: float = 1e-3,
        ema_decay: float | None = 0.999,
        generator_only: bool = False,
        **kwargs: Any,
    ) -> None:
        if images_per_stage < 1:
            raise ValueError(f"images_per_stage must be >= 1, got {images_per_stage}")
        depths = list(depths)
        generator = ProGANGenerator(latent_dim, depths, channels)
        discriminator = (
            None
            if generator_only
            else ProGANDiscriminator(
                depths, channels, minibatch_stddev=minibatch_stddev, group_size=group_size
            )
        )
        super().__init__(
            generator,
            discriminator,
            latent_dim=latent_dim,
            loss=loss,
            penalty=penalty,
            penalty_weight=penalty_weight,
            drift=drift,
            lr_g=lr_g,
            lr_d=lr_d,
            ema_decay=ema_decay,
            **kwargs,
        )
        self.image_size = 4 * 2 ** (len(depths) - 1)
        # Real images shown to D: the clock of the growth schedule, saved with the model.
        self.register_buffer("images_seen", torch.zeros((), dtype=torch.long))

    # --- growing ----------------------------------------------------------------------------------

    def networks(self) -> list[nn.Module]:
        return [n for n in (self.generator, self.generator_ema, self.discriminator) if n is not None]

    @property
    def level(self) -> int:
        return int(self.generator.level)

    @property
    def alpha(self) -> float:
        return float(self.generator.alpha)

    def grow_to(self, level: int, alpha: float) -> None:
        """Put every network at ``level`` with the newest level weighted by ``alpha``."""
        for net in self.networks():
            net.grow_to(level, alpha)

    def on_train_batch_start(self, batch: Any, batch_idx: int) -> None:
        level, alpha = growth_schedule(
            int(self.images_seen), self.hparams.images_per_stage, self.generator.max_level
        )
        self.grow_to(level, alpha)
        self.log_dict({"train/level": float(level), "train/alpha": alpha}, on_step=True, on_epoch=False)

    def on_train_batch_end(self, outputs: Any, batch: Any, batch_idx: int) -> None:
        self.images_seen += self.real_images(batch).shape[0]

    # --- the game ---------------------------------------------------------------------------------

    def real_inputs(self, batch: Any) -> tuple[Tensor, None]:
        """The reals at the current resolution, blended with their half-resolution version in a fade-in."""
        real = self.real_images(batch)
        if real.shape[-1] != self.image_size or real.shape[-2] != self.image_size:
            raise ValueError(
                f"this ProGAN grows to {self.image_size}x{self.image_size} (len(depths) = "
                f"{len(self.hparams.depths)}), got real images of {tuple(real.shape[-2:])}: give the data "
                f"image_size={self.image_size} or change depths"
            )
        side = self.generator.resolution
        real = F.avg_pool2d(real, self.image_size // side) if side < self.image_size else real
        if self.level > 0 and self.alpha < 1.0:
            below = F.interpolate(F.avg_pool2d(real, 2), scale_factor=2, mode="nearest")
            real = self.alpha * real + (1.0 - self.alpha) * below
        return real, None

    # --- sampling ---------------------------------------------------------------------------------

    def generate(self, net: nn.Module, *inputs: Any) -> Tensor:
        """Full-resolution images whatever the level (nearest upsampling of a smaller one)."""
        images = net(*inputs)
        if images.shape[-1] < self.image_size:
            images = F.interpolate(images, size=self.image_size, mode="nearest")
        return images
