"""G's output bias from the data's marginals (pylearn2's init_sigmoid_bias_from_marginals), checked by
formula and at the start of a fit."""

from __future__ import annotations

import math

import lightning as L
import pytest
import torch
from torch.utils.data import DataLoader, TensorDataset

from ganzoo.data import MNIST
from ganzoo.data.mnist import read_idx
from ganzoo.models import CGAN, GAN
from ganzoo.models.marginals import mean_pixels
from ganzoo.nn.mlp import sigmoid_bias_from_marginals

from .helpers import quiet_trainer


def test_bias_is_the_logit_of_each_pixels_mean_clipped() -> None:
    pixels = torch.tensor([[0.0, 1.0, 0.2, 1.0], [0.0, 1.0, 0.6, 0.0]])
    bias = sigmoid_bias_from_marginals(pixels)
    eps = 1e-7
    expected = [math.log(eps / (1 - eps)), math.log((1 - eps) / eps), math.log(0.4 / 0.6), 0.0]
    assert bias.tolist() == pytest.approx(expected, rel=1e-6, abs=1e-6)
    assert torch.sigmoid(bias[2]).item() == pytest.approx(0.4)


def test_mean_pixels_reads_minus_one_one_batches_as_unit_range() -> None:
    images = torch.tensor([[-1.0, 1.0, 0.0], [1.0, 1.0, 0.0]]).view(2, 1, 1, 3)
    loader = DataLoader(TensorDataset(images, torch.zeros(2, dtype=torch.long)), batch_size=1)
    assert mean_pixels(loader).tolist() == pytest.approx([0.5, 1.0, 0.5])


class BiasAtStart(L.Callback):
    def on_train_start(self, trainer, model) -> None:
        self.bias = model.output_layer().bias.detach().clone()


@pytest.mark.parametrize("cls", [GAN, CGAN])
def test_fit_starts_g_at_the_training_digits_mean(cls, mnist_dir) -> None:
    torch.manual_seed(0)
    model = cls(g_init_range=0.05, d_init_range=0.005, output="sigmoid", output_bias_from_data=True)
    seen = BiasAtStart()
    data = MNIST(data_dir=mnist_dir, image_size=28, batch_size=32, download=False)
    quiet_trainer(max_steps=2, callbacks=[seen]).fit(model, data)
    images = torch.from_numpy(read_idx(mnist_dir / "train-images-idx3-ubyte.gz").copy()).float()
    # the datamodule's [-1, 1] pixels read back as [0, 1] differ from x / 255 by float rounding only
    expected = sigmoid_bias_from_marginals(images.view(len(images), -1) / 255)
    assert torch.allclose(seen.bias, expected, atol=1e-4)
    assert model.num_g_steps == 1


def test_without_the_option_the_bias_stays_zero(mnist_dir) -> None:
    model = GAN(g_init_range=0.05, output="sigmoid")
    seen = BiasAtStart()
    data = MNIST(data_dir=mnist_dir, image_size=28, batch_size=32, download=False)
    quiet_trainer(max_steps=2, callbacks=[seen]).fit(model, data)
    assert seen.bias.abs().max() == 0
