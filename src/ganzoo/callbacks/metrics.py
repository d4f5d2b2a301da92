"""Measuring FID / IS / KID during training and logging them as ``val/fid``, ``val/is``, ``val/kid``.

A model that samples is measured on ``num_samples`` of its samples; a model that translates, on the
translations of its DataModule's evaluation split (FID against that split's target side, and L1 / PSNR /
SSIM for paired data), as ``ganzoo eval translation`` measures it.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from typing import Any

import lightning as L
import torch
from torch import nn

from ganzoo.metrics.evaluate import evaluate
from ganzoo.metrics.extractor import as_extractor
from ganzoo.metrics.reference import reference_stats
from ganzoo.metrics.stats import FeatureStats
from ganzoo.metrics.suite import GenerativeMetrics
from ganzoo.metrics.translation import evaluate_translation
from ganzoo.models.capabilities import Sampler, Translator


class GenerativeMetricsCallback(L.Callback):
    """Every ``every_n_epochs`` epochs (or ``every_n_steps`` generator updates) sample ``num_samples``
    images with ``pl_module.sample`` (the EMA generator when there is one) and log the metrics.

    Under DDP each rank generates its share of the images (``ganzoo.metrics.evaluate.generate``) and the
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
