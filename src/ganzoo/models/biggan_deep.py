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

import itertools
import math
from collections.abc import Iterator, Sequence
from typing import Any

import torch
from torch import Tensor, nn

from ganzoo.models.base import LossName
from ganzoo.models.biggan import BigGAN
from ganzoo.nn.biggan import InitStyle
from ganzoo.nn.biggan_deep import BigGANDeepDiscriminator, BigGANDeepGenerator, StandingBatchNorm
from ganzoo.nn.truncation import truncated_normal


class BigGANDeep(BigGAN):
    """Args:
    image_size: 128, 256 or 512 as published; 32 and 64 for small experiments.
    num_classes, class_names: see ``ConditionalGANModule``; ``class_names="imagenet"`` for ImageNet.
    latent_dim: size of z (128); embed_dim: size of the class embedding (128).
    g_ch, d_ch: channel multipliers (128).
    g_attention, d_attention: resolution of the self-attention block (64; ``None``: none).
    n_stats: truncation values with their own batch-norm statistics (51 in the published models).
    bn_eps, sn_eps: batch norm's and spectral norm's epsilons (1e-4 for both in the published models).
    ortho_reg, adam_eps, generator_only, init: as in ``BigGAN``; a generator-only model samples but cannot
        train, and ``init=None`` skips the initialisation of a model about to load weights.
    **kwargs: everything ``GANModule`` takes.
    """

    _inference_generator: BigGANDeepGenerator | None = None  # set by optimize_for_inference, never saved
    _inference_version = -1

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
        loss: LossName = "hinge",
        d_steps: int = 1,
        lr_g: float = 1e-4,
        lr_d: float = 4e-4,
        betas: tuple[float, float] = (0.0, 0.999),
        adam_eps: float = 1e-6,
        ema_decay: float | None = 0.9999,
        ema_start: int = 20000,
        generator_only: bool = False,
        init: InitStyle | None = "ortho",
        **kwargs: Any,
    ) -> None:
        if ortho_reg < 0:
            raise ValueError(f"ortho_reg must be >= 0, got {ortho_reg}")
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
            nn.ModuleDict()
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
        # Skip BigGAN's constructor, which builds BigGAN's networks; everything else of BigGAN (orthogonal
        # regularization in g_loss, Adam's epsilon) applies unchanged to these.
        super(BigGAN, self).__init__(
            generator,
            discriminator,
            num_classes=num_classes,
            class_names=class_names,
            latent_dim=latent_dim,
            loss=loss,
            d_steps=d_steps,
            lr_g=lr_g,
            lr_d=lr_d,
            betas=betas,
            ema_decay=ema_decay,
            ema_start=ema_start,
            **kwargs,
        )

    def ortho_weights(self) -> Iterator[Tensor]:
        """G's parameters but the class embedding, as for BigGAN's shared embedding."""
        embed = {id(p) for p in self.generator.embed.parameters()}
        return (p for p in self.generator.parameters() if id(p) not in embed)

    # --- inference --------------------------------------------------------------------------------

    def generate(self, net: nn.Module, z: Tensor, labels: Tensor, truncation: float | None) -> Tensor:
        if self._inference_generator is not None and net is self.sampling_generator and not net.training:
            if self._inference_version != _version(net):  # weights changed since the copy: copy again
                self.optimize_for_inference()
            net = self._inference_generator
        return net(z, labels, truncation)

    def optimize_for_inference(self) -> BigGANDeep:
        """Sample through a frozen copy of the sampling generator, ``BigGANDeepGenerator.for_inference``
        (spectral norm folded into plain weights, unused output channels dropped, channels-last): the
        same images, faster.

        The copy follows ``.to()`` and is remade when the generator's weights change in place (a loaded state
        dict, an optimizer step); entering training mode drops it, so training is unaffected. ``ganzoo.load``
        calls this. Returns ``self``.
        """
        net = self.sampling_generator
        self.__dict__["_inference_generator"] = net.for_inference()
        self.__dict__["_inference_version"] = _version(net)
        return self

    def train(self, mode: bool = True) -> BigGANDeep:
        if mode:
            self.__dict__["_inference_generator"] = None
        return super().train(mode)

    def _apply(self, fn: Any, *args: Any, **kwargs: Any) -> BigGANDeep:
        super()._apply(fn, *args, **kwargs)
        if self._inference_generator is not None:
            self._inference_generator._apply(fn, *args, **kwargs)
        return self

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
        self.__dict__["_inference_generator"] = None


def _version(module: nn.Module) -> int:
    """Sum of the in-place modification counters of ``module``'s tensors: changes whenever its weights do
    (tensors made under ``torch.inference_mode`` keep no counter and count as unchanged)."""
    tensors = itertools.chain(module.parameters(), module.buffers())
    return sum(0 if t.is_inference() else t._version for t in tensors)
