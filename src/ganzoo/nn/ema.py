"""Exponential moving average of generator weights (Karras et al. 2018; Yazici et al. 2019)."""

from __future__ import annotations

import torch
from torch import nn

from ganzoo.nn.spectral_norm import refresh_spectral_norm_


@torch.no_grad()
def ema_update_(ema: nn.Module, model: nn.Module, decay: float) -> None:
    """ema <- decay * ema + (1 - decay) * model for parameters; buffers (e.g. BN statistics) are copied.

    Spectral-norm vectors are copied too, then advanced one power iteration on the averaged weights, so the
    EMA network normalises by its own sigma rather than the live network's.
    """
    ema_params = list(ema.parameters())
    model_params = [p.detach().to(e.dtype) for p, e in zip(model.parameters(), ema_params, strict=True)]
    torch._foreach_lerp_(ema_params, model_params, 1.0 - decay)
    for e, b in zip(ema.buffers(), model.buffers(), strict=True):
        e.copy_(b)
    refresh_spectral_norm_(ema)
