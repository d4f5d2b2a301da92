"""The standard FID on real MNIST: a small distance between two halves of the data, a large one to noise."""

import pytest
import torch

from ganzoo import data
from ganzoo.hub import inception as weights
from ganzoo.metrics import FeatureExtractor, FeatureMoments, frechet_distance, standard_inception
from ganzoo.metrics.stats import reference_stats

pytestmark = [
    pytest.mark.skipif(
        weights.installed_torchscript() is None, reason=f"{weights.FID_HELPER} is not installed"
    ),
    # Fewer samples than the 2048 feature dimensions: biased, but both distances share the bias.
    pytest.mark.filterwarnings("ignore:estimating a 2048x2048"),
]


@pytest.mark.parametrize("n", [24, pytest.param(500, marks=pytest.mark.slow)])
def test_fid_separates_mnist_train_test_from_mnist_noise(real_mnist, n, record_property):
    extractor = FeatureExtractor(standard_inception())
    mnist = data.create("mnist", data_dir=real_mnist, image_size=28)
    train = reference_stats(mnist, "train", extractor=extractor, num_samples=n, batch_size=50)
    test = reference_stats(mnist, "test", extractor=extractor, num_samples=n, batch_size=50)
    noise = FeatureMoments()
    uniform = torch.rand(n, 1, 28, 28, generator=torch.Generator().manual_seed(0)) * 2 - 1
    for batch in uniform.split(50):
        noise.update(extractor(batch)[0])
    fid_train_test = frechet_distance(train, test)
    fid_noise = frechet_distance(train, noise.compute())
    record_property("fid_train_test", fid_train_test)
    record_property("fid_mnist_noise", fid_noise)
    print(f"n={n}: FID(MNIST train, test) = {fid_train_test:.2f}, FID(MNIST train, noise) = {fid_noise:.2f}")
    assert 0 < fid_train_test < 0.25 * fid_noise
    assert fid_noise > 200
