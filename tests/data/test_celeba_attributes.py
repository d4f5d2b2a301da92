"""celeba_attributes: CelebA images with attributes chosen by name, read from the official attribute file."""

from __future__ import annotations

import pytest
import torch

from ganzoo.data import CelebAAttributes, DatasetNotFoundError
from ganzoo.data.celeba_attributes import STARGAN_ATTRIBUTES, read_attributes


def test_labels_follow_the_chosen_attributes_in_their_order(celeba_attributes_dir) -> None:
    dm = CelebAAttributes(
        celeba_attributes_dir, attributes=["Male", "Black_Hair"], image_size=32, test_fraction=0.25
    )
    train, test = dm.dataset("train"), dm.dataset("test")
    assert (len(train), len(test)) == (6, 2)
    image, _ = train[1]
    assert image.shape == (3, 32, 32) and image.min() >= -1 and image.max() <= 1
    # image i: Male when i < 3, Black_Hair when i is even
    assert torch.equal(
        torch.stack([train[i][1] for i in range(6)]),
        torch.tensor([[1.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0], [0.0, 1.0], [0.0, 0.0]]),
    )
    assert torch.equal(test[0][1], torch.tensor([0.0, 1.0]))
    loader = CelebAAttributes(celeba_attributes_dir, ["Male", "Young"], batch_size=4).train_dataloader()
    images, labels = next(iter(loader))
    assert images.shape == (4, 3, 128, 128) and labels.shape == (4, 2) and labels[:, 1].sum() == 0


def test_training_images_are_flipped_and_evaluation_images_are_not(celeba_attributes_dir) -> None:
    dm = CelebAAttributes(celeba_attributes_dir, attributes=["Male"], image_size=16, test_fraction=0.5)
    plain = CelebAAttributes(celeba_attributes_dir, ["Male"], image_size=16, test_fraction=0.5, flip=False)
    torch.manual_seed(0)
    train, reference = dm.dataset("train"), plain.dataset("train")[0][0]
    flipped = [torch.equal(train[0][0], reference.flip(-1)) for _ in range(20)]
    assert 0 < sum(flipped) < 20
    assert sum(torch.equal(train[0][0], reference) for _ in range(20)) > 0
    test, reference = dm.dataset("test"), plain.dataset("test")[0][0]
    assert all(torch.equal(test[0][0], reference) for _ in range(5))


def test_an_unknown_attribute_is_refused_with_the_known_names(celeba_attributes_dir) -> None:
    dm = CelebAAttributes(celeba_attributes_dir, attributes=["Blond_Hair"])
    with pytest.raises(ValueError, match=r"no attribute 'Blond_Hair'; its attributes are: Black_Hair, Male"):
        dm.dataset("train")


def test_a_broken_or_missing_attribute_file_says_what_is_wrong(tmp_path, celeba_attributes_dir) -> None:
    bad = tmp_path / "list_attr_celeba.txt"
    bad.write_text("3\nBlack_Hair Male\n000001.jpg 1 -1\n")
    with pytest.raises(ValueError, match="says it has 3 rows but has 1"):
        read_attributes(bad)
    bad.write_text("1\nBlack_Hair Male\n000001.jpg 1 0\n")
    with pytest.raises(ValueError, match=r"line 3: expected 000001.jpg followed by 2 values of 1 or -1"):
        read_attributes(bad)
    images_only = tmp_path / "elsewhere" / "images"  # no attribute file here nor in the parent
    images_only.mkdir(parents=True)
    (images_only / "000001.jpg").write_bytes((celeba_attributes_dir / "000001.jpg").read_bytes())
    with pytest.raises(DatasetNotFoundError, match=r"no list_attr_celeba\.txt beside the images"):
        CelebAAttributes(images_only, download=False).dataset("train")


def test_the_celeba_subset_has_its_stated_images_and_attribute_counts(real_celeba10k) -> None:
    """The counts /work/shared/data's README states for StarGAN's five attributes in the 10,000 images."""
    dm = CelebAAttributes(real_celeba10k, attributes=STARGAN_ATTRIBUTES, image_size=64, download=False)
    train, test = dm.dataset("train"), dm.dataset("test")
    assert len(train) + len(test) == 10_000
    counts = (train.labels.sum(0) + test.labels.sum(0)).long().tolist()
    assert dict(zip(STARGAN_ATTRIBUTES, counts, strict=True)) == {
        "Black_Hair": 2432,
        "Blond_Hair": 1452,
        "Brown_Hair": 2033,
        "Male": 4217,
        "Young": 7771,
    }
    image, label = train[0]
    assert image.shape == (3, 64, 64) and label.shape == (5,)
    assert len(read_attributes(dm.attribute_file()).names) == 40
