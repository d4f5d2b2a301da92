"""SNGAN: Miyato et al., "Spectral Normalization for Generative Adversarial Networks", ICLR 2018, and its
class-conditional form, Miyato & Koyama, "cGANs with Projection Discriminator", ICLR 2018.

Spectral norm on every discriminator layer bounds D's Lipschitz constant layer by layer, at the cost of
one power iteration per layer per forward. The authors' CIFAR-10 ResNet recipe: hinge loss, Adam(2e-4,
betas (0, 0.9)), n_dis = 5, real batch 64, generator updates on 128 samples, the learning rate decayed
linearly to 0 over 50k generator updates. ``num_classes=None`` is the unconditional SNGAN; a number of
classes gives the projection discriminator and class-conditional batch norm in G.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import torch
from torch import nn

from ganzoo.models.conditional import ConditionalGANModule
from ganzoo.models.latent import LossName
from ganzoo.nn.resnet_sngan import ResNetDiscriminator32, ResNetGenerator32
from ganzoo.registry import PAPERS


@PAPERS.register
class SNGAN(ConditionalGANModule):
    """Args:
    num_classes: ``None`` for the unconditional model (batches may then be images alone).
    g_channels, d_channels: the ResNets' widths (the paper's 256 / 128).
    g_batch_size: samples per generator update (``None``: the real batch size; the authors use 128).
    g_spectral_norm, attention_at: SAGAN's additions (spectral norm in G; self-attention at that
        resolution in both networks), off in SNGAN.
    generator, discriminator: networks to use instead of the 32x32 ResNets (e.g. for 2-D toy data); they
        are called ``G(z, y)`` and ``D(x, y)`` with ``y = None`` when unconditional.
    The optimizer is the authors' Adam with betas (0, 0.9).
    """

    paper_optimizer = functools.partial(torch.optim.Adam, betas=(0.0, 0.9))

    def __init__(
        self,
        num_classes: int | None = None,
        class_names: Sequence[str] | str | None = None,
        latent_dim: int = 128,
        channels: int = 3,
        g_channels: int = 256,
        d_channels: int = 128,
        g_spectral_norm: bool = False,
        attention_at: int | None = None,
        g_batch_size: int | None = None,
        loss: LossName = "hinge",
        d_steps: int = 5,
        generator: nn.Module | None = None,
        discriminator: nn.Module | None = None,
        **kwargs: Any,
    ) -> None:
        if g_batch_size is not None and g_batch_size < 1:
            raise ValueError(
                f"g_batch_size must be >= 1 (or None for the real batch size), got {g_batch_size}"
            )
        if generator is None:
            generator = ResNetGenerator32(
                latent_dim, g_channels, num_classes, channels, sn=g_spectral_norm, attention_at=attention_at
            )
        if discriminator is None:
            discriminator = ResNetDiscriminator32(
                d_channels, num_classes, channels, attention_at=attention_at
            )
        super().__init__(
            generator,
            discriminator,
            num_classes=num_classes,
            class_names=class_names,
            latent_dim=latent_dim,
            loss=loss,
            d_steps=d_steps,
            **kwargs,
        )

    def g_samples(self, batch: Any) -> int:
        """``g_batch_size`` samples per generator update (the authors' 128), else the real batch's size."""
        return self.hparams.g_batch_size or super().g_samples(batch)
