"""A grid of samples from fixed noise (or of translations of fixed inputs) after every n-th epoch."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import lightning as L
import torch
from lightning.pytorch.loggers import TensorBoardLogger, WandbLogger

from ganzoo.images import save_image_grid, to_grid
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
