"""Progress of a GAN run: a bar with the latest discriminator and generator losses, and the time left of a
budget counted in generator steps."""

from __future__ import annotations

import time
from typing import Any

import lightning as L
import torch
from lightning.pytorch.callbacks import TQDMProgressBar


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
