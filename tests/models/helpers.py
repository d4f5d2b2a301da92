"""Small configurations of every paper and a recorder of optimizer steps, shared by the model tests."""

from __future__ import annotations

from collections.abc import Callable

import lightning as L
import torch
from torch import nn

from ganzoo.models import BEGAN, DCGAN, DRAGAN, GAN, LSGAN, WGAN, WGANGP, GANModule

TINY_PAPERS: dict[str, Callable[[], GANModule]] = {
    "GAN": lambda: GAN(data_shape=(1, 16, 16), g_hidden=(32,), d_hidden=(32,), maxout_pieces=2),
    "DCGAN": lambda: DCGAN(image_size=16, channels=1, g_width=8, d_width=8),
    "LSGAN": lambda: LSGAN(image_size=16, channels=1, g_width=8, d_width=8),
    "WGAN": lambda: WGAN(image_size=16, channels=1, g_width=8, d_width=8),
    "WGANGP": lambda: WGANGP(image_size=16, channels=1, g_width=8, d_width=8),
    "DRAGAN": lambda: DRAGAN(image_size=16, channels=1, g_width=8, d_width=8),
    "BEGAN": lambda: BEGAN(image_size=16, channels=1, width=8, latent_dim=8),
    "NSGAN-lucic2018": lambda: DCGAN(architecture="lucic2018", image_size=16, channels=1, latent_dim=8),
    "BEGAN-lucic2018": lambda: BEGAN(architecture="lucic2018", image_size=16, channels=1, latent_dim=8),
}


def optimizer_of(model: GANModule) -> torch.optim.Optimizer:
    """The discriminator's optimizer as the model builds it (the generator's is of the same kind)."""
    built = model.configure_optimizers()
    return (built[0] if isinstance(built, tuple) else built)[0]


def snapshot(module: nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in module.state_dict().items()}


def changed(before: dict[str, torch.Tensor], module: nn.Module) -> bool:
    return any(not torch.equal(before[k], v) for k, v in module.state_dict().items() if v.is_floating_point())


class StepRecorder(L.Callback):
    """Records which network each optimizer step belongs to, and whether the other one was frozen."""

    def __init__(self) -> None:
        self.sequence: list[str] = []
        self.other_frozen: list[bool] = []

    def on_before_optimizer_step(
        self, trainer: L.Trainer, pl_module: GANModule, optimizer: torch.optim.Optimizer
    ) -> None:
        is_d = optimizer is trainer.optimizers[0]
        self.sequence.append("D" if is_d else "G")
        other = pl_module.generator if is_d else pl_module.discriminator
        self.other_frozen.append(not any(p.requires_grad for p in other.parameters()))


def quiet_trainer(**kwargs: object) -> L.Trainer:
    defaults = dict(
        accelerator="cpu",
        devices=1,
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        max_epochs=-1,
        num_sanity_val_steps=0,
    )
    return L.Trainer(**{**defaults, **kwargs})
