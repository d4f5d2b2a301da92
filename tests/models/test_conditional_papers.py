"""CGAN, ACGAN and InfoGAN train on (image, label) batches (both networks change, the other one frozen), and
save_pretrained + ganzoo.load rebuild them."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import torch

import ganzoo
from ganzoo.data import MNIST
from ganzoo.models import ACGAN, CGAN, GANModule, InfoGAN

from .helpers import StepRecorder, changed, quiet_trainer, snapshot

TINY: dict[str, Callable[[], GANModule]] = {
    "CGAN": lambda: CGAN(
        data_shape=(1, 16, 16),
        latent_dim=8,
        g_z_hidden=8,
        g_y_hidden=8,
        g_hidden=(16,),
        d_x_hidden=8,
        d_y_hidden=4,
        d_hidden=(8,),
        maxout_pieces=2,
        joint_maxout_pieces=2,
    ),
    "ACGAN": lambda: ACGAN(data_shape=(1, 16, 16), latent_dim=8, width=8),
    "InfoGAN": lambda: InfoGAN(data_shape=(1, 16, 16), latent_dim=8, q_hidden=8),
}


@pytest.mark.parametrize("name", sorted(TINY))
def test_paper_trains_on_labelled_images(name: str, mnist_dir) -> None:
    torch.manual_seed(0)
    model = TINY[name]()
    g_before, d_before = snapshot(model.generator), snapshot(model.discriminator)
    recorder = StepRecorder()
    trainer = quiet_trainer(max_steps=4, callbacks=[recorder])
    trainer.fit(model, MNIST(data_dir=mnist_dir, image_size=16, batch_size=8, download=False))

    assert recorder.sequence == ["D", "G"] * 2
    assert all(recorder.other_frozen), "the network not being updated must have requires_grad=False"
    assert changed(g_before, model.generator), "generator weights did not change"
    assert changed(d_before, model.discriminator), "discriminator weights did not change"
    samples = model.sample(4, seed=0)
    assert samples.shape == (4, 1, 16, 16) and samples.min() >= -1 and samples.max() <= 1
    assert torch.equal(samples, model.sample(4, seed=0))


@pytest.mark.parametrize("name", sorted(TINY))
def test_save_pretrained_and_load_give_the_same_samples(name: str, tmp_path) -> None:
    torch.manual_seed(0)
    model = TINY[name]().eval()
    loaded = ganzoo.load(model.save_pretrained(tmp_path / name))
    assert type(loaded) is type(model)
    assert torch.equal(loaded.sample(4, seed=1), model.sample(4, seed=1))
