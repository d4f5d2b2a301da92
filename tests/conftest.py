"""Shared fixtures: small generated datasets in the real on-disk formats, and the real ones when present."""

from __future__ import annotations

import gzip
import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
KARRAS_FIXTURES = SHARED_DATA.parent / "fixtures" / "karras"

os.environ.setdefault("WANDB_MODE", "offline")
torch.set_num_threads(min(2, torch.get_num_threads()))


def write_idx(path: Path, array: np.ndarray) -> None:
    header = bytes([0, 0, 8, array.ndim]) + b"".join(int(s).to_bytes(4, "big") for s in array.shape)
    with gzip.open(path, "wb") as f:
        f.write(header + array.astype(np.uint8).tobytes())


@pytest.fixture(autouse=True)
def isolated_cache(session_cache: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point every cache at one folder of this test session, so no test reads or writes the user's caches
    (the hub tests have a fresh one per test). Shared, so the Inception weights are converted once."""
    monkeypatch.setenv("HF_HOME", str(session_cache / "hf_home"))
    monkeypatch.setenv("GANZOO_CACHE", str(session_cache / "ganzoo_cache"))
    for var in ("HF_HUB_CACHE", "HF_HUB_OFFLINE", "XDG_CACHE_HOME"):
        monkeypatch.delenv(var, raising=False)
    return session_cache / "ganzoo_cache"


@pytest.fixture(scope="session")
def session_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("caches")


@pytest.fixture(scope="session", autouse=True)
def scratch_working_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Run the session in a temporary folder, with W&B's folders in it too, so that whatever writes
    relative to the working directory (``samples/``, ``lightning_logs/``, ``wandb/``) or to W&B's defaults
    under ``~/.cache`` / ``~/.config`` stays out of the checkout and the home folder."""
    work = tmp_path_factory.mktemp("cwd")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(work)
        for var in ("WANDB_DIR", "WANDB_CACHE_DIR", "WANDB_CONFIG_DIR", "WANDB_DATA_DIR"):
            folder = work / "wandb-home" / var.lower()
            folder.mkdir(parents=True)
            patch.setenv(var, str(folder))
        yield work


@pytest.fixture(scope="session")
def mnist_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """64 train / 32 test random 28x28 'digits' in MNIST's IDX .gz format."""
    folder = tmp_path_factory.mktemp("mnist")
    rng = np.random.default_rng(0)
    for prefix, n in (("train", 64), ("t10k", 32)):
        write_idx(folder / f"{prefix}-images-idx3-ubyte.gz", rng.integers(0, 256, (n, 28, 28)))
        write_idx(folder / f"{prefix}-labels-idx1-ubyte.gz", rng.integers(0, 10, (n,)))
    return folder


@pytest.fixture(scope="session")
def image_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of 12 random 89x109 JPEGs (the shape of the CelebA subset) in train/ and 4 in test/; train/
    also has a ``list_attr_celeba.txt`` giving its images random values of StarGAN's five attributes."""
    folder = tmp_path_factory.mktemp("images")
    rng = np.random.default_rng(0)
    for split, n in (("train", 12), ("test", 4)):
        (folder / split).mkdir()
        for i in range(n):
            Image.fromarray(rng.integers(0, 256, (109, 89, 3), dtype=np.uint8)).save(
                folder / split / f"{i:06d}.jpg"
            )
    rows = [f"{i:06d}.jpg" + "".join(f" {v:2d}" for v in rng.choice([-1, 1], 5)) for i in range(12)]
    text = "\n".join(["12", "Black_Hair Blond_Hair Brown_Hair Male Young", *rows]) + "\n"
    (folder / "train" / "list_attr_celeba.txt").write_text(text)
    return folder


@pytest.fixture(scope="session")
def real_mnist() -> Path:
    path = SHARED_DATA / "mnist"
    if not (path / "train-images-idx3-ubyte.gz").is_file():
        pytest.skip(f"real MNIST not found at {path}")
    return path


@pytest.fixture(scope="session")
def real_facades() -> Path:
    path = SHARED_DATA / "facades"
    if not (path / "train").is_dir():
        pytest.skip(f"the real facades set (pix2pix AB format) is not at {path}")
    return path


@pytest.fixture(scope="session")
def real_horse2zebra() -> Path:
    path = SHARED_DATA / "horse2zebra"
    if not (path / "trainA").is_dir():
        pytest.skip(f"the real horse2zebra set is not at {path}")
    return path


@pytest.fixture(scope="session")
def karras_fixtures() -> Path:
    """Small ProGAN / StyleGAN2 / StyleGAN3 networks saved by their authors' code, with that code's outputs
    (see the folder's README)."""
    if not (KARRAS_FIXTURES / "README.md").is_file():
        pytest.skip(f"the golden fixtures of the authors' code are not at {KARRAS_FIXTURES}")
    return KARRAS_FIXTURES


def ab_pair(rng: np.random.Generator, size: int = 24) -> np.ndarray:
    """One AB image: A is red-dominant noise, B is A with its channels reversed (blue-dominant), so the
    two halves are told apart by colour and any crop or flip of one can be checked against the other."""
    a = np.empty((size, size, 3), dtype=np.uint8)
    a[..., 0] = rng.integers(128, 256, (size, size))
    a[..., 1:] = rng.integers(0, 128, (size, size, 2))
    return np.concatenate([a, a[..., ::-1]], axis=1)


@pytest.fixture(scope="session")
def paired_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """pix2pix's AB layout: train/ 6, val/ 3, test/ 2 PNGs of 48x24 (see ``ab_pair``)."""
    folder = tmp_path_factory.mktemp("paired")
    rng = np.random.default_rng(0)
    for split, n in (("train", 6), ("val", 3), ("test", 2)):
        (folder / split).mkdir()
        for i in range(1, n + 1):
            Image.fromarray(ab_pair(rng)).save(folder / split / f"{i}.png")
    return folder


def solid(value: tuple[int, int, int], size: int = 16) -> Image.Image:
    return Image.fromarray(np.full((size, size, 3), value, dtype=np.uint8))


@pytest.fixture(scope="session")
def unpaired_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """CycleGAN's layout with solid-colour 16x16 PNGs that say which file they are: image i of an A folder
    is (20 (i + 1), 0, 0), of a B folder (0, 20 (i + 1), 0). trainA 5, trainB 3, testA 2, testB 4."""
    folder = tmp_path_factory.mktemp("unpaired")
    for name, n in (("trainA", 5), ("trainB", 3), ("testA", 2), ("testB", 4)):
        (folder / name).mkdir()
        for i in range(n):
            colour = (20 * (i + 1), 0, 0) if name.endswith("A") else (0, 20 * (i + 1), 0)
            solid(colour).save(folder / name / f"{i:04d}.png")
    return folder


@pytest.fixture(scope="session")
def textured_unpaired_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """CycleGAN's layout with seeded random-noise 16x16 PNGs (trainA 5, trainB 3, testA 2, testB 4): what a
    card run needs, where solid colours are degenerate for instance norm (a constant feature map has no
    variance, and a stack of instance norms then multiplies the gradient past float32's range)."""
    folder = tmp_path_factory.mktemp("unpaired_textured")
    rng = np.random.default_rng(0)
    for name, n in (("trainA", 5), ("trainB", 3), ("testA", 2), ("testB", 4)):
        (folder / name).mkdir()
        for i in range(n):
            Image.fromarray(rng.integers(0, 256, (16, 16, 3), dtype=np.uint8)).save(
                folder / name / f"{i:04d}.png"
            )
    return folder


@pytest.fixture(scope="session")
def celeba_attributes_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """8 random 89x109 JPEGs with an official-format ``list_attr_celeba.txt`` of 3 attributes: image i has
    Black_Hair when i is even, Male when i < 3, Young never."""
    folder = tmp_path_factory.mktemp("celeba_attributes")
    rng = np.random.default_rng(0)
    rows = []
    for i in range(8):
        name = f"{i + 1:06d}.jpg"
        Image.fromarray(rng.integers(0, 256, (109, 89, 3), dtype=np.uint8)).save(folder / name)
        values = [1 if i % 2 == 0 else -1, 1 if i < 3 else -1, -1]
        rows.append(name + "".join(f" {v:2d}" for v in values))
    text = "\n".join(["8", "Black_Hair Male Young", *rows]) + "\n"
    (folder / "list_attr_celeba.txt").write_text(text)
    return folder


@pytest.fixture(scope="session")
def real_celeba10k() -> Path:
    path = SHARED_DATA / "celeba10k"
    if not (path / "list_attr_celeba.txt").is_file():
        pytest.skip(f"the CelebA subset with its attribute file is not at {path}")
    return path


@pytest.fixture
def single_thread() -> Iterator[None]:
    """For tiny networks one thread is fastest, and keeps a training test's time independent of the load."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
