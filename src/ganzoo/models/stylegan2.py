"""StyleGAN2: Karras et al., "Analyzing and Improving the Image Quality of StyleGAN", CVPR 2020; with the
adaptive discriminator augmentation of Karras et al., "Training Generative Adversarial Networks with Limited
Data", NeurIPS 2020 (StyleGAN2-ADA) as an option.

Config F: the mapping network (8 layers, lr x0.01), weight demodulation, a skip generator and residual
discriminator, the non-saturating logistic loss, lazy R1 on D every 16 steps (gamma 10 at 1024px) and path
length regularisation on G every 4 steps (weight 2, on half the batch), style mixing with probability 0.9,
Adam (0, 0.99) at 0.002 with the lazy-regularisation correction of lr and betas, and an EMA of G with a
half-life of ``ema_kimg`` thousand images (optionally ramped up over the first images). ADA is enabled with
``ada_target`` (0.6 in the paper): every ``ada_interval`` D steps ``p`` moves by sign(E[sign D(x)] - target)
at a rate that would take it from 0 to 1 in ``ada_kimg`` thousand images. ``blur_init_sigma`` blurs every
image D sees with a Gaussian whose sigma fades linearly to zero over ``blur_fade_kimg`` thousand images
(StyleGAN3's stabiliser for the start of training, off here).

The networks are NVIDIA's (``ganzoo.nn.stylegan2``), so their published pickles load into this class.
"""

from __future__ import annotations

import copy
import functools
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ganzoo import losses
from ganzoo.images import save_image_grid
from ganzoo.models.base import LazyRegularizer
from ganzoo.models.conditional import Classes, ConditionalGANModule
from ganzoo.nn.ada import AugmentPipe, ada_adjustment
from ganzoo.nn.stylegan2 import StyleGAN2Discriminator, StyleGAN2Generator
from ganzoo.nn.upfirdn2d import filter2d
from ganzoo.registry import PAPERS

_PIXELS_PER_CHUNK_CPU = 2**22
"""Images a CPU runs through the generator at once: 4 at 1024px, 64 at 256px (bounded activation memory)."""


def gaussian_taps(sigma: float) -> Tensor:
    """The 1-D blur of D's inputs: ``2 floor(3 sigma) + 1`` taps ``2^-(x / sigma)^2``, summing to one."""
    size = math.floor(sigma * 3)
    taps = torch.exp2(-((torch.arange(-size, size + 1, dtype=torch.float32) / sigma) ** 2))
    return taps / taps.sum()


