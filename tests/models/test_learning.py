"""Small GANs actually learn: on the 8-Gaussian ring they cover the modes within a fixed step budget.

Mode coverage as in VEEGAN / Unrolled GAN: a sample is high quality when it lies within 3 std of a mode;
a mode is covered when it holds high-quality samples. Each budget runs in well under a minute on 2 cores.
The WGAN-GP run uses lambda = 0.1, the authors' setting for their 2-D toy experiments (gan_toy.py), with
the paper's 5 critic steps and Adam betas (0.5, 0.9).
"""

from __future__ import annotations

import functools
from typing import Any

import lightning as L
import pytest
import torch

from ganzoo.data import Toy2D
from ganzoo.data.toy2d import mode_coverage
from ganzoo.models import GAN

from .helpers import quiet_trainer

STD = 0.05
CASES: dict[str, dict[str, Any]] = {
    "nonsaturating": dict(loss="nonsaturating", batch_size=512, g_steps=2000, hidden=(128, 128)),
    "hinge": dict(loss="hinge", batch_size=512, g_steps=2000, hidden=(128, 128)),
    "wgan-gp": dict(
        loss="wasserstein",
        penalty="gradient",
        penalty_weight=0.1,
        d_steps=5,
        optimizer=functools.partial(torch.optim.Adam, betas=(0.5, 0.9)),
        batch_size=256,
        g_steps=1000,
        hidden=(256, 256, 256),
    ),
}


def train_on_ring(
    loss: str, batch_size: int, g_steps: int, hidden: tuple[int, ...], **kwargs: Any
) -> tuple[GAN, Toy2D]:
    L.seed_everything(0, verbose=False)
    model = GAN(
        data_shape=(2,),
        latent_dim=16,
        g_hidden=hidden,
        d_hidden=hidden,
        maxout_pieces=1,
        dropout=0.0,
        tanh=False,
        loss=loss,
        lr_g=1e-3,
        lr_d=1e-3,
        **{"optimizer": functools.partial(torch.optim.Adam, betas=(0.5, 0.999)), **kwargs},
    )
    data = Toy2D(mixture="ring8", std=STD, batch_size=batch_size, num_samples=batch_size * 50)
    quiet_trainer(max_steps=g_steps * (model.d_steps + 1)).fit(model, data)
    assert int(model.num_g_steps) == g_steps
    return model, data


@pytest.mark.parametrize(
    "case",
    # WGAN-GP's five critic steps per G step take minutes on 2 cores: it runs in `make test-all`.
    [pytest.param(c, marks=pytest.mark.slow) if c == "wgan-gp" else c for c in sorted(CASES)],
)
def test_covers_the_ring_of_gaussians(case: str, single_thread) -> None:
    model, data = train_on_ring(**CASES[case])
    samples = model.sample(2000, seed=1)
    modes, quality = mode_coverage(samples, data.modes, STD)
    assert modes >= 6, f"{case}: only {modes}/8 modes covered"
    assert quality >= 0.7, f"{case}: only {quality:.0%} of samples within 3 std of a mode"


def test_an_untrained_generator_fails_the_same_check() -> None:
    model = GAN(
        data_shape=(2,), latent_dim=16, g_hidden=(128, 128), d_hidden=(128, 128), maxout_pieces=1, tanh=False
    )
    _, quality = mode_coverage(model.sample(2000, seed=1), Toy2D(std=STD).modes, STD)
    assert quality < 0.1
