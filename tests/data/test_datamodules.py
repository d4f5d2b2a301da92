"""DataModules: value range, shapes, splits, the registry and the offline error messages."""

from __future__ import annotations

import gzip

import pytest
import torch

from ganzoo import data
from ganzoo.data import MNIST, CelebA, DatasetNotFoundError, ImageFolder, Toy2D
from ganzoo.data.mnist import read_idx
from ganzoo.data.toy2d import mixture_modes, mode_coverage


def test_registry_lists_every_dataset() -> None:
    assert data.available() == [
        "celeba",
        "celeba_attributes",
        "cifar10",
        "fashion_mnist",
        "image_folder",
        "imagenet",
        "mnist",
        "paired",
        "toy2d",
        "unpaired",
    ]
    assert data.get("mnist") is MNIST


def test_unknown_dataset_suggests_close_names() -> None:
    with pytest.raises(ValueError, match=r"unknown dataset 'mnsit'\. Did you mean 'mnist'"):
        data.get("mnsit")


def test_toy2d_modes_labels_and_coverage() -> None:
    dm = Toy2D(mixture="ring8", std=0.02, num_samples=4000)
    points, labels = dm.dataset("train").tensors
    assert points.shape == (4000, 2) and set(labels.tolist()) == set(range(8))
    assert torch.allclose(mixture_modes("ring8").norm(dim=1), torch.full((8,), 2.0))
    assert (points - dm.modes[labels]).norm(dim=1).max() < 0.02 * 6
    assert mode_coverage(points, dm.modes, 0.02) == (8, pytest.approx(1.0, abs=0.01))
    collapsed = dm.modes[0].expand(100, 2)
    assert mode_coverage(collapsed, dm.modes, 0.02) == (1, 1.0)
    assert mixture_modes("grid25").shape == (25, 2)
    assert not torch.equal(dm.dataset("train").tensors[0], dm.dataset("test").tensors[0])


def test_mnist_reads_idx_files_into_the_signed_range(mnist_dir) -> None:
    dm = MNIST(data_dir=mnist_dir, image_size=32, batch_size=16, download=False)
    train, test = dm.dataset("train"), dm.dataset("test")
    assert (len(train), len(test)) == (64, 32)
    image, label = train[0]
    assert image.shape == (1, 32, 32) and image.dtype == torch.float32 and 0 <= int(label) < 10
    assert image.min() >= -1 and image.max() <= 1
    batch, labels = next(iter(dm.train_dataloader()))
    assert batch.shape == (16, 1, 32, 32) and labels.shape == (16,)


def test_mnist_native_size_keeps_pixels_exact(mnist_dir) -> None:
    raw = torch.from_numpy(read_idx(mnist_dir / "train-images-idx3-ubyte.gz").copy())
    image, _ = MNIST(data_dir=mnist_dir, image_size=28, download=False).dataset("train")[3]
    torch.testing.assert_close(image[0], raw[3].float() / 127.5 - 1)


def test_truncated_idx_file_is_reported(tmp_path) -> None:
    with gzip.open(tmp_path / "bad.gz", "wb") as f:
        f.write(bytes([0, 0, 8, 1]) + (100).to_bytes(4, "big") + bytes(10))
    with pytest.raises(ValueError, match="truncated"):
        read_idx(tmp_path / "bad.gz")


def test_missing_dataset_names_files_and_where_to_put_them(tmp_path) -> None:
    with pytest.raises(DatasetNotFoundError) as err:
        MNIST(data_dir=tmp_path / "nowhere", download=False).dataset("train")
    message = str(err.value)
    assert "mnist was not found in" in message and "train-images-idx3-ubyte.gz" in message
    assert "pass data_dir=" in message and "yann.lecun.com" in message


def test_failed_download_gives_the_same_instructions(tmp_path, monkeypatch) -> None:
    def offline(*args, **kwargs):
        raise OSError("network is unreachable")

    monkeypatch.setattr(
        MNIST, "torchvision_class", type("Offline", (), {"__init__": offline, "__name__": "MNIST"})
    )
    with pytest.raises(DatasetNotFoundError, match="download failed: network is unreachable"):
        MNIST(data_dir=tmp_path, download=True).dataset("train")


def test_cifar10_offline_error(tmp_path) -> None:
    with pytest.raises(DatasetNotFoundError, match="cifar-10-batches-py"):
        data.create("cifar10", data_dir=tmp_path, download=False).dataset("train")


def test_image_folder_splits_and_range(image_dir) -> None:
    dm = ImageFolder(data_dir=image_dir, image_size=32)
    train, test = dm.dataset("train"), dm.dataset("test")
    assert (len(train), len(test)) == (12, 4)
    image, _ = train[0]
    assert image.shape == (3, 32, 32) and image.min() >= -1 and image.max() <= 1
    grey, _ = ImageFolder(data_dir=image_dir, image_size=16, channels=1).dataset("train")[0]
    assert grey.shape == (1, 16, 16)


def test_image_folder_without_images_is_explained(tmp_path) -> None:
    with pytest.raises(DatasetNotFoundError, match="no image files"):
        ImageFolder(data_dir=tmp_path).dataset("train")


def test_celeba_subset_split_and_crop(image_dir) -> None:
    dm = CelebA(data_dir=image_dir / "train", image_size=16, test_fraction=0.25, download=False)
    assert (len(dm.dataset("train")), len(dm.dataset("test"))) == (9, 3)
    assert dm.dataset("train")[0][0].shape == (3, 16, 16)
    with pytest.raises(ValueError, match="only 'train' and 'test'"):
        dm.dataset("valid")


def test_real_mnist_sizes(real_mnist) -> None:
    dm = MNIST(data_dir=real_mnist, download=False)
    assert (len(dm.dataset("train")), len(dm.dataset("test"))) == (60000, 10000)
