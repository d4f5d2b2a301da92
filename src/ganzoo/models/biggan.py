"""BigGAN: Brock et al., "Large Scale GAN Training for High Fidelity Natural Image Synthesis", ICLR 2019.

SAGAN scaled up: the hinge loss, spectral norm in both networks, self-attention, a projection D, and the
paper's additions: a shared class embedding with hierarchical latents feeding G's conditional batch norms,
orthogonal regularization on G (which makes the truncation trick work), an EMA of G's weights, and two D steps
per G step at halved learning rates (G 5e-5, D 2e-4, Adam betas (0, 0.999)). These are the defaults here; the
authors' BigGAN-PyTorch recipes (TTUR 1e-4 / 4e-4, one D step) are the zoo cards.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from typing import Any

import torch
from torch import Tensor, nn

from ganzoo import losses
from ganzoo.models.conditional import ConditionalGANModule
from ganzoo.models.latent import LossName
from ganzoo.nn.biggan import BigGANDiscriminator, BigGANGenerator, InitStyle
from ganzoo.registry import PAPERS


class BigGANFamily(ConditionalGANModule):
    """What BigGAN and BigGAN-deep share around their networks: orthogonal regularization of G (all weights
    but the class embedding, ``class_embedding_module``), the hinge game, Adam with beta1 = 0, and an EMA of
    G from generator step 20k.

    Args:
        ortho_reg: beta of the paper's orthogonal regularization of G.
        **kwargs: everything ``ConditionalGANModule`` takes.
    """

    paper_optimizer = functools.partial(torch.optim.Adam, betas=(0.0, 0.999), eps=1e-8)

    def __init__(
        self,
        generator: nn.Module,
        discriminator: nn.Module | None,
        *,
        ortho_reg: float,
        loss: LossName = "hinge",
        ema_decay: float | None = 0.9999,
        ema_start: int = 20000,
        **kwargs: Any,
    ) -> None:
        if ortho_reg < 0:
            raise ValueError(f"ortho_reg must be >= 0, got {ortho_reg}")
        super().__init__(
            generator, discriminator, loss=loss, ema_decay=ema_decay, ema_start=ema_start, **kwargs
        )

    def class_embedding_module(self) -> nn.Module | None:
        """G's class embedding, which orthogonal regularization leaves alone, as the authors do."""
        raise NotImplementedError

    def ortho_weights(self) -> Iterator[Tensor]:
        """G's parameters under orthogonal regularization: all but the class embedding."""
        embedding = self.class_embedding_module()
        excluded = set() if embedding is None else {id(p) for p in embedding.parameters()}
        return (p for p in self.generator.parameters() if id(p) not in excluded)

    def g_loss(self, batch: Any) -> dict[str, Tensor]:
        out = super().g_loss(batch)
        if self.hparams.ortho_reg > 0:
            out["ortho"] = losses.orthogonal_regularization(self.ortho_weights(), self.hparams.ortho_reg)
            out["loss"] = out["loss"] + out["ortho"]
        return out


@PAPERS.register
class BigGAN(BigGANFamily):
    """Args (the BigGAN-PyTorch flag in brackets):
    image_size: 32, 64, 128 or 256 [resolution].
    num_classes, class_names: see ``ConditionalGANModule``; ``class_names="imagenet"`` for ImageNet.
    latent_dim: size of z [dim_z]; 120 at 128px splits into 6 chunks of 20.
    g_ch, d_ch: channel multipliers [G_ch, D_ch].
    shared_dim: shared class embedding size, 0 for per-layer class embeddings [shared_dim, G_shared].
    hier: hierarchical latents [hier].
    g_attention, d_attention: resolutions with self-attention [G_attn, D_attn] (empty: none).
    d_wide: D's hidden width is its output width [D_wide].
    bn_eps, sn_eps: [BN_eps, SN_eps].
    init: weight initialisation, ``"ortho"``, ``"N02"`` or ``"xavier"`` [G_init, D_init]; ``None`` keeps
        torch's default, for a model about to load trained weights [skip_init].
    ortho_reg: beta of the paper's orthogonal regularization of G, all weights but the shared embedding
        [G_ortho, whose direct gradient update equals this penalty at ortho_reg = G_ortho / 2].
    generator_only: build G alone (no D), the form of the published generator checkpoints, for inference.
    **kwargs: everything ``GANModule`` takes (``d_steps``, ``lr_g``, ``ema_decay``, ``optimizer`` [Adam
        betas (0, 0.999), eps 1e-8 by default; the recipes' adam_eps goes in its ``eps``], ...).
    """

    def __init__(
        self,
        image_size: int = 128,
        num_classes: int = 1000,
        class_names: Sequence[str] | str | None = None,
        latent_dim: int = 120,
        g_ch: int = 96,
        d_ch: int = 96,
        shared_dim: int = 128,
        hier: bool = True,
        g_attention: Sequence[int] = (64,),
        d_attention: Sequence[int] = (64,),
        d_wide: bool = True,
        bn_eps: float = 1e-5,
        sn_eps: float = 1e-6,
        init: InitStyle | None = "ortho",
        ortho_reg: float = 1e-4,
        loss: LossName = "hinge",
        d_steps: int = 2,
        lr_g: float = 5e-5,
        lr_d: float = 2e-4,
        ema_decay: float | None = 0.9999,
        ema_start: int = 20000,
        generator_only: bool = False,
        **kwargs: Any,
    ) -> None:
        generator = BigGANGenerator(
            image_size, num_classes, latent_dim, g_ch, shared_dim, hier, g_attention, bn_eps, sn_eps, init
        )
        discriminator = (
            None
            if generator_only
            else BigGANDiscriminator(image_size, num_classes, d_ch, d_attention, d_wide, sn_eps, init)
        )
        super().__init__(
            generator,
            discriminator,
            ortho_reg=ortho_reg,
            num_classes=num_classes,
            class_names=class_names,
            latent_dim=latent_dim,
            loss=loss,
            d_steps=d_steps,
            lr_g=lr_g,
            lr_d=lr_d,
            ema_decay=ema_decay,
            ema_start=ema_start,
            **kwargs,
        )

    def class_embedding_module(self) -> nn.Module | None:
        return self.generator.shared

    @torch.no_grad()
    def accumulate_standing_stats(
        self, num_batches: int = 16, batch_size: int = 64, truncation: float | None = None, seed: int = 0
    ) -> None:
        """Give the sampling generator's batch norms "standing statistics" (the paper's Sec. 4 evaluation,
        BigGAN-PyTorch's ``--accumulate_stats``): the average of the batch statistics of ``num_batches``
        forward passes of its own samples, at ``truncation``, in place of the running averages of training.

        Only the batch norms run in training mode, so spectral norm's power iteration does not advance.
        """
        net = self.sampling_generator
        norms = [m for m in net.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
        momenta = [m.momentum for m in norms]
        was_training = net.training
        rng = torch.Generator(device=self.device).manual_seed(seed)
        net.eval()
        try:
            for m in norms:
                m.reset_running_stats()
                m.momentum = None  # a cumulative average over the passes
                m.train()
            for _ in range(num_batches):
                z = self.sample_latent(batch_size, generator=rng, truncation=truncation)
                net(z.to(self.dtype), self.sample_labels(batch_size, rng))
        finally:
            for m, momentum in zip(norms, momenta, strict=True):
                m.momentum = momentum
            net.train(was_training)
