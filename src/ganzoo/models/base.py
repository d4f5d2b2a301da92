"""GANModule: the alternating manual-optimization loop every paper in the zoo shares.

A paper supplies its networks and its objectives (``d_loss`` / ``g_loss``, each built on ``fakes``), and
optionally terms that run every N steps (``lazy_regularizers``). The loop here owns everything else: the two
optimizers, the ``d_steps``:``g_steps`` schedule, gradient isolation between the networks, clipping,
schedulers, the generator EMA, non-finite updates and the step counters that make a resumed run identical to
an uninterrupted one. What a trained model can do (sample or translate) is a capability its paper adds
(``ganzoo.models.capabilities``); ``running_as`` is how papers run a network in the mode sampling or
translating needs without leaving a trace on it.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import math
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import lightning as L
import torch
from lightning.pytorch.cli import LRSchedulerCallable, OptimizerCallable
from torch import Tensor, nn
from torch.nn.parallel import DistributedDataParallel

from ganzoo.hub.checkpoint_io import use_pickle_free_checkpoints
from ganzoo.hub.publish import Publishable
from ganzoo.nn.ema import ema_update_

Network = Literal["discriminator", "generator"]


@contextlib.contextmanager
def running_as(net: nn.Module, *, training: bool) -> Iterator[nn.Module]:
    """Run ``net`` in training mode (batch-norm statistics of the batch, dropout on) or eval mode, then put
    it back as it was: its mode and, after a training-mode run, its running statistics (so sampling or
    translating with batch statistics never changes the model)."""
    was_training = net.training
    saved = {k: v.clone() for k, v in net.named_buffers()} if training else {}
    net.train(training)
    try:
        yield net
    finally:
        with torch.no_grad():
            for k, v in net.named_buffers():
                if k in saved:
                    v.copy_(saved[k])
        net.train(was_training)


@dataclass(frozen=True)
class LazyRegularizer:
    """A term optimized on its own every ``every`` updates of ``network`` (lazy regularization, Karras et
    al. 2020): ``loss(batch)`` returns a dict with ``"loss"``, which the loop multiplies by ``every`` so that
    the term keeps its weight on average, then steps that network's optimizer on it alone."""

    name: str
    network: Network
    every: int
    loss: Callable[[Any], dict[str, Tensor]]

    def __post_init__(self) -> None:
        if self.every < 1:
            raise ValueError(f"a lazy regularizer runs every >= 1 steps, got every={self.every}")


