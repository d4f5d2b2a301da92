"""Dataset files that are damaged or impossible are named with what to do, never read as wrong data."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from ganzoo.data import MNIST, CelebA, ImageFolder, Paired
from ganzoo.data.base import DamagedFileError
from ganzoo.data.image_folder import read_rgb
from tests.conftest import write_idx


def mnist_copy(mnist_dir: Path, folder: Path) -> Path:
    shutil.copytree(mnist_dir, folder)
    return folder


def test_a_truncated_gzip_names_the_file_and_what_to_do(mnist_dir, tmp_path) -> None:
    folder = mnist_copy(mnist_dir, tmp_path / "mnist")
    path = folder / "train-images-idx3-ubyte.gz"
    path.write_bytes(path.read_bytes()[:-100])  # an interrupted download
    with pytest.raises(DamagedFileError, match="is not a complete gzip file") as err:
        MNIST(data_dir=folder, download=False).dataset("train")
    assert str(path) in str(err.value) and "delete it and run again with download=True" in str(err.value)
    assert path.exists(), "a file in the user's own folder is never deleted"


def test_a_file_that_is_not_gzip_names_the_file(mnist_dir, tmp_path) -> None:
    folder = mnist_copy(mnist_dir, tmp_path / "mnist")
    (folder / "t10k-labels-idx1-ubyte.gz").write_bytes(b"<html>Not Found</html>")
    with pytest.raises(DamagedFileError, match=r"t10k-labels-idx1-ubyte.gz is not a complete gzip file"):
        MNIST(data_dir=folder, download=False).dataset("test")


def test_zero_images_are_refused(tmp_path) -> None:
    write_idx(tmp_path / "train-images-idx3-ubyte.gz", np.zeros((0, 28, 28)))
    write_idx(tmp_path / "train-labels-idx1-ubyte.gz", np.zeros((0,)))
    with pytest.raises(DamagedFileError, match=r"train-images-idx3-ubyte.gz holds 0 images"):
        MNIST(data_dir=tmp_path, download=False).dataset("train")


def test_labels_outside_0_to_9_are_refused(tmp_path) -> None:
    labels = np.arange(8) % 10
    labels[5] = 255
    write_idx(tmp_path / "train-images-idx3-ubyte.gz", np.zeros((8, 28, 28)))
    write_idx(tmp_path / "train-labels-idx1-ubyte.gz", labels)
    with pytest.raises(
        DamagedFileError, match=r"labels-idx1-ubyte.gz has label 255 at index 5 \(1 labels outside"
    ):
        MNIST(data_dir=tmp_path, download=False).dataset("train")


def test_counts_that_differ_between_images_and_labels_are_refused(tmp_path) -> None:
    write_idx(tmp_path / "train-images-idx3-ubyte.gz", np.zeros((8, 28, 28)))
    write_idx(tmp_path / "train-labels-idx1-ubyte.gz", np.zeros((7,)))
    with pytest.raises(
        DamagedFileError, match=r"has 8 images but .*labels-idx1-ubyte.gz has labels of shape \(7,\)"
    ):
        MNIST(data_dir=tmp_path, download=False).dataset("train")


def test_a_download_cut_off_in_the_download_folder_is_deleted_and_named(mnist_dir, tmp_path) -> None:
    """torchvision's ``MNIST/raw`` is where downloads land: a .gz there that is not the published file (its
    md5 is torchvision's) is deleted, so the next run downloads it again instead of failing forever."""
    raw = tmp_path / "mnist" / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for name in ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"):
        shutil.copy(mnist_dir / name, raw / name)
    bad = raw / "train-images-idx3-ubyte.gz"
    md5 = hashlib.md5(bad.read_bytes()).hexdigest()
    with pytest.raises(
        DamagedFileError, match=rf"has md5 {md5}, not the published f68b3c2dcbeaaa9fbdd348bbdeb94873"
    ):
        MNIST(data_dir=tmp_path / "mnist", download=False).dataset("train")
    assert not bad.exists() and (raw / "train-labels-idx1-ubyte.gz").exists()


def png16(path: Path, value: int) -> Path:
    Image.fromarray(np.full((8, 8), value, dtype=np.uint16)).save(path)
    return path


