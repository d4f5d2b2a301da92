"""BigGAN-deep: Brock et al., "Large Scale GAN Training for High Fidelity Natural Image Synthesis", ICLR 2019
(Appendix B), the deeper variant behind DeepMind's published 128/256/512 ImageNet generators.

BigGAN's game and recipe (hinge loss, spectral norm, EMA of G, Adam with beta1 = 0) with BigGAN-deep's
networks: bottleneck residual blocks, two per resolution, all of z with the class embedding conditioning every
batch norm, and batch-norm statistics kept per truncation so that truncated samples are normalized with
statistics measured at their truncation. Defaults follow the authors' BigGAN-PyTorch
``launch_BigGAN_deep.sh``: ch 128 in both networks, lr 1e-4 (G) / 4e-4 (D), one D step per G step, no
orthogonal regularization, BN eps 1e-5, SN eps 1e-6, Adam eps 1e-6, EMA 0.9999 from step 20000.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from typing import Any

import torch
from torch import Tensor, nn

from ganzoo.models.biggan import BigGANFamily
from ganzoo.nn.biggan import InitStyle
from ganzoo.nn.biggan_deep import BigGANDeepDiscriminator, BigGANDeepGenerator, StandingBatchNorm
from ganzoo.nn.truncation import truncated_normal
from ganzoo.registry import PAPERS


@PAPERS.register
class BigGANDeep(BigGANFamily):
    """Args:
    image_size: 128, 256 or 512 as published; 32 and 64 for small experiments.
    num_classes, class_names: see ``ConditionalGANModule``; ``class_names="imagenet"`` for ImageNet.
    latent_dim: size of z (128); embed_dim: size of the class embedding (128).
    g_ch, d_ch: channel multipliers (128).
    g_attention, d_attention: resolution of the self-attention block (64; ``None``: none).
    n_stats: truncation values with their own batch-norm statistics (51 in the published models).
    bn_eps, sn_eps: batch norm's and spectral norm's epsilons (1e-4 for both in the published models).
    ortho_reg, generator_only, init: as in ``BigGAN``; a generator-only model samples but cannot train, and
        ``init=None`` skips the initialisation of a model about to load weights.
    **kwargs: everything ``GANModule`` takes (the optimizer: Adam betas (0, 0.999), eps 1e-6).
    """

    paper_optimizer = functools.partial(torch.optim.Adam, betas=(0.0, 0.999), eps=1e-6)

    def __init__(
        self,
        image_size: int = 128,
        num_classes: int = 1000,
        class_names: Sequence[str] | str | None = None,
        latent_dim: int = 128,
        embed_dim: int = 128,
        g_ch: int = 128,
        d_ch: int = 128,
        g_attention: int | None = 64,
        d_attention: int | None = 64,
        n_stats: int = 51,
        bn_eps: float = 1e-5,
        sn_eps: float = 1e-6,
        ortho_reg: float = 0.0,
        d_steps: int = 1,
        lr_g: float = 1e-4,
        lr_d: float = 4e-4,
        generator_only: bool = False,
        init: InitStyle | None = "ortho",
        **kwargs: Any,
    ) -> None:
        generator = BigGANDeepGenerator(
            image_size,
            latent_dim=latent_dim,
            num_classes=num_classes,
            embed_dim=embed_dim,
            channel_width=g_ch,
            attention_resolution=g_attention,
            n_stats=n_stats,
            bn_eps=bn_eps,
            sn_eps=sn_eps,
            init=init,
        )
        discriminator = (
            None
            if generator_only
            else BigGANDeepDiscriminator(
                image_size,
                num_classes=num_classes,
                channel_width=d_ch,
                attention_resolution=d_attention,
                sn_eps=sn_eps,
                init=init,
            )
        )
        super().__init__(
            generator,
            discriminator,
            ortho_reg=ortho_reg,
            num_classes=num_classes,
            class_names=class_names,
            latent_dim=latent_dim,
            d_steps=d_steps,
            lr_g=lr_g,
            lr_d=lr_d,
            **kwargs,
        )

    def class_embedding_module(self) -> nn.Module:
        return self.generator.embed

    # --- inference --------------------------------------------------------------------------------

    def generate(self, net: nn.Module, z: Tensor, labels: Tensor, truncation: float | None) -> Tensor:
        """The truncation also picks G's batch-norm statistics."""
        return net(z, labels, truncation)

    def make_inference_generator(self) -> BigGANDeepGenerator:
        """``BigGANDeepGenerator.for_inference`` of the sampling generator: spectral norm folded into plain
        weights, unused output channels dropped, channels-last; the same images, faster."""
        return self.sampling_generator.for_inference()

    @torch.no_grad()
    def accumulate_standing_stats(
        self,
        num_batches: int = 16,
        batch_size: int = 64,
        truncation: float | None = None,
        seed: int = 0,
        slots: Sequence[int] | None = None,
    ) -> None:
        """Re-measure the batch-norm statistics of truncation slots of the sampling generator.

        BigGAN's "standing statistics", per truncation: run G in training mode on ``num_batches`` batches of
        z drawn at each slot's truncation (z = 0 at truncation 0) and store the average batch mean and
        variance, as the published models' statistics were made. Training alone leaves every slot at the
        untruncated running average. ``truncation`` limits the work to the slots sampling at it reads (one,
        or its two grid neighbours), ``slots`` to the given ones (slot i holds truncation i / (n_stats - 1));
        by default every slot. Only the batch norms run in training mode; spectral norm keeps its vectors.
        """
        net = self.sampling_generator
        norms = [m for m in net.modules() if isinstance(m, StandingBatchNorm)]
        n_stats = norms[0].running_means.shape[0]
        if truncation is not None:
            coef, index = math.modf(truncation / norms[0].step_size)
            slots = [int(index)] if coef == 0.0 else [int(index), int(index) + 1]
        slots = list(range(n_stats) if slots is None else slots)
        if any(not 0 <= i < n_stats for i in slots):
            raise ValueError(f"slots must be in [0, {n_stats}), got {slots}")
        # Accumulated apart from the buffers, which each training-mode forward moves towards its batch.
        means = {
            m: m.running_means.index_fill(0, torch.tensor(slots, device=self.device), 0.0) for m in norms
        }
        variances = {
            m: m.running_vars.index_fill(0, torch.tensor(slots, device=self.device), 0.0) for m in norms
        }
        slot = 0

        def measure(module: StandingBatchNorm, args: tuple[Any, ...]) -> None:
            var, mean = torch.var_mean(args[0], dim=(0, 2, 3), correction=1)
            means[module][slot] += mean / num_batches
            variances[module][slot] += var / num_batches

        hooks = [m.register_forward_pre_hook(measure) for m in norms]
        rng = torch.Generator(device=self.device).manual_seed(seed)
        was_training = net.training
        net.eval()
        for m in norms:
            m.train()
        try:
            for slot in slots:
                truncation = slot / (n_stats - 1)
                for _ in range(num_batches):
                    shape = (batch_size, self.latent_dim)
                    z = (
                        torch.zeros(shape, device=self.device)
                        if slot == 0
                        else truncated_normal(shape, truncation, generator=rng, device=self.device)
                    )
                    net(z, self.sample_labels(batch_size, rng), truncation)
        finally:
            for hook in hooks:
                hook.remove()
            net.train(was_training)
        for m in norms:
            m.running_means.copy_(means[m])
            m.running_vars.copy_(variances[m])
        self._inference_generator = None  # made from the old statistics
