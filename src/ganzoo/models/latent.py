"""LatentGANModule: the game of a generator that maps noise z to images, and sampling from it.

The discriminator scores real images against ``G(z)`` with one of the adversarial losses in ``losses.py``,
optionally plus a gradient penalty taken through a critic callable (so conditional subclasses pass
``lambda x: D(x, y)``) and WGAN's weight clipping. Subclasses change the prior (``sample_latent``), what a
fake carries (``fakes``: the images and whatever conditions them) and how D reads it (``critic``).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, Literal

import torch
from torch import Tensor, nn

from ganzoo import losses
from ganzoo.models.base import GANModule, running_as
from ganzoo.models.capabilities import Sampler

LossName = Literal["minimax", "nonsaturating", "wasserstein", "hinge", "least_squares"]
PenaltyName = Literal["gradient", "dragan", "r1"]
PriorName = Literal["normal", "uniform"]

Critic = Callable[[Tensor], Tensor]

_PENALTIES: dict[str, Callable[[Critic, Tensor, Tensor], Tensor]] = {
    "gradient": losses.gradient_penalty,
    "dragan": lambda critic, real, fake: losses.dragan_penalty(critic, real),
    "r1": lambda critic, real, fake: losses.r1_penalty(critic, real),
}


class LatentGANModule(Sampler, GANModule):
    """A ``GANModule`` whose generator maps ``sample_latent(n)`` to images in [-1, 1].

    Args:
        generator: maps z to images in [-1, 1].
        discriminator: maps images to one raw score per image (``None``: generator only).
        latent_dim: size of z.
        loss: the adversarial game (see ``losses.LOSSES``).
        penalty: a gradient penalty added to D's loss: ``"gradient"`` (WGAN-GP), ``"dragan"`` or ``"r1"``.
        penalty_weight: its coefficient (lambda; for R1 pass gamma / 2).
        weight_clip: clamp D's weights to [-c, c] after every update (WGAN).
        drift: weight of ``losses.epsilon_drift`` on the real scores in D's loss (ProGAN's 1e-3; 0: none).
        prior: z ~ N(0, I) (``"normal"``) or U(-1, 1) (``"uniform"``, e.g. Lucic et al. 2018's study).
        **kwargs: everything ``GANModule`` takes (``d_steps``, ``lr_g``, ``lr_d``, ``optimizer``, ...).
    """

    def __init__(
        self,
        generator: nn.Module,
        discriminator: nn.Module | None,
        *,
        latent_dim: int,
        loss: LossName = "nonsaturating",
        penalty: PenaltyName | None = None,
        penalty_weight: float = 10.0,
        weight_clip: float | None = None,
        drift: float = 0.0,
        prior: PriorName = "normal",
        **kwargs: Any,
    ) -> None:
        if prior not in ("normal", "uniform"):
            raise ValueError(f"unknown prior {prior!r}; choose 'normal' or 'uniform'")
        if loss not in losses.LOSSES:
            raise ValueError(f"unknown loss {loss!r}; choose one of {sorted(losses.LOSSES)}")
        if drift < 0:
            raise ValueError(f"drift must be >= 0, got {drift}")
        if penalty not in (None, *_PENALTIES):
            raise ValueError(f"unknown penalty {penalty!r}; choose one of {sorted(_PENALTIES)} or None")
        super().__init__(generator, discriminator, **kwargs)
        self.latent_dim = latent_dim
        self.loss_d, self.loss_g = losses.LOSSES[loss]

    # --- noise and fakes --------------------------------------------------------------------------

    def sample_latent(self, n: int, generator: torch.Generator | None = None) -> Tensor:
        """z from ``prior``; papers with yet another prior override this."""
        if self.hparams.get("prior", "normal") == "uniform":
            return torch.rand(n, self.latent_dim, device=self.device, generator=generator) * 2 - 1
        return torch.randn(n, self.latent_dim, device=self.device, generator=generator)

    @staticmethod
    def real_images(batch: Any) -> Tensor:
        """The images of a batch that is either a tensor or an ``(images, labels, ...)`` sequence."""
        return batch if isinstance(batch, Tensor) else batch[0]

    def real_inputs(self, batch: Any) -> tuple[Tensor, Any]:
        """(real images, what conditions them): no condition here."""
        return self.real_images(batch), None

    def g_samples(self, batch: Any) -> int:
        """Samples per generator update: as many as the batch has real images."""
        return self.real_images(batch).shape[0]

    def fakes(self, batch: Any, n: int | None = None) -> tuple[Tensor, Any]:
        """(``n`` fake images, what conditions them), ``n`` defaulting to the batch's size."""
        n = self.real_images(batch).shape[0] if n is None else n
        return self.generator(self.sample_latent(n)), None

    def critic(self, images: Tensor, condition: Any) -> Tensor:
        """D's scores of ``images`` under ``condition`` (ignored here)."""
        return self.discriminator(images)

    # --- the game ---------------------------------------------------------------------------------

    def d_penalty(self, real: Tensor, fake: Tensor, critic: Critic) -> Tensor | None:
        """The configured gradient penalty through ``critic``, weighted; ``None`` when there is none."""
        if self.hparams.penalty is None:
            return None
        return self.hparams.penalty_weight * _PENALTIES[self.hparams.penalty](critic, real, fake)

    def d_loss(self, batch: Any) -> dict[str, Tensor]:
        real, condition = self.real_inputs(batch)
        fake, fake_condition = self.fake_batch(batch)
        real_out, fake_out = self.critic(real, condition), self.critic(fake, fake_condition)
        out = {"loss": self.loss_d(real_out, fake_out), "d_real": real_out.mean(), "d_fake": fake_out.mean()}
        penalty = self.d_penalty(real, fake, lambda x: self.critic(x, condition))
        if penalty is not None:
            out["penalty"] = penalty
            out["loss"] = out["loss"] + penalty
        if self.hparams.get("drift", 0.0) > 0:
            out["drift"] = self.hparams.drift * losses.epsilon_drift(real_out)
            out["loss"] = out["loss"] + out["drift"]
        return out

    def g_loss(self, batch: Any) -> dict[str, Tensor]:
        """Generator objective on ``g_samples(batch)`` fresh samples."""
        fake, condition = self.fakes(batch, self.g_samples(batch))
        return {"loss": self.loss_g(self.critic(fake, condition))}

    def after_d_step(self, out: dict[str, Tensor]) -> None:
        """Enforce WGAN's weight clipping when configured."""
        if self.hparams.weight_clip is not None:
            losses.clip_weights_(self.discriminator, self.hparams.weight_clip)

    # --- sampling ---------------------------------------------------------------------------------

    def sampling_inputs(self, n: int, rng: torch.Generator | None, z: Tensor | None) -> tuple[Any, ...]:
        """The generator's arguments for ``n`` samples; subclasses add their conditions as keywords."""
        return (self.sample_latent(n, generator=rng) if z is None else z.to(self.device, self.dtype),)

    def generate(self, net: nn.Module, *inputs: Any) -> Tensor:
        """Run the inference generator on ``sampling_inputs``' arguments."""
        return net(*inputs)

    @torch.no_grad()
    def sample(
        self, n: int, *, seed: int | None = None, z: Tensor | None = None, **conditions: Any
    ) -> Tensor:
        """``n`` images in [-1, 1] from the inference generator, in eval mode (the EMA generator when there
        is one). ``seed`` fixes z (and any random conditions); ``z`` gives it; the model's own conditions
        (classes, truncation, codes ...) are keywords, and a keyword the model does not take is refused."""
        if n < 1:
            raise ValueError(f"the number of samples must be at least 1, got {n}")
        if z is not None and z.shape[0] != n:
            raise ValueError(f"z has {z.shape[0]} rows for {n} samples")
        accepted = self.sample_conditions()
        unknown = sorted(set(conditions) - set(accepted))
        if unknown:
            takes = f"takes only {', '.join(accepted)}" if accepted else "is unconditional and takes none"
            raise TypeError(f"{type(self).__name__}.sample() got {', '.join(unknown)}; it {takes}")
        rng = None if seed is None else torch.Generator(device=self.device).manual_seed(seed)
        inputs = self.sampling_inputs(n, rng, z, **conditions)
        with running_as(self.inference_generator, training=False) as net:
            return self.generate(net, *inputs)

    def sample_conditions(self) -> list[str]:
        """The keyword conditions ``sample`` accepts: those of ``sampling_inputs`` after ``z``."""
        params = inspect.signature(self.sampling_inputs).parameters.values()
        return [p.name for p in params if p.kind is p.KEYWORD_ONLY]
