"""A progress bar that shows the latest discriminator and generator losses."""

from __future__ import annotations

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
