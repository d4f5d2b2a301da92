"""The callbacks a GAN run reports through.

- ``SampleGrid``: a grid of samples from fixed noise (or of translations of fixed inputs) after every n-th
  epoch;
- ``GANProgressBar`` and ``StepBudgetETA``: the latest discriminator and generator losses, and the time left
  of a budget counted in generator steps;
- ``GenerativeMetricsCallback``: FID / IS / KID measured during training and logged as ``val/fid``,
  ``val/is``, ``val/kid``. A model that samples is measured on ``num_samples`` of its samples; a model that
  translates, on the translations of its DataModule's evaluation split (FID against that split's target
  side, and L1 / PSNR / SSIM for paired data), as ``ganzoo eval translation`` measures it.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import lightning as L
import torch
from lightning.pytorch.callbacks import TQDMProgressBar
from lightning.pytorch.loggers import TensorBoardLogger, WandbLogger
from torch import nn

from ganzoo.images import save_image_grid, to_grid
from ganzoo.metrics.extractor import as_extractor
from ganzoo.metrics.stats import FeatureStats, reference_stats
from ganzoo.metrics.suite import GenerativeMetrics, evaluate
from ganzoo.metrics.translation import evaluate_translation
from ganzoo.models.capabilities import Sampler, Translator


class SampleGrid(L.Callback):
    """Every ``every_n_epochs`` epochs, sample the same ``num_samples`` latents and save a PNG grid.

    Fixed noise makes successive grids comparable, which is how one sees mode collapse or divergence
    early. The PNG goes to ``<run dir>/samples/``; the grid is also sent to a TensorBoard or W&B logger.
    Image-to-image models (``Translator``) have no latents: their grid shows rows of input | output |
    target for the first ``min(8, num_samples)`` training pairs seen.
    """

    def __init__(self, num_samples: int = 64, every_n_epochs: int = 1, seed: int = 0) -> None:
        self.num_samples, self.every_n_epochs, self.seed = num_samples, every_n_epochs, seed
        self.last_path: Path | None = None
        self.pairs: dict[str, torch.Tensor] | None = None

    def on_train_batch_start(
        self, trainer: L.Trainer, pl_module: L.LightningModule, batch: Any, i: int
    ) -> None:
        if not isinstance(pl_module, Translator) or not isinstance(batch, dict):
            return
        wanted = min(8, self.num_samples)
        if self.pairs is None:
            self.pairs = {k: batch[k][:wanted].detach().clone() for k in ("A", "B")}
        elif len(self.pairs["A"]) < wanted:
            more = wanted - len(self.pairs["A"])
            self.pairs = {k: torch.cat([v, batch[k][:more].detach()]) for k, v in self.pairs.items()}

    def on_train_epoch_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        if (trainer.current_epoch + 1) % self.every_n_epochs:
            return
        if isinstance(pl_module, Translator):
            if self.pairs is None:
                return
            images, nrow = self._translation_rows(pl_module), 3
        elif isinstance(pl_module, Sampler):
            images, nrow = pl_module.sample(self.num_samples, seed=self.seed), None
        else:
            return
        if not trainer.is_global_zero:
            return
        run_dir = Path(trainer.log_dir or trainer.default_root_dir)
        name = f"epoch={trainer.current_epoch:03d}-step={trainer.global_step}.png"
        self.last_path = save_image_grid(images, run_dir / "samples" / name, nrow=nrow)
        for logger in trainer.loggers:
            if isinstance(logger, TensorBoardLogger):
                logger.experiment.add_image("samples", to_grid(images), trainer.global_step)
            elif isinstance(logger, WandbLogger):
                logger.log_image("samples", [to_grid(images)], step=trainer.global_step)

    def _translation_rows(self, pl_module: Any) -> torch.Tensor:
        """(input, output, target) triples, single channels shown as grey, dropout noise seeded."""
        a, b = (self.pairs[k].to(pl_module.device) for k in ("A", "B"))
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(self.seed)
            fake = pl_module.translate(a)
        rgb = [x.expand(-1, 3, -1, -1) if x.shape[1] == 1 else x for x in (pl_module.displayable(a), fake, b)]
        return torch.stack(rgb, 1).flatten(0, 1)

    def state_dict(self) -> dict[str, Any]:
        return {"last_path": str(self.last_path) if self.last_path else None}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        self.last_path = Path(state_dict["last_path"]) if state_dict.get("last_path") else None


class GANProgressBar(TQDMProgressBar):
    """Shows the latest discriminator and generator losses as ``D`` and ``G``."""

    def get_metrics(self, trainer: L.Trainer, pl_module: L.LightningModule) -> dict[str, Any]:
        items = super().get_metrics(trainer, pl_module)
        items.pop("v_num", None)
        for key, short in (("train/d_loss", "D"), ("train/g_loss", "G")):
            value = trainer.callback_metrics.get(key)
            if isinstance(value, torch.Tensor):
                items[short] = f"{value.item():.3f}"
        return items


class StepBudgetETA(L.Callback):
    """Prints, once, how long the remaining ``g_steps`` generator steps will take at the speed measured over
    the first ``after`` of them (a budget in steps gives the same model on a busy machine, only later)."""

    def __init__(self, g_steps: int, after: int = 25) -> None:
        self.g_steps, self.after = g_steps, after
        self.start: float | None = None

    def on_train_start(self, trainer: L.Trainer, pl_module: Any) -> None:
        self.start = time.monotonic()

    def on_train_batch_end(self, trainer: L.Trainer, pl_module: Any, *args: Any) -> None:
        done = int(pl_module.num_g_steps)
        if done == self.after and self.start is not None and self.g_steps > self.after:
            left = (time.monotonic() - self.start) / done * (self.g_steps - done)
            print(f"\n{done} of {self.g_steps} generator steps done; about {left / 60:.1f} minutes to go")


class GenerativeMetricsCallback(L.Callback):
    """Every ``every_n_epochs`` epochs (or ``every_n_steps`` generator updates) sample ``num_samples``
    images with ``pl_module.sample`` (the EMA generator when there is one) and log the metrics.

    Under DDP each rank generates its share of the images (``ganzoo.metrics.suite.generate``) and the
    metric states are summed across ranks once per evaluation. FID and IS keep only running sums; KID keeps
    the generated features (N x D float32), which it cannot do without. The reference statistics are
    computed (once, cached) at the first measurement, and nothing is measured in a ``fast_dev_run``.
    A ``Translator`` is measured on the translations of ``trainer.datamodule``'s evaluation split instead.

    Args:
        reference: real-data statistics, a path to a ``.npz``, or ``None`` to compute (once, cached) those
            of ``trainer.datamodule.dataset(split)``.
        split: the reference split when it is computed here.
        reference_samples: images of that split to use (``None``: all).
        extractor: any module; ``None``: the standard Inception.
        metrics: subset of ``("fid", "is", "kid")``; ``None``: all that the reference and extractor allow.
        num_samples: generated images per evaluation.
        batch_size: images per ``sample`` call.
        every_n_epochs: evaluate at the end of every n-th training epoch (``0``: never).
        every_n_steps: also evaluate after every n-th generator update (``num_g_steps``; Lightning's
            ``global_step`` for modules without it).
        is_splits, kid_subsets, kid_subset_size: the IS / KID protocol.
        seed: fixes the latents, so successive evaluations compare the same z.
    """

    def __init__(
        self,
        reference: FeatureStats | str | os.PathLike[str] | None = None,
        *,
        split: str = "train",
        reference_samples: int | None = None,
        extractor: nn.Module | None = None,
        metrics: Sequence[str] | None = None,
        num_samples: int = 10_000,
        batch_size: int = 100,
        every_n_epochs: int = 1,
        every_n_steps: int | None = None,
        is_splits: int = 10,
        kid_subsets: int = 100,
        kid_subset_size: int = 1000,
        seed: int = 0,
    ) -> None:
        super().__init__()
        if every_n_epochs < 0 or (every_n_steps is not None and every_n_steps < 1):
            raise ValueError(
                f"every_n_epochs must be >= 0 and every_n_steps >= 1 or None; "
                f"got {every_n_epochs}, {every_n_steps}"
            )
        self.reference = (
            FeatureStats.load(reference) if isinstance(reference, (str, os.PathLike)) else reference
        )
        self.split, self.reference_samples = split, reference_samples
        self.extractor, self.metric_names = extractor, metrics
        self.num_samples, self.batch_size, self.seed = num_samples, batch_size, seed
        self.every_n_epochs, self.every_n_steps = every_n_epochs, every_n_steps
        self.protocol_args = {
            "is_splits": is_splits,
            "kid_subsets": kid_subsets,
            "kid_subset_size": kid_subset_size,
        }
        self.suite: GenerativeMetrics | None = None
        self._last_step = -1

    def setup(self, trainer: L.Trainer, pl_module: L.LightningModule, stage: str) -> None:
        if stage == "fit" and math.ceil(self.num_samples / self.batch_size) < trainer.world_size:
            raise ValueError(
                f"num_samples={self.num_samples} in batches of {self.batch_size} leaves some of the "
                f"{trainer.world_size} processes without a batch; raise num_samples or lower batch_size"
            )

    def _suite(self, trainer: L.Trainer) -> GenerativeMetrics:
        """The metrics, with the reference statistics computed (rank 0 first, then the cache) on first use."""
        if self.suite is not None:
            return self.suite
        self.extractor = as_extractor(self.extractor)  # loaded once, shared by the reference and the suite
        if self.reference is None:
            datamodule = trainer.datamodule
            if datamodule is None or not hasattr(datamodule, "dataset"):
                raise ValueError(
                    "GenerativeMetricsCallback needs reference statistics: pass reference= (FeatureStats or "
                    "an .npz), or train with a ganzoo DataModule so they can be computed from its "
                    "dataset(split)"
                )
            if trainer.is_global_zero:
                self.reference = self._reference(datamodule)
            trainer.strategy.barrier("ganzoo-reference-stats")
            if self.reference is None:
                self.reference = self._reference(datamodule)
        self.suite = GenerativeMetrics(
            self.reference, self.extractor, self.metric_names, seed=self.seed, **self.protocol_args
        )
        return self.suite

    def _reference(self, datamodule: Any) -> FeatureStats:
        return reference_stats(
            datamodule, self.split, extractor=self.extractor, num_samples=self.reference_samples
        )

    def on_train_epoch_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        if self.every_n_epochs and (trainer.current_epoch + 1) % self.every_n_epochs == 0:
            self._measure(trainer, pl_module, on_step=False)

    def on_train_batch_end(self, trainer: L.Trainer, pl_module: L.LightningModule, *args: Any) -> None:
        if self.every_n_steps is None:
            return
        step = int(getattr(pl_module, "num_g_steps", trainer.global_step))
        if step > 0 and step % self.every_n_steps == 0 and step != self._last_step:
            self._last_step = step
            self._measure(trainer, pl_module, on_step=True)

    def _measure(self, trainer: L.Trainer, pl_module: L.LightningModule, on_step: bool) -> None:
        if trainer.fast_dev_run:  # a smoke test: hours of reference statistics would defeat it
            return
        if isinstance(pl_module, Translator):
            result = self._measure_translation(trainer, pl_module)
        elif isinstance(pl_module, Sampler):
            suite = self._suite(trainer).to(pl_module.device)
            result = evaluate(
                pl_module,
                suite,
                self.num_samples,
                batch_size=self.batch_size,
                seed=self.seed,
                rank=trainer.global_rank,
                world_size=trainer.world_size,
            )
        else:
            raise TypeError(f"{type(pl_module).__name__} neither samples nor translates; nothing to measure")
        values = {f"val/{k}": v for k, v in result.items() if k != "protocol"}
        pl_module.log_dict(values, on_step=on_step, on_epoch=not on_step, sync_dist=False)

    def _measure_translation(self, trainer: L.Trainer, pl_module: Translator) -> dict[str, Any]:
        datamodule = trainer.datamodule
        split = "test" if "test" in datamodule.present_splits() else datamodule.eval_split()
        self.extractor = as_extractor(self.extractor)
        with torch.random.fork_rng(devices=[]):  # the authors' test mode draws dropout noise
            torch.manual_seed(self.seed)
            return evaluate_translation(
                lambda x: pl_module.translate(x),
                datamodule,
                split,
                extractor=self.extractor,
                device=pl_module.device,
            )