def test_a_16_bit_png_keeps_its_scale(tmp_path) -> None:
    """Mid-grey 32768 / 65535 = 0.5 of the range (Pillow's own conversion clips it to white)."""
    path = png16(tmp_path / "grey.png", 32768)
    with Image.open(path) as image:
        assert image.mode == "I;16" and np.asarray(image.convert("RGB")).max() == 255  # the clipping
    assert np.asarray(read_rgb(path)).tolist() == np.full((8, 8, 3), 128).tolist()  # round(32768 / 257)
    (tmp_path / "train").mkdir()
    for value in (0, 32768, 65535):
        png16(tmp_path / "train" / f"{value}.png", value)
    items = ImageFolder(tmp_path / "train", image_size=8).dataset("train")
    signed = {path.stem: items[i][0] for i, path in enumerate(items.files)}
    for value, image in signed.items():
        expected = int(value) / 65535 * 2 - 1  # the signed range [-1, 1] of the 16-bit value
        assert image.shape == (3, 8, 8)
        torch.testing.assert_close(image, torch.full_like(image, expected), atol=1 / 255, rtol=0)


def test_a_truncated_jpeg_names_the_image(tmp_path) -> None:
    folder = tmp_path / "photos"
    folder.mkdir()
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 256, (32, 32, 3), dtype=np.uint8)).save(folder / "a.jpg")
    bad = folder / "b.jpg"
    bad.write_bytes((folder / "a.jpg").read_bytes()[:300])
    items = ImageFolder(folder, image_size=16).dataset("train")
    assert items[0][0].shape == (3, 16, 16)
    with pytest.raises(DamagedFileError, match=r"b.jpg cannot be read as an image .* truncated or damaged"):
        items[1]
    (folder / "c.jpg").write_bytes(b"not an image at all")
    with pytest.raises(DamagedFileError, match=r"c.jpg cannot be read as an image"):
        ImageFolder(folder, image_size=16).dataset("train")[2]


def test_a_truncated_pair_names_the_image(paired_dir, tmp_path) -> None:
    folder = tmp_path / "facades"
    shutil.copytree(paired_dir, folder)
    path = folder / "val" / "2.png"
    path.write_bytes(path.read_bytes()[:200])
    dm = Paired("facades", data_dir=folder, load_size=36, crop_size=32, download=False)
    with pytest.raises(DamagedFileError, match=r"val/2.png cannot be read as an image"):
        dm.dataset("val")[1]


def celeba(folder: Path, names: list[str], partition: str | None = None) -> Path:
    images = folder / "img_align_celeba"
    images.mkdir(parents=True)
    for name in names:
        Image.fromarray(np.zeros((218, 178, 3), dtype=np.uint8)).save(images / name, format="JPEG")
    if partition is not None:
        (folder / "list_eval_partition.txt").write_text(partition)
    return images


def test_celeba_finds_upper_case_and_jpeg_suffixes(tmp_path) -> None:
    images = celeba(tmp_path, ["000001.JPG", "000002.jpeg", "000003.jpg", "000004.Jpg"])
    dm = CelebA(tmp_path, image_size=16, test_fraction=0.25, download=False)
    assert [p.name for p in dm.dataset("train").files] == ["000001.JPG", "000002.jpeg", "000003.jpg"]
    assert dm.dataset("test").files == [images / "000004.Jpg"]


def test_celeba_partition_matches_names_whatever_the_suffix_case(tmp_path) -> None:
    images = celeba(
        tmp_path, ["000001.JPG", "000002.jpg", "000003.jpg"], "000001.jpg 0\n000002.jpg 2\n000003.jpg 0\n"
    )
    dm = CelebA(tmp_path, image_size=16, download=False)
    assert dm.dataset("train").files == [images / "000001.JPG", images / "000003.jpg"]
    assert dm.dataset("test").files == [images / "000002.jpg"]
    assert dm.dataset("valid").files == []


def test_celeba_unknown_split_code_is_an_error(tmp_path) -> None:
    celeba(tmp_path, ["000001.jpg", "000002.jpg"], "000001.jpg 0\n000002.jpg 3\n")
    with pytest.raises(
        DamagedFileError, match=r"list_eval_partition.txt line 2 is '000002.jpg 3'.*code in 0 \(train\)"
    ):
        CelebA(tmp_path, image_size=16, download=False).dataset("train")


def test_celeba_partition_naming_missing_images_is_an_error(tmp_path) -> None:
    celeba(tmp_path, ["000001.jpg"], "000001.jpg 0\n000002.jpg 0\n000003.jpg 1\n")
    with pytest.raises(
        DamagedFileError, match=r"lists 1 images of this split that are not in .* \(first: 000002.jpg\)"
    ):
        CelebA(tmp_path, image_size=16, download=False).dataset("train")
