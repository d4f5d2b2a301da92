"""GANModule: the alternating manual-optimization loop every paper in the zoo shares.

A paper supplies its networks and, where it departs from the plain adversarial game, its own ``d_loss`` /
``g_loss``. The loop here owns everything else: the two optimizers, the ``d_steps``:1 schedule, gradient
isolation between the networks, clipping, schedulers, the generator EMA, non-finite loss handling and
the step counters that make a resumed run identical to an uninterrupted one.
"""

from __future__ import annotations

import copy
import os
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import lightning as L
import torch
from lightning.pytorch.cli import LRSchedulerCallable
from lightning.pytorch.strategies import DDPStrategy
from torch import Tensor, nn

from ganzoo import losses
from ganzoo.nn.ema import ema_update_

LossName = Literal["minimax", "nonsaturating", "wasserstein", "hinge", "least_squares"]
PenaltyName = Literal["gradient", "dragan", "r1"]
OptimizerName = Literal["adam", "rmsprop", "sgd"]


_PENALTIES: dict[str, Callable[[nn.Module, Tensor, Tensor], Tensor]] = {
    "gradient": losses.gradient_penalty,
    "dragan": lambda d, real, fake: losses.dragan_penalty(d, real),
    "r1": lambda d, real, fake: losses.r1_penalty(d, real),
}