@PAPERS.register
class StyleGAN2(ConditionalGANModule):
    """Args (NVIDIA's names, so a network pickle's arguments carry over):
    z_dim, w_dim: latent and intermediate latent sizes (512).
    c_dim: classes of a conditional model (0: unconditional); samples take ``classes=``.
    img_resolution, img_channels: the images.
    mapping_kwargs: ``MappingNetwork`` arguments (``num_layers`` 8, ``lr_multiplier`` 0.01, ...).
    synthesis_kwargs: generator arguments (``channel_base`` 32768, ``channel_max`` 512, ``conv_clamp``,
        ``architecture`` "skip", ...); see ``ganzoo.nn.stylegan2.SynthesisNetwork``.
    discriminator_kwargs: ``StyleGAN2Discriminator`` arguments (``channel_base``, ``epilogue_kwargs``
        ``{"mbstd_group_size": 4}``, ...).
    class_names: names for ``classes=`` (e.g. ``"cifar10"``).
    generator_only: build G alone, the form published generators load into.
    r1_gamma, r1_every: R1 weight gamma (the penalty is gamma/2 E||grad D||^2) and its lazy interval.
    pl_weight, pl_every, pl_batch_shrink, pl_decay: path length regularisation (0 disables).
    style_mixing_prob: probability of mixing two latents at a random layer during training.
    ema_kimg, ema_rampup: EMA half-life in thousands of images; with a ramp-up the half-life is at most
        ``ema_rampup`` times the images seen (``None``: no ramp, config F). ``ema_kimg=None``: no EMA.
    ada_target: the overfitting heuristic's target for ADA (``None``: no adaptive augmentation).
    ada_interval, ada_kimg: how often p is updated and how fast it may move.
    blur_init_sigma, blur_fade_kimg: sigma (pixels) of the Gaussian blur of D's inputs at the start and the
        thousands of images over which it fades to 0 (``None``: ``batch_size * 200 / 32``, NVIDIA's).
    augment_p: a fixed augmentation probability (the start value of p under ADA).
    augment_kwargs: ``AugmentPipe`` arguments (which transforms, their strengths).
    **kwargs: everything ``GANModule`` takes (``lr_g``, ``lr_d``, ``optimizer``, ...).
    """

    paper_optimizer = functools.partial(torch.optim.Adam, betas=(0.0, 0.99), eps=1e-8)
    generator_class: type[nn.Module] = StyleGAN2Generator

    def __init__(
        self,
        z_dim: int = 512,
        c_dim: int = 0,
        w_dim: int = 512,
        img_resolution: int = 1024,
        img_channels: int = 3,
        mapping_kwargs: dict[str, Any] | None = None,
        synthesis_kwargs: dict[str, Any] | None = None,
        discriminator_kwargs: dict[str, Any] | None = None,
        class_names: Sequence[str] | str | None = None,
        generator_only: bool = False,
        r1_gamma: float = 10.0,
        r1_every: int = 16,
        pl_weight: float = 2.0,
        pl_every: int = 4,
        pl_batch_shrink: int = 2,
        pl_decay: float = 0.01,
        style_mixing_prob: float = 0.9,
        ema_kimg: float | None = 10.0,
        ema_rampup: float | None = None,
        ada_target: float | None = None,
        ada_interval: int = 4,
        ada_kimg: float = 500.0,
        augment_p: float = 0.0,
        augment_kwargs: dict[str, Any] | None = None,
        blur_init_sigma: float = 0.0,
        blur_fade_kimg: float | None = None,
        lr_g: float = 0.002,
        lr_d: float = 0.002,
        **kwargs: Any,
    ) -> None:
        if not 0.0 <= style_mixing_prob <= 1.0:
            raise ValueError(f"style_mixing_prob must be in [0, 1], got {style_mixing_prob}")
        if r1_gamma < 0 or pl_weight < 0:
            raise ValueError(f"r1_gamma and pl_weight must be >= 0, got {r1_gamma} and {pl_weight}")
        if ada_target is not None and not 0.0 < ada_target < 1.0:
            raise ValueError(f"ada_target must be in (0, 1), got {ada_target}")
        generator = self.generator_class(
            z_dim, c_dim, w_dim, img_resolution, img_channels, mapping_kwargs, **(synthesis_kwargs or {})
        )
        discriminator = (
            None
            if generator_only
            else StyleGAN2Discriminator(c_dim, img_resolution, img_channels, **(discriminator_kwargs or {}))
        )
        super().__init__(
            generator,
            discriminator,
            num_classes=c_dim or None,
            class_names=class_names,
            latent_dim=z_dim,
            loss="nonsaturating",
            lr_g=lr_g,
            lr_d=lr_d,
            **kwargs,
        )
        if ema_kimg is not None and not generator_only:
            self.generator_ema = copy.deepcopy(generator).requires_grad_(False)
        self.augment_pipe = AugmentPipe(**(augment_kwargs or {})) if (ada_target or augment_p) else None
        if self.augment_pipe is not None:
            self.augment_pipe.p.fill_(augment_p)
        self.blur_init_sigma, self.blur_fade_kimg = blur_init_sigma, blur_fade_kimg
        self.register_buffer("pl_mean", torch.zeros(()))
        self.register_buffer("ada_signs", torch.zeros(2))  # sum of sign(D(real)) and its count since update
        self._batch_size = 1  # images per step across devices, set by each training step

    # --- conditioning -----------------------------------------------------------------------------

    def class_vectors(self, labels: Tensor | None) -> Tensor | None:
        """The one-hot ``c`` NVIDIA's networks take (class vectors pass through)."""
        if labels is None:
            return None
        if labels.is_floating_point():
            return labels
        return F.one_hot(labels, self.hparams.c_dim).to(torch.float32)

    # --- the game ---------------------------------------------------------------------------------

    def synthesize(
        self, n: int, labels: Tensor | None, *, update_emas: bool = False
    ) -> tuple[Tensor, Tensor]:
        """(images, ws) of ``n`` fresh latents, with style mixing at a random layer with
        ``style_mixing_prob`` (Sec. 3.4 of StyleGAN), from the trained generator."""
        g = self.generator
        c = self.class_vectors(labels)
        z = self.sample_latent(n)
        ws = g.mapping(z, c, update_emas=update_emas)
        if self.hparams.style_mixing_prob > 0 and torch.rand(()) < self.hparams.style_mixing_prob:
            cutoff = int(torch.randint(1, ws.shape[1], ()))
            ws = torch.cat([ws[:, :cutoff], g.mapping(torch.randn_like(z), c)[:, cutoff:]], dim=1)
        return g.synthesis(ws, noise_mode="random", **self.synthesis_training_kwargs(update_emas)), ws

    def synthesis_training_kwargs(self, update_emas: bool) -> dict[str, Any]:
        """Extra synthesis arguments during training (StyleGAN3 tracks input magnitudes)."""
        return {}

    def fakes(self, batch: Any, n: int | None = None) -> tuple[Tensor, Tensor | None]:
        n = self.real_images(batch).shape[0] if n is None else n
        labels = self.sample_labels(n)
        return self.synthesize(n, labels)[0], labels

    def fake_batch(self, batch: Any) -> tuple[Tensor, Tensor | None]:
        """D's fakes; generating them updates G's running mean of w (and StyleGAN3's magnitudes)."""
        n = self.real_images(batch).shape[0]
        labels = self.sample_labels(n)
        with torch.no_grad():
            return self.synthesize(n, labels, update_emas=True)[0], labels

    def blur_sigma(self) -> float:
        """Sigma of the blur of D's inputs, ``max(1 - nimg / fade, 0) * blur_init_sigma`` with ``nimg`` the
        real images shown before this step (NVIDIA's ``cur_nimg``: D steps times the batch)."""
        fade = self.blur_fade_kimg
        fade = self._batch_size * 200 / 32 if fade is None else fade
        if fade <= 0:
            return 0.0
        nimg = int(self.num_d_steps) * self._batch_size
        return max(1 - nimg / (fade * 1e3), 0.0) * self.blur_init_sigma

    def critic(self, images: Tensor, condition: Tensor | None) -> Tensor:
        sigma = self.blur_sigma()
        if math.floor(sigma * 3) > 0:
            images = filter2d(images, gaussian_taps(sigma).to(images.device))
        if self.augment_pipe is not None:
            images = self.augment_pipe(images)
        return self.discriminator(images, self.class_vectors(condition))

    def d_loss(self, batch: Any) -> dict[str, Tensor]:
        real, labels = self.real_inputs(batch)
        fake, fake_labels = self.fake_batch(batch)
        real_out, fake_out = self.critic(real, labels), self.critic(fake, fake_labels)
        return {
            "loss": self.loss_d(real_out, fake_out),
            "d_real": real_out.mean(),
            "d_fake": fake_out.mean(),
            "d_real_sign": real_out.sign().mean(),
        }

    def after_d_step(self, out: dict[str, Tensor]) -> None:
        """ADA's update of p every ``ada_interval`` D steps, from the mean sign of D on reals since then."""
        if self.hparams.ada_target is None:
            return
        self.ada_signs += torch.stack([out["d_real_sign"].float(), torch.ones((), device=self.device)])
        if (int(self.num_d_steps) + 1) % self.hparams.ada_interval:
            return
        rt = float(self.ada_signs[0] / self.ada_signs[1])
        adjust = ada_adjustment(
            rt, self.hparams.ada_target, self._batch_size, self.hparams.ada_interval, self.hparams.ada_kimg
        )
        self.augment_pipe.p.copy_((self.augment_pipe.p + adjust).clamp(min=0))
        self.ada_signs.zero_()
        if self._trainer is None:
            return
        self.log("train/ada_p", self.augment_pipe.p, on_step=True, on_epoch=False)
        self.log("train/ada_rt", rt, on_step=True, on_epoch=False)

    def r1_loss(self, batch: Any) -> dict[str, Tensor]:
        """gamma / 2 E[||grad_x D(x)||^2] on reals (through the augmentations, as NVIDIA's loss)."""
        real, labels = self.real_inputs(batch)
        penalty = losses.r1_penalty(lambda x: self.critic(x, labels), real.detach())
        return {"loss": penalty * (self.hparams.r1_gamma / 2)}

    def path_length_loss(self, batch: Any) -> dict[str, Tensor]:
        """pl_weight E[(||J_w^T y|| - a)^2] with y ~ N(0, I) / sqrt(H W) and a the running mean of the
        lengths (Sec. 3.2), on ``1 / pl_batch_shrink`` of the batch."""
        n = max(self.real_images(batch).shape[0] // self.hparams.pl_batch_shrink, 1)
        images, ws = self.synthesize(n, self.sample_labels(n))
        noise = torch.randn_like(images) / math.sqrt(images.shape[2] * images.shape[3])
        (grads,) = torch.autograd.grad((images * noise).sum(), ws, create_graph=True)
        lengths = grads.square().sum(2).mean(1).sqrt()
        pl_mean = self.pl_mean.lerp(lengths.mean(), self.hparams.pl_decay)
        self.pl_mean.copy_(pl_mean.detach())
        penalty = (lengths - pl_mean).square().mean()
        return {"loss": penalty * self.hparams.pl_weight, "pl_length": lengths.mean().detach()}

    def lazy_regularizers(self) -> Sequence[LazyRegularizer]:
        terms = []
        if self.hparams.r1_gamma > 0:
            terms.append(LazyRegularizer("r1", "discriminator", self.hparams.r1_every, self.r1_loss))
        if self.hparams.pl_weight > 0:
            terms.append(
                LazyRegularizer("path_length", "generator", self.hparams.pl_every, self.path_length_loss)
            )
        return terms

    def training_step(self, batch: Any, batch_idx: int) -> None:
        self._batch_size = self.real_images(batch).shape[0] * (
            self.trainer.world_size if self._trainer else 1
        )
        super().training_step(batch, batch_idx)

    def ema_decay_for(self, batch: Any) -> float:
        """0.5 ** (batch / half-life in images), the half-life capped by the ramp-up (NVIDIA's ema_beta)."""
        ema_nimg = self.hparams.ema_kimg * 1000
        if self.hparams.ema_rampup is not None:
            ema_nimg = min(ema_nimg, (int(self.num_g_steps) - 1) * self._batch_size * self.hparams.ema_rampup)
        return 0.5 ** (self._batch_size / max(ema_nimg, 1e-8))

    def configure_optimizers(self) -> Any:
        """Adam with lr and betas corrected for the steps lazy regularisation adds (c = every / (every + 1):
        lr * c, beta ** c), as in App. B of the paper."""
        configured = super().configure_optimizers()
        optimizers = configured[0] if isinstance(configured, tuple) else configured
        intervals = {
            "discriminator": self.hparams.r1_every if self.hparams.r1_gamma > 0 else None,
            "generator": self.hparams.pl_every if self.hparams.pl_weight > 0 else None,
        }
        for opt, network in zip(optimizers, ("discriminator", "generator"), strict=True):
            every = intervals[network]
            if every is None or every == 1:
                continue
            ratio = every / (every + 1)
            for group in opt.param_groups:
                group["lr"] *= ratio
                if "betas" in group:
                    group["betas"] = tuple(b**ratio for b in group["betas"])
        return configured

    # --- sampling and editing ---------------------------------------------------------------------

    def make_inference_generator(self) -> nn.Module | None:
        """On a CPU, a copy whose modulated convolutions each take the cheaper of modulating the weights or
        the activations, with demodulation from precomputed weight norms, run one image at a time (same
        outputs to float rounding); ``None`` elsewhere and for networks without such blocks."""
        net = self.sampling_generator
        blocks = [m for m in net.modules() if hasattr(m, "fused_modconv_default")]
        if self.device.type != "cpu" or not blocks:
            return None
        copy_ = copy.deepcopy(net).requires_grad_(False).eval()
        for module in copy_.modules():
            if hasattr(module, "fused_modconv_default"):
                module.fused_modconv_default = "cheapest"
            if hasattr(module, "prepare_for_inference"):
                module.prepare_for_inference()
        return copy_

    def _chunks(self, n: int) -> list[slice]:
        """Batches bounded in pixels; the CPU inference copy runs one image at a time, since there a plain
        convolution with one image's modulated weights beats any batched form (and memory stays one
        image's)."""
        res = self.hparams.img_resolution
        size = max(1, _PIXELS_PER_CHUNK_CPU // (res * res))
        if self.device.type != "cpu":
            size *= 16
        elif self._inference_generator is not None:
            size = 1
        return [slice(i, min(i + size, n)) for i in range(0, n, size)]

    def seed_latents(self, seeds: Sequence[int]) -> Tensor:
        """z [len(seeds), z_dim], one row per seed drawn as NVIDIA's ``gen_images.py`` and
        ``style_mixing.py`` draw it (``np.random.RandomState(seed).randn(z_dim)``), so that a seed names
        the same image as in their tools."""
        z = np.stack([np.random.RandomState(seed).randn(self.latent_dim) for seed in seeds])
        return torch.from_numpy(z).to(self.device, torch.float32)

    def sampling_inputs(
        self,
        n: int,
        generator: torch.Generator | None,
        z: Tensor | None,
        *,
        truncation: float = 1.0,
        truncation_cutoff: int | None = None,
        noise_mode: str = "const",
        classes: Classes = None,
    ) -> tuple[Any, ...]:
        """(z, labels, psi, cutoff, noise_mode). ``truncation`` is StyleGAN's psi in W: each w moves towards
        the tracked mean ``w_avg`` (``w_avg + psi (w - w_avg)``), for the first ``truncation_cutoff``
        layers (all by default). BigGAN's truncation instead redraws z from a truncated normal."""
        z = self.sample_latent(n, generator=generator) if z is None else z.to(self.device, torch.float32)
        return z, self.resolve_classes(classes, n, generator), truncation, truncation_cutoff, noise_mode

    def generate(
        self,
        net: nn.Module,
        z: Tensor,
        labels: Tensor | None,
        psi: float,
        cutoff: int | None,
        noise_mode: str,
    ) -> Tensor:
        c = self.class_vectors(labels)
        return torch.cat(
            [
                net(z[s], None if c is None else c[s], psi, cutoff, noise_mode=noise_mode)
                for s in self._chunks(z.shape[0])
            ]
        )

    @torch.no_grad()
    def mapping(
        self,
        z: Tensor,
        c: Tensor | None = None,
        truncation: float = 1.0,
        truncation_cutoff: int | None = None,
    ) -> Tensor:
        """ws [N, num_ws, w_dim] of the inference generator; ``c`` is class indices or one-hot vectors."""
        net = self.inference_generator
        return net.mapping(
            z.to(self.device, torch.float32), self.class_vectors(c), truncation, truncation_cutoff
        )

    @torch.no_grad()
    def synthesis(self, ws: Tensor, noise_mode: str = "const") -> Tensor:
        """Images in about [-1, 1] from ws, in chunks; ``noise_mode`` "const" (the stored noise images),
        "random" or "none"."""
        net = self.inference_generator
        was_training = net.training
        net.eval()
        try:
            return torch.cat([net.synthesis(ws[s], noise_mode=noise_mode) for s in self._chunks(ws.shape[0])])
        finally:
            net.train(was_training)

    def _mixed_ws(
        self,
        row_seeds: Sequence[int],
        col_seeds: Sequence[int],
        layers: Sequence[int],
        truncation: float,
        classes: Classes,
    ) -> tuple[Tensor, Tensor, Tensor]:
        """(row ws, column ws, mixed ws [R * C, num_ws, w_dim])."""
        num_ws = self.inference_generator.num_ws
        bad = [i for i in layers if not 0 <= i < num_ws]
        if bad:
            raise ValueError(f"layers must be ws indices in [0, {num_ws}), got {bad}")
        seeds = [*row_seeds, *col_seeds]
        ws = self.mapping(self.seed_latents(seeds), self.resolve_classes(classes, len(seeds)), truncation)
        rows, cols = ws[: len(row_seeds)], ws[len(row_seeds) :]
        mixed = rows[:, None].repeat(1, len(col_seeds), 1, 1)
        index = torch.as_tensor(list(layers), device=ws.device, dtype=torch.long)
        mixed[:, :, index] = cols[None][:, :, index].expand(len(row_seeds), -1, -1, -1)
        return rows, cols, mixed.flatten(0, 1)

    @torch.no_grad()
    def mix(
        self,
        row_seeds: Sequence[int],
        col_seeds: Sequence[int],
        layers: Sequence[int],
        *,
        truncation: float = 1.0,
        classes: Classes = None,
        noise_mode: str = "const",
    ) -> Tensor:
        """Style mixing: cell (i, j) is row seed i's ws with the ``layers`` (ws indices) of column seed j,
        as in Fig. 3 of StyleGAN (coarse layers 0-3 take pose and shape, fine ones colour). Returns
        [len(row_seeds), len(col_seeds), C, H, W]. A seed's z is NVIDIA's (``seed_latents``), so the rows and
        columns are those of their ``style_mixing.py`` for the same seeds."""
        _, _, mixed = self._mixed_ws(row_seeds, col_seeds, layers, truncation, classes)
        images = self.synthesis(mixed, noise_mode)
        return images.reshape(len(row_seeds), len(col_seeds), *images.shape[1:])

    @torch.no_grad()
    def save_mix_grid(
        self,
        path: str | Path,
        row_seeds: Sequence[int],
        col_seeds: Sequence[int],
        layers: Sequence[int],
        *,
        truncation: float = 1.0,
        classes: Classes = None,
        noise_mode: str = "const",
    ) -> Path:
        """Write the style-mixing figure: column sources on top, row sources on the left, mixes inside."""
        rows, cols, mixed = self._mixed_ws(row_seeds, col_seeds, layers, truncation, classes)
        sources_rows, sources_cols = self.synthesis(rows, noise_mode), self.synthesis(cols, noise_mode)
        cells = self.synthesis(mixed, noise_mode)
        cells = cells.reshape(len(row_seeds), len(col_seeds), *cells.shape[1:])
        top = torch.cat([torch.ones_like(sources_rows[:1]), sources_cols])
        body = [torch.cat([sources_rows[i : i + 1], cells[i]]) for i in range(len(row_seeds))]
        return save_image_grid(torch.cat([top, *body]), path, nrow=len(col_seeds) + 1)
