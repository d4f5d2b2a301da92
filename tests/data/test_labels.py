"""Semantic label maps stored as colour images: the facades palette, and ``paired``'s one-hot label mode."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from ganzoo.data import Paired
from ganzoo.data.palettes import FACADES, get_palette


def test_palette_colours_map_to_their_class_and_noise_to_the_nearest() -> None:
    colours = np.array(FACADES.colours, dtype=np.uint8)[None]  # a 1 x 12 image of the palette
    assert FACADES.indices(Image.fromarray(colours)).tolist() == [list(range(12))]
    noisy = np.clip(colours.astype(int) + np.array([9, -7, 5]), 0, 255).astype(np.uint8)
    assert FACADES.indices(Image.fromarray(noisy)).tolist() == [list(range(12))]
    assert FACADES.num_classes == 12 and FACADES.names[0] == "background" and FACADES.names[-1] == "shop"
    with pytest.raises(ValueError, match="known palettes: facades"):
        get_palette("cityscape")


def _label_pairs(folder: Path, size: int = 32) -> Path:
    """AB files whose photo is dark on the left and bright on the right, and whose label map is 'window' on
    the left and 'shop' on the right, so a crop or flip shows the same on both halves."""
    (folder / "train").mkdir(parents=True)
    photo = np.zeros((size, size, 3), np.uint8)
    photo[:, size // 2 :] = 255
    labels = np.zeros((size, size, 3), np.uint8)
    labels[:, : size // 2] = FACADES.colours[2]
    labels[:, size // 2 :] = FACADES.colours[11]
    for i in range(3):
        Image.fromarray(np.concatenate([photo, labels], 1)).save(folder / "train" / f"{i}.png")
    return folder


def test_labels_become_one_hot_inputs_that_follow_the_photos_crop_and_flip(tmp_path) -> None:
    folder = _label_pairs(tmp_path / "facades")
    dm = Paired(
        data_dir=folder, labels="facades", direction="BtoA", load_size=40, crop_size=32, download=False
    )
    assert dm.num_label_classes == 12
    evaluation = dm.side("train", "A")[0][0]
    assert evaluation.shape == (12, 32, 32) and torch.equal(evaluation.sum(0), torch.ones(32, 32))
    assert evaluation[2, :, :16].all() and evaluation[11, :, 16:].all()
    torch.manual_seed(0)
    flips = set()
    for _ in range(12):
        item = dm.dataset("train")[0]
        labels, photo = item["A"].argmax(0), item["B"].mean(0)
        assert set(labels.unique().tolist()) <= {2, 11}  # nearest-neighbour: no class in between
        assert torch.equal(labels == 11, photo > 0)  # the same crop and flip on both halves
        flips.add(bool(photo[0, 0] > 0))
    assert flips == {False, True}


def test_label_side_is_checked(tmp_path) -> None:
    with pytest.raises(ValueError, match="label_side must be 'A' or 'B'"):
        Paired(data_dir=tmp_path, labels="facades", label_side="left")


def test_every_facades_label_pixel_maps_to_one_of_12_classes(real_facades: Path) -> None:
    dm = Paired(data_dir=real_facades, labels="facades", direction="BtoA", download=False)
    labels = dm.side("val", "A")
    counts = torch.zeros(12)
    near = total = 0
    for i in range(len(labels)):
        one_hot = labels[i][0]
        assert one_hot.shape == (12, 256, 256) and torch.equal(one_hot.sum(0), torch.ones(256, 256))
        counts += one_hot.sum((1, 2))
        with Image.open(sorted((real_facades / "val").glob("*.jpg"))[i]) as img:
            distance = FACADES.distances(img.crop((256, 0, 512, 256)))
        near, total = near + int((distance < 80).sum()), total + distance.numel()
    assert len(labels) == 100 and (counts > 0).all()  # every class occurs in the 100 validation maps
    assert near / total > 0.9  # JPEG blurs colours at region borders; most pixels sit near their colour


def test_grayscale_input_is_the_authors_luma_of_the_input_side(paired_dir) -> None:
    rgb = Paired(data_dir=paired_dir, load_size=36, crop_size=32, download=False).dataset("val")[0]
    grey = Paired(data_dir=paired_dir, load_size=36, crop_size=32, download=False, grayscale_input=True)
    item = grey.dataset("val")[0]
    expected = 0.299 * rgb["A"][0] + 0.587 * rgb["A"][1] + 0.114 * rgb["A"][2]
    assert item["A"].shape == (1, 32, 32) and item["B"].shape == (3, 32, 32)
    torch.testing.assert_close(item["A"][0], expected)
