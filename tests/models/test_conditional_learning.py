"""Small conditional GANs learn the labelled 8-Gaussian ring, where class k is mode k.

CGAN and ACGAN: for every class, at least 90% of the samples asked for that class lie within 3 std of its
mode (``toy2d.mode_accuracy``). InfoGAN never sees labels: after training, each value of its 8-way
categorical code is matched to a mode by best matching (Hungarian algorithm) on the counts of samples
within 3 std of each mode, and at least 90% of all samples must land on their code's matched mode.
For reference, real data scores 1 - exp(-9/2) = 98.9% on the 3-std rule (2-D Gaussian radii are Rayleigh).
Each budget is fixed and seeded; each test takes 10-40 s on one thread.
"""

from __future__ import annotations

import functools

import lightning as L
import pytest
import torch
from scipy.optimize import linear_sum_assignment

from ganzoo.data import Toy2D
from ganzoo.data.toy2d import mode_accuracy, nearest_mode
from ganzoo.models import ACGAN, CGAN, GANModule, InfoGAN

from .helpers import quiet_trainer

STD = 0.05
PER_CLASS = 250


def train(model: GANModule, g_steps: int, batch_size: int) -> Toy2D:
    data = Toy2D(mixture="ring8", std=STD, batch_size=batch_size, num_samples=batch_size * 50)
    quiet_trainer(max_steps=2 * g_steps).fit(model, data)
    assert int(model.num_g_steps) == g_steps
    return data


def class_accuracy(model: GANModule, data: Toy2D) -> torch.Tensor:
    labels = torch.arange(8).repeat_interleave(PER_CLASS)
    return mode_accuracy(model.sample(len(labels), classes=labels, seed=1), labels, data.modes, STD)


def test_cgan_puts_each_class_on_its_mode(single_thread) -> None:
    L.seed_everything(0, verbose=False)
    model = CGAN(
        data_shape=(2,),
        num_classes=8,
        class_names=None,
        latent_dim=8,
        g_z_hidden=64,
        g_y_hidden=64,
        g_hidden=(128,),
        g_dropout=0.0,
        d_x_hidden=64,
        d_y_hidden=64,
        d_hidden=(128,),
        maxout_pieces=1,
        joint_maxout_pieces=1,
        d_dropout=0.0,
        tanh=False,
        optimizer=functools.partial(torch.optim.Adam, betas=(0.5, 0.999)),
        lr_g=1e-3,
        lr_d=1e-3,
        momentum_final=None,
    )
    data = train(model, g_steps=1000, batch_size=256)
    accuracy = class_accuracy(model, data)
    assert accuracy.min() >= 0.9, f"per-class accuracy {accuracy.tolist()}"


@pytest.mark.slow  # about 1 min; CGAN and InfoGAN stay in the fast suite
def test_acgan_puts_each_class_on_its_mode(single_thread) -> None:
    L.seed_everything(0, verbose=False)
    model = ACGAN(
        data_shape=(2,),
        num_classes=8,
        class_names=None,
        latent_dim=8,
        hidden=(128, 128),
        lr_g=1e-3,
        lr_d=1e-3,
        ema_decay=0.99,
    )
    data = train(model, g_steps=1500, batch_size=512)
    accuracy = class_accuracy(model, data)
    assert accuracy.min() >= 0.9, f"per-class accuracy {accuracy.tolist()}"


def test_infogan_categorical_code_recovers_the_modes_unsupervised(single_thread) -> None:
    L.seed_everything(0, verbose=False)
    model = InfoGAN(
        data_shape=(2,),
        latent_dim=8,
        categories=8,
        continuous_codes=0,
        hidden=(128, 128),
        q_hidden=64,
        lr_g=1e-3,
        lr_d=1e-3,
    )
    data = train(model, g_steps=1000, batch_size=256)
    codes = torch.arange(8).repeat_interleave(PER_CLASS)
    samples = model.sample(len(codes), category=codes, seed=1)
    modes = nearest_mode(samples, data.modes, STD)
    counts = torch.zeros(8, 8)
    on_mode = modes >= 0
    counts.index_put_((codes[on_mode], modes[on_mode]), torch.ones(int(on_mode.sum())), accumulate=True)
    rows, cols = linear_sum_assignment(counts.numpy(), maximize=True)
    accuracy = counts[rows, cols].sum() / len(codes)
    assert accuracy >= 0.9, f"matched accuracy {accuracy:.3f}; code x mode counts:\n{counts}"
    predicted, _ = model.predict_codes(samples)
    assert (predicted == codes).float().mean() >= 0.9  # Q reads the code back from G's samples
