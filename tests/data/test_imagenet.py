"""ImageNet's DataModule: labels are indices of the sorted wnid folders; a missing copy is explained."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ganzoo.data import DatasetNotFoundError, ImageNet, create


def write_class_folders(root: Path, counts: dict[str, int]) -> None:
    rng = np.random.default_rng(0)
    for wnid, n in counts.items():
        (root / "train" / wnid).mkdir(parents=True)
        for i in range(n):
            pixels = rng.integers(0, 256, (50, 80, 3), dtype=np.uint8)
            Image.fromarray(pixels).save(root / "train" / wnid / f"{wnid}_{i}.JPEG")


def test_labels_follow_the_sorted_wnids(tmp_path: Path) -> None:
    write_class_folders(tmp_path, {"n02085620": 2, "n01440764": 1, "n15075141": 3})
    data = create("imagenet", data_dir=tmp_path, image_size=32, batch_size=6)
    assert isinstance(data, ImageNet)
    dataset = data.dataset("train")
    assert data.classes == ["n01440764", "n02085620", "n15075141"]
    labels = [dataset[i][1] for i in range(len(dataset))]
    assert labels == [0, 1, 1, 2, 2, 2]
    assert [p.parent.name for p in dataset.files] == ["n01440764"] + ["n02085620"] * 2 + ["n15075141"] * 3
    images, batch_labels = next(iter(data.train_dataloader()))
    assert images.shape == (6, 3, 32, 32) and images.min() >= -1 and images.max() <= 1
    assert sorted(batch_labels.tolist()) == labels
    assert ImageNet().image_size == 128


def test_missing_copy_says_where_to_put_it(tmp_path: Path) -> None:
    with pytest.raises(
        DatasetNotFoundError, match=r"(?s)imagenet was not found.*train/n01440764/\*\.JPEG.*image-net"
    ):
        ImageNet(data_dir=tmp_path).dataset("train")
    with pytest.raises(ValueError, match="splits"):
        ImageNet(data_dir=tmp_path).dataset("test")
