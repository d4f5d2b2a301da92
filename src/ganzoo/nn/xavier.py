"""The ``--init_type xavier`` initialisation of BicycleGAN and SPADE: Xavier-normal weights with a small
gain (their ``init_gain`` 0.02), zero biases, and N(1, gain) scales for batch norm."""

from __future__ import annotations

from torch import nn


def init_xavier_(module: nn.Module, gain: float = 0.02) -> None:
    """Initialise every convolution, linear layer and batch norm in ``module`` in place."""
    for m in module.modules():
        if isinstance(m, nn.Conv2d | nn.ConvTranspose2d | nn.Linear):
            weight = getattr(m, "weight_orig", m.weight)  # spectral norm keeps the raw weight apart
            nn.init.xavier_normal_(weight, gain=gain)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.BatchNorm2d) and m.weight is not None:
            nn.init.normal_(m.weight, 1.0, gain)
            nn.init.zeros_(m.bias)