class GANModule(Publishable, L.LightningModule):
    """Base class of every paper.

    Each ``training_step`` takes one batch and makes one discriminator update on it; after every
    ``d_steps``-th discriminator update it also makes ``g_steps`` generator updates on that batch. Each
    critic update thus sees fresh real data, as in Algorithm 1 of WGAN and WGAN-GP; ``g_steps=2`` gives G
    the two updates per D update of DualGAN's and DiscoGAN's released code. Lightning's
    ``trainer.global_step`` counts the optimizer steps of *both* networks; ``num_g_steps`` counts generator
    iterations, the unit papers report, and what follows a generator update (its lazy regularizers, the
    EMA, step-interval schedulers) follows each of the ``g_steps``.

    Args:
        generator: the network whose samples or translations the paper is about.
        discriminator: the critic; ``None`` for a generator-only model (the form published generators load
            into), which samples or translates but cannot be trained.
        d_steps: discriminator updates (one per batch) before the generator's turn.
        g_steps: generator updates on the batch of that turn.
        lr_g, lr_d: learning rates; different values give the two-timescale update rule (TTUR).
        optimizer: builds each network's optimizer from its parameter groups (a LightningCLI callable,
            e.g. ``torch.optim.RMSprop`` or ``functools.partial(torch.optim.Adam, betas=(0.5, 0.999))``);
            the groups carry ``lr_g`` / ``lr_d``. ``None``: the paper's own (``paper_optimizer``).
        scheduler: a callable ``optimizer -> LRScheduler`` applied to both optimizers.
        scheduler_interval: step both schedulers every ``"epoch"`` or after every generator update
            (``"step"``: a schedule in generator iterations).
        grad_clip_d, grad_clip_g: max gradient norm per network (``None``: no clipping).
        ema_decay: keep an exponential moving average of G with this decay; sampling then uses it.
        ema_start: generator steps before averaging starts (the EMA copies G until then).
        on_nonfinite: ``"raise"`` stops training on a NaN/Inf loss or gradient; ``"skip"`` drops that update.
        skip_limit: with ``"skip"``, stop with an error once this many updates of one network in a row were
            dropped (its weights are then most likely no longer finite, and training would never progress).
    """

    automatic_optimization = False

    paper_optimizer: OptimizerCallable = functools.partial(torch.optim.Adam, betas=(0.5, 0.999))
    """The optimizer of the paper (DCGAN's Adam by default); papers with another one override it."""

    def __init__(
        self,
        generator: nn.Module,
        discriminator: nn.Module | None,
        *,
        d_steps: int = 1,
        g_steps: int = 1,
        lr_g: float = 2e-4,
        lr_d: float = 2e-4,
        optimizer: OptimizerCallable | None = None,
        scheduler: LRSchedulerCallable | None = None,
        scheduler_interval: Literal["step", "epoch"] = "epoch",
        grad_clip_d: float | None = None,
        grad_clip_g: float | None = None,
        ema_decay: float | None = None,
        ema_start: int = 0,
        on_nonfinite: Literal["raise", "skip"] = "raise",
        skip_limit: int = 20,
    ) -> None:
        super().__init__()
        if d_steps < 1:
            raise ValueError(f"d_steps must be >= 1, got {d_steps}")
        if g_steps < 1:
            raise ValueError(f"g_steps must be >= 1, got {g_steps}")
        if ema_decay is not None and not 0.0 <= ema_decay < 1.0:
            raise ValueError(f"ema_decay must be in [0, 1), got {ema_decay}")
        if skip_limit < 1:
            raise ValueError(f"skip_limit must be >= 1, got {skip_limit}")
        # Callables and networks are not hyperparameters: a saved model is rebuilt from the rest.
        self.save_hyperparameters(ignore=["generator", "discriminator", "optimizer", "scheduler"])
        self.generator = generator
        self.discriminator = discriminator
        self.generator_ema = None if ema_decay is None else copy.deepcopy(generator).requires_grad_(False)
        self.d_steps, self.g_steps = d_steps, g_steps
        self.skipped_in_a_row = {"discriminator": 0, "generator": 0}
        self.optimizer = optimizer or self.paper_optimizer
        # Kept here, not only in hparams: a paper that fixes its schedule passes it, and the CLI then saves
        # only the paper's own arguments.
        self.scheduler, self.scheduler_interval = scheduler, scheduler_interval
        # Buffers, so they are checkpointed with the weights and a resumed run continues the same schedule.
        self.register_buffer("num_d_steps", torch.zeros((), dtype=torch.long))
        self.register_buffer("num_g_steps", torch.zeros((), dtype=torch.long))
        # A derived copy: it follows .to() as a child module, but is never saved and never loaded into.
        self._inference_generator: nn.Module | None = None
        self.register_state_dict_post_hook(_without_inference_copy)
        self.register_load_state_dict_post_hook(_drop_inference_copy)

    # --- what a paper provides --------------------------------------------------------------------

    def fakes(self, batch: Any) -> Any:
        """What the generator makes for ``batch``, with gradients: the input of ``g_loss``."""
        raise NotImplementedError(f"{type(self).__name__} must define fakes(batch)")

    def fake_batch(self, batch: Any) -> Any:
        """``fakes(batch)`` without gradients: what the discriminator's update trains against."""
        with torch.no_grad():
            return self.fakes(batch)

    def d_loss(self, batch: Any) -> dict[str, Tensor]:
        """Discriminator objective; must return ``"loss"``, other keys are logged under ``train/``."""
        raise NotImplementedError(f"{type(self).__name__} must define d_loss(batch)")

    def g_loss(self, batch: Any) -> dict[str, Tensor]:
        """Generator objective; must return ``"loss"``, other keys are logged under ``train/``."""
        raise NotImplementedError(f"{type(self).__name__} must define g_loss(batch)")

    def after_d_step(self, out: dict[str, Tensor]) -> None:
        """Called after each discriminator update with its (detached) outputs."""

    def ema_decay_for(self, batch: Any) -> float:
        """The EMA decay of this generator update: ``ema_decay``, or 0 (a copy) until ``ema_start``."""
        return self.hparams.ema_decay if self.num_g_steps > self.hparams.ema_start else 0.0

    def lazy_regularizers(self) -> Sequence[LazyRegularizer]:
        """Terms the loop optimizes every N updates of their network (none by default)."""
        return ()

    def generator_parameters(self) -> Iterable[nn.Parameter]:
        """What the generator's optimizer updates: G and any network trained with it (an encoder)."""
        return self.generator.parameters()

    # --- the loop ---------------------------------------------------------------------------------

    @property
    def generator_only(self) -> bool:
        return self.discriminator is None

    def setup(self, stage: str) -> None:
        use_pickle_free_checkpoints(self.trainer.strategy)

    def on_fit_start(self) -> None:
        # Lightning keeps the modes modules are in when fit starts. A model from ganzoo.load (or one just
        # sampled) is in eval mode, where spectral norm stops iterating and batch norm uses stored statistics.
        self.train()
        wrapped = self.trainer.strategy.model
        if isinstance(wrapped, DistributedDataParallel) and not wrapped.find_unused_parameters:
            raise RuntimeError(
                "each GAN update leaves the other network without gradients, which DDP reports as an error "
                "unless it looks for unused parameters: use strategy='ddp_find_unused_parameters_true' "
                "(`ganzoo fit --trainer.strategy ddp` does this for you)"
            )

    def configure_optimizers(self) -> Any:
        if self.generator_only:
            raise RuntimeError(
                f"this {type(self).__name__} was built with generator_only=True (the form published weights "
                "load into): it has no discriminator to train against. Build it without generator_only to "
                "train."
            )
        opt_d = self.optimizer([{"params": self.discriminator.parameters(), "lr": self.hparams.lr_d}])
        opt_g = self.optimizer([{"params": self.generator_parameters(), "lr": self.hparams.lr_g}])
        if self.scheduler is None:
            return [opt_d, opt_g]
        return [opt_d, opt_g], [self.scheduler(opt_d), self.scheduler(opt_g)]

    def training_step(self, batch: Any, batch_idx: int) -> None:
        opt_d, opt_g = self.optimizers()
        out_d = self._update(opt_d, self.d_loss, batch, "discriminator", self.hparams.grad_clip_d)
        if out_d is None:
            return
        self.after_d_step(out_d)
        self.num_d_steps += 1
        self._log_losses("d", out_d)
        self._lazy_updates(opt_d, batch, "discriminator", int(self.num_d_steps))
        if self.num_d_steps % self.d_steps != 0:
            return
        for _ in range(self.g_steps):
            self._generator_update(opt_g, batch)

    def _generator_update(self, opt_g: Any, batch: Any) -> None:
        """One generator update and what each one brings: its lazy regularizers, the EMA, step schedulers."""
        out_g = self._update(opt_g, self.g_loss, batch, "generator", self.hparams.grad_clip_g)
        if out_g is None:
            return
        self.num_g_steps += 1
        self._log_losses("g", out_g)
        self._lazy_updates(opt_g, batch, "generator", int(self.num_g_steps))
        if self.generator_ema is not None:
            ema_update_(self.generator_ema, self.generator, self.ema_decay_for(batch))
        if self.scheduler is not None and self.scheduler_interval == "step":
            for sched in self.lr_schedulers():
                sched.step()

    def _lazy_updates(self, opt: Any, batch: Any, network: Network, step: int) -> None:
        """The lazy regularizers of ``network`` that are due at its ``step``-th update, one update each."""
        clip = self.hparams.grad_clip_d if network == "discriminator" else self.hparams.grad_clip_g
        for term in self.lazy_regularizers():
            if term.network != network or step % term.every:
                continue
            out = self._update(opt, functools.partial(_scaled, term), batch, network, clip)
            if out is not None:
                self.log(f"train/{term.name}", out["loss"] / term.every, on_step=True, on_epoch=False)

    def _update(
        self,
        opt: Any,
        loss_fn: Callable[[Any], dict[str, Tensor]],
        batch: Any,
        network: Network,
        clip: float | None,
    ) -> dict[str, Tensor] | None:
        """One optimizer step of one network, with the other network's parameters frozen; ``None`` when the
        update was dropped for a non-finite loss or gradient (``on_nonfinite="skip"``)."""
        with self.toggled_optimizer(opt):
            out = loss_fn(batch)
            opt.zero_grad(set_to_none=True)
            self.manual_backward(out["loss"])
            params = getattr(self, network).parameters()
            if not self._update_is_finite(out["loss"], params, network):
                opt.zero_grad(set_to_none=True)
                return None
            if clip is not None:
                self.clip_gradients(opt, gradient_clip_val=clip, gradient_clip_algorithm="norm")
            opt.step()
        return {k: v.detach() for k, v in out.items()}

    def _update_is_finite(self, loss: Tensor, params: Iterable[nn.Parameter], network: str) -> bool:
        """One device-to-host check of the loss and the gradients' largest magnitude (the max norm: a 2-norm
        overflows float32 for finite gradients above ~1e19, which a few degenerate batches do produce). Under
        DDP the gradients are already averaged across processes, so every process reaches the same decision
        without another collective."""
        grads = [p.grad for p in params if p.grad is not None]
        norm = torch.nn.utils.get_total_norm(grads, norm_type=math.inf) if grads else loss.new_zeros(())
        if bool(torch.isfinite(norm) & torch.isfinite(loss.detach())):
            self.skipped_in_a_row[network] = 0
            return True
        where = (
            f"{network} loss is {loss.item()} at global step {self.global_step} "
            f"(epoch {self.current_epoch}), gradient max norm {norm.item()}"
        )
        if self.hparams.on_nonfinite == "raise":
            raise FloatingPointError(
                f"{where}. Lower the learning rate, add gradient clipping (grad_clip_d / grad_clip_g), "
                "or pass on_nonfinite='skip' to drop such updates."
            )
        self.skipped_in_a_row[network] += 1
        if self.skipped_in_a_row[network] >= self.hparams.skip_limit:
            raise FloatingPointError(
                f"{where}: the last {self.skipped_in_a_row[network]} {network} updates were all skipped "
                f"(skip_limit={self.hparams.skip_limit}), so its weights are most likely no longer finite "
                "and training cannot progress. Resume from an earlier checkpoint with a lower learning rate "
                "or gradient clipping."
            )
        warnings.warn(f"{where}; skipping this update (on_nonfinite='skip').", RuntimeWarning, stacklevel=2)
        self.log(f"train/skipped_{network}_steps", 1.0, reduce_fx="sum", on_step=False, on_epoch=True)
        return False

    def _log_losses(self, prefix: str, out: dict[str, Tensor]) -> None:
        metrics = {f"train/{prefix}_loss": out["loss"]}
        metrics.update({f"train/{k}": v for k, v in out.items() if k != "loss"})
        self.log_dict(metrics, prog_bar=False, on_step=True, on_epoch=False)

    def on_train_epoch_end(self) -> None:
        if self.scheduler is not None and self.scheduler_interval == "epoch":
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
        """The EMA generator when there is one, else the trained generator: what inference runs."""
        return self.generator_ema if self.generator_ema is not None else self.generator

    @property
    def inference_generator(self) -> nn.Module:
        """What eval-mode inference runs: the optimized copy when ``optimize_for_inference`` made one, else
        ``sampling_generator``."""
        return self._inference_generator if self._inference_generator is not None else self.sampling_generator

    def make_inference_generator(self) -> nn.Module | None:
        """A frozen network that computes what ``sampling_generator`` computes in eval mode, faster; ``None``
        where a paper has none (the default)."""
        return None

    def optimize_for_inference(self) -> GANModule:
        """Run inference through ``make_inference_generator()``'s copy (same outputs, faster) until training
        mode is entered or weights are loaded, which drop it; ``ganzoo.load`` calls this. Returns ``self``."""
        self._inference_generator = self.make_inference_generator()
        return self

    def train(self, mode: bool = True) -> GANModule:
        if mode:  # the copy would go stale with the first update
            self._inference_generator = None
        return super().train(mode)


def _without_inference_copy(module: GANModule, state_dict: dict[str, Any], prefix: str, *_: Any) -> None:
    for key in [k for k in state_dict if k.startswith(prefix + "_inference_generator.")]:
        del state_dict[key]


def _drop_inference_copy(module: GANModule, incompatible: Any) -> None:
    """New weights make the copy stale; its own keys are never in a state dict, so they are not missing."""
    keep = [k for k in incompatible.missing_keys if "_inference_generator." not in k]
    incompatible.missing_keys[:] = keep
    module._inference_generator = None


def _scaled(term: LazyRegularizer, batch: Any) -> dict[str, Tensor]:
    out = term.loss(batch)
    return {**out, "loss": out["loss"] * term.every}