class GANModule(L.LightningModule):
    """Base class of every paper.

    Each ``training_step`` takes one batch and makes one discriminator update on it; after every
    ``d_steps``-th discriminator update it also makes one generator update. Each critic update thus sees
    fresh real data, as in Algorithm 1 of WGAN and WGAN-GP. Note that Lightning's ``trainer.global_step``
    counts the optimizer steps of *both* networks; ``num_g_steps`` counts generator iterations, the unit
    papers report.

    Args:
        generator: maps ``sample_latent(n)`` to images in [-1, 1].
        discriminator: maps images to one raw score per image.
        latent_dim: size of z.
        loss: the adversarial game used by the default ``d_loss``/``g_loss`` (see ``losses.LOSSES``).
        penalty: a gradient penalty added to D's loss: ``"gradient"`` (WGAN-GP), ``"dragan"`` or ``"r1"``.
        penalty_weight: its coefficient (lambda; for R1 pass gamma / 2).
        weight_clip: clamp D's weights to [-c, c] after every update (WGAN).
        d_steps: discriminator updates per generator update.
        lr_g, lr_d: learning rates; different values give the two-timescale update rule (TTUR).
        betas: Adam's betas (ignored by other optimizers).
        optimizer: ``"adam"``, ``"rmsprop"`` or ``"sgd"``.
        momentum: momentum for SGD / RMSprop.
        scheduler: a callable ``optimizer -> LRScheduler`` applied to both optimizers.
        scheduler_interval: step the schedulers every ``"epoch"`` or every update of their network.
        grad_clip_d, grad_clip_g: max gradient norm per network (``None``: no clipping).
        ema_decay: keep an exponential moving average of G with this decay; ``sample()`` then uses it.
        ema_start: generator steps before averaging starts (the EMA copies G until then).
        on_nonfinite: ``"raise"`` stops training on a NaN/Inf loss; ``"skip"`` drops that update.
    """

    automatic_optimization = False

    def __init__(
        self,
        generator: nn.Module,
        discriminator: nn.Module,
        *,
        latent_dim: int,
        loss: LossName = "nonsaturating",
        penalty: PenaltyName | None = None,
        penalty_weight: float = 10.0,
        weight_clip: float | None = None,
        d_steps: int = 1,
        lr_g: float = 2e-4,
        lr_d: float = 2e-4,
        betas: tuple[float, float] = (0.5, 0.999),
        optimizer: OptimizerName = "adam",
        momentum: float = 0.0,
        scheduler: LRSchedulerCallable | None = None,
        scheduler_interval: Literal["step", "epoch"] = "epoch",
        grad_clip_d: float | None = None,
        grad_clip_g: float | None = None,
        ema_decay: float | None = None,
        ema_start: int = 0,
        on_nonfinite: Literal["raise", "skip"] = "raise",
    ) -> None:
        super().__init__()
        if d_steps < 1:
            raise ValueError(f"d_steps must be >= 1, got {d_steps}")
        if ema_decay is not None and not 0.0 <= ema_decay < 1.0:
            raise ValueError(f"ema_decay must be in [0, 1), got {ema_decay}")
        if loss not in losses.LOSSES:
            raise ValueError(f"unknown loss {loss!r}; choose one of {sorted(losses.LOSSES)}")
        if penalty not in (None, *_PENALTIES):
            raise ValueError(f"unknown penalty {penalty!r}; choose one of {sorted(_PENALTIES)} or None")
        self.save_hyperparameters(ignore=["generator", "discriminator", "scheduler"])
        self.generator = generator
        self.discriminator = discriminator
        self.generator_ema = None if ema_decay is None else copy.deepcopy(generator).requires_grad_(False)
        self.latent_dim = latent_dim
        self.loss_d, self.loss_g = losses.LOSSES[loss]
        self.d_steps = d_steps
        self.scheduler = scheduler
        # Buffers, so they are checkpointed with the weights and a resumed run continues the same schedule.
        self.register_buffer("num_d_steps", torch.zeros((), dtype=torch.long))
        self.register_buffer("num_g_steps", torch.zeros((), dtype=torch.long))

    # --- what a paper may override ---------------------------------------------------------------

    def sample_latent(self, n: int, generator: torch.Generator | None = None) -> Tensor:
        """z ~ N(0, I); papers with another prior override this."""
        return torch.randn(n, self.latent_dim, device=self.device, generator=generator)

    @staticmethod
    def real_images(batch: Any) -> Tensor:
        """The images of a batch that is either a tensor or an ``(images, labels, ...)`` sequence."""
        return batch if isinstance(batch, Tensor) else batch[0]

    def d_penalty(self, real: Tensor, fake: Tensor) -> Tensor | None:
        """The configured gradient penalty, weighted; ``None`` when there is none."""
        if self.hparams.penalty is None:
            return None
        return self.hparams.penalty_weight * _PENALTIES[self.hparams.penalty](self.discriminator, real, fake)

    def d_loss(self, batch: Any) -> dict[str, Tensor]:
        """Discriminator objective; must return ``"loss"``, other keys are logged under ``train/``."""
        real = self.real_images(batch)
        with torch.no_grad():
            fake = self.generator(self.sample_latent(real.shape[0]))
        real_out, fake_out = self.discriminator(real), self.discriminator(fake)
        out = {"loss": self.loss_d(real_out, fake_out), "d_real": real_out.mean(), "d_fake": fake_out.mean()}
        penalty = self.d_penalty(real, fake)
        if penalty is not None:
            out["penalty"] = penalty
            out["loss"] = out["loss"] + penalty
        return out

    def g_loss(self, batch: Any) -> dict[str, Tensor]:
        """Generator objective on a fresh z; must return ``"loss"``."""
        n = self.real_images(batch).shape[0]
        return {"loss": self.loss_g(self.discriminator(self.generator(self.sample_latent(n))))}

    def after_d_step(self, out: dict[str, Tensor]) -> None:
        """Called after each discriminator update; enforces WGAN's weight clipping when configured."""
        if self.hparams.weight_clip is not None:
            losses.clip_weights_(self.discriminator, self.hparams.weight_clip)

    # --- the loop ---------------------------------------------------------------------------------

    def setup(self, stage: str) -> None:
        # Each update leaves the other network without gradients, which plain DDP reports as an error. Asking
        # DDP to look for unused parameters (before it wraps the model) lets strategy="ddp" work unchanged.
        strategy = self.trainer.strategy
        if isinstance(strategy, DDPStrategy):
            strategy._ddp_kwargs["find_unused_parameters"] = True

    def on_fit_start(self) -> None:
        # Lightning keeps the modes modules are in when fit starts. A model from ganzoo.load (or one just
        # sampled) is in eval mode, where spectral norm stops iterating and batch norm uses stored statistics.
        self.train()

    def configure_optimizers(self) -> Any:
        hp = self.hparams
        opt_d = self._make_optimizer(self.discriminator.parameters(), hp.lr_d)
        opt_g = self._make_optimizer(self.generator.parameters(), hp.lr_g)
        if self.scheduler is None:
            return [opt_d, opt_g]
        return [opt_d, opt_g], [self.scheduler(opt_d), self.scheduler(opt_g)]

    def _make_optimizer(self, params: Any, lr: float) -> torch.optim.Optimizer:
        hp = self.hparams
        if hp.optimizer == "adam":
            return torch.optim.Adam(params, lr=lr, betas=tuple(hp.betas))
        if hp.optimizer == "rmsprop":
            return torch.optim.RMSprop(params, lr=lr, momentum=hp.momentum)
        if hp.optimizer == "sgd":
            return torch.optim.SGD(params, lr=lr, momentum=hp.momentum)
        raise ValueError(f"unknown optimizer {hp.optimizer!r}; choose 'adam', 'rmsprop' or 'sgd'")

    def training_step(self, batch: Any, batch_idx: int) -> None:
        opt_d, opt_g = self.optimizers()
        out_d = self._update(opt_d, self.d_loss, batch, "discriminator", self.hparams.grad_clip_d)
        if out_d is not None:
            self.after_d_step(out_d)
            self.num_d_steps += 1
            self._log_losses("d", out_d)
        if out_d is None or self.num_d_steps % self.d_steps != 0:
            return
        out_g = self._update(opt_g, self.g_loss, batch, "generator", self.hparams.grad_clip_g)
        if out_g is None:
            return
        self.num_g_steps += 1
        self._log_losses("g", out_g)
        if self.generator_ema is not None:
            decay = self.hparams.ema_decay if self.num_g_steps > self.hparams.ema_start else 0.0
            ema_update_(self.generator_ema, self.generator, decay)
        if self.scheduler is not None and self.hparams.scheduler_interval == "step":
            for sched in self.lr_schedulers():
                sched.step()

    def _update(
        self,
        opt: Any,
        loss_fn: Callable[[Any], dict[str, Tensor]],
        batch: Any,
        network: str,
        clip: float | None,
    ) -> dict[str, Tensor] | None:
        """One optimizer step of one network, with the other network's parameters frozen."""
        with self.toggled_optimizer(opt):
            out = loss_fn(batch)
            if not self._loss_is_finite(out["loss"], network):
                return None
            opt.zero_grad(set_to_none=True)
            self.manual_backward(out["loss"])
            if clip is not None:
                self.clip_gradients(opt, gradient_clip_val=clip, gradient_clip_algorithm="norm")
            opt.step()
        return {k: v.detach() for k, v in out.items()}

    def _loss_is_finite(self, loss: Tensor, network: str) -> bool:
        finite = self.trainer.strategy.reduce_boolean_decision(bool(torch.isfinite(loss)), all=True)
        if finite:
            return True
        where = (
            f"{network} loss is {loss.item()} at global step {self.global_step} (epoch {self.current_epoch})"
        )
        if self.hparams.on_nonfinite == "raise":
            raise FloatingPointError(
                f"{where}. Lower the learning rate, add gradient clipping (grad_clip_d / grad_clip_g), "
                "or pass on_nonfinite='skip' to drop such updates."
            )
        warnings.warn(f"{where}; skipping this update (on_nonfinite='skip').", RuntimeWarning, stacklevel=2)
        self.log(f"train/skipped_{network}_steps", 1.0, reduce_fx="sum", on_step=False, on_epoch=True)
        return False

    def _log_losses(self, prefix: str, out: dict[str, Tensor]) -> None:
        metrics = {f"train/{prefix}_loss": out["loss"]}
        metrics.update({f"train/{k}": v for k, v in out.items() if k != "loss"})
        self.log_dict(metrics, prog_bar=False, on_step=True, on_epoch=False)

    def on_train_epoch_end(self) -> None:
        if self.scheduler is not None and self.hparams.scheduler_interval == "epoch":
            for sched in self.lr_schedulers():
                sched.step()

    def on_save_checkpoint(self, checkpoint: dict[str, Any]) -> None:
        # The noise stream is part of the training state: restoring it makes resume bit-identical.
        checkpoint["ganzoo_rng"] = {"torch": torch.get_rng_state()}
        if torch.cuda.is_available():
            checkpoint["ganzoo_rng"]["cuda"] = torch.cuda.get_rng_state_all()

    def on_load_checkpoint(self, checkpoint: dict[str, Any]) -> None:
        rng = checkpoint.get("ganzoo_rng")
        if rng is not None:
            torch.set_rng_state(rng["torch"])
            if "cuda" in rng and torch.cuda.is_available():
                torch.cuda.set_rng_state_all(rng["cuda"])

    # --- inference --------------------------------------------------------------------------------

    @property
    def sampling_generator(self) -> nn.Module:
        """The EMA generator when there is one, else the trained generator."""
        return self.generator_ema if self.generator_ema is not None else self.generator

    @torch.no_grad()
    def sample(self, n: int, *, seed: int | None = None, z: Tensor | None = None) -> Tensor:
        """``n`` images in [-1, 1] from the EMA generator (if any), in eval mode; ``seed`` fixes z."""
        if z is None:
            rng = None if seed is None else torch.Generator(device=self.device).manual_seed(seed)
            z = self.sample_latent(n, generator=rng)
        net = self.sampling_generator
        was_training = net.training
        net.eval()
        try:
            return net(z.to(self.device, self.dtype))
        finally:
            net.train(was_training)

    # --- publishing -------------------------------------------------------------------------------

    def save_pretrained(self, directory: str | os.PathLike[str], **card: Any) -> Path:
        """Write ``config.json`` + ``model.safetensors`` + a model card that ``ganzoo.load`` reads back."""
        from ganzoo.hub_publish import save_pretrained  # the hub imports this module

        return save_pretrained(self, directory, **card)

    def push_to_hub(self, repo_id: str, **kwargs: Any) -> str:
        """Upload ``save_pretrained``'s folder to the Hugging Face repo ``repo_id``; return the commit URL."""
        from ganzoo.hub_publish import push_to_hub

        return push_to_hub(self, repo_id, **kwargs)
