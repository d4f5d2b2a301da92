"""Unpaired (CycleGAN) data: epoch length, unaligned sampling, direction, range, download and errors."""

from __future__ import annotations

import zipfile
from collections import Counter

import pytest
import torch

from ganzoo import data
from ganzoo.data import DatasetNotFoundError, Unpaired
from ganzoo.data import archives as archives_module

LOAD, CROP = 20, 16


def identity(image: torch.Tensor) -> tuple[str, int]:
    """Which fixture file a solid-colour image came from (see conftest.unpaired_dir)."""
    red, green = round((image[0].mean().item() + 1) * 127.5), round((image[1].mean().item() + 1) * 127.5)
    return ("A", red // 20 - 1) if red else ("B", green // 20 - 1)


def module(unpaired_dir, **kwargs) -> Unpaired:
    return Unpaired(data_dir=unpaired_dir, load_size=LOAD, crop_size=CROP, download=False, **kwargs)


def test_registered_splits_and_epoch_length_is_the_larger_side(unpaired_dir) -> None:
    assert data.get("unpaired") is Unpaired
    dm = module(unpaired_dir)
    assert dm.splits == ("train", "test") and dm.eval_split() == "test"
    assert len(dm.dataset("train")) == max(5, 3) and len(dm.dataset("test")) == max(2, 4)
    assert len(dm.side("test", "A")) == 2 and len(dm.side("test", "B")) == 4


def test_training_pairs_a_in_order_with_a_random_b(unpaired_dir) -> None:
    torch.manual_seed(0)
    train = module(unpaired_dir).dataset("train")
    drawn = Counter()
    for i in range(len(train)):
        for _ in range(30):
            item = train[i]
            assert identity(item["A"]) == ("A", i)
            side, j = identity(item["B"])
            assert side == "B" and 0 <= j < 3
            drawn[j] += 1
    assert set(drawn) == {0, 1, 2} and min(drawn.values()) > 25, f"B should be uniform, got {drawn}"


def test_evaluation_pairs_are_fixed_and_wrap_the_shorter_side(unpaired_dir) -> None:
    test = module(unpaired_dir).dataset("test")
    assert [identity(test[i]["A"]) for i in range(4)] == [("A", 0), ("A", 1), ("A", 0), ("A", 1)]
    assert [identity(test[i]["B"]) for i in range(4)] == [("B", j) for j in range(4)]
    assert [identity(test[i]["B"]) for i in range(4)] == [identity(test[i]["B"]) for i in range(4)]


def test_btoa_reads_the_b_folders_as_input(unpaired_dir) -> None:
    dm = module(unpaired_dir, direction="BtoA")
    item = dm.dataset("test")[1]
    assert identity(item["A"]) == ("B", 1) and identity(item["B"]) == ("A", 1)
    assert len(dm.dataset("train")) == 5 and len(dm.side("test", "B")) == 2


def test_items_are_signed_crops_of_the_right_size(unpaired_dir) -> None:
    dm = module(unpaired_dir, batch_size=2)
    batch = next(iter(dm.train_dataloader()))
    assert batch["A"].shape == batch["B"].shape == (2, 3, CROP, CROP)
    image, label = dm.side("test", "B")[3]
    assert image.shape == (3, CROP, CROP) and label == 0
    torch.testing.assert_close(image[1], torch.full((CROP, CROP), 80 / 127.5 - 1))
    assert image.min() >= -1 and image.max() <= 1
    assert len(dm.val_dataloader().dataset) == 4 and len(dm.test_dataloader().dataset) == 4


def test_a_missing_side_means_the_split_is_missing(unpaired_dir, tmp_path) -> None:
    for name in ("trainA", "trainB", "testA"):
        (tmp_path / name).symlink_to(unpaired_dir / name)
    dm = Unpaired(data_dir=tmp_path, download=False)
    assert dm.splits == ("train",)
    with pytest.raises(ValueError, match=r"has the splits \['train'\], not 'test'"):
        dm.dataset("test")


def test_missing_data_names_the_layout_and_the_official_archive(tmp_path) -> None:
    with pytest.raises(DatasetNotFoundError) as err:
        Unpaired("summer2winter_yosemite", data_dir=tmp_path, download=False).dataset("train")
    message = str(err.value)
    assert "summer2winter_yosemite (unpaired format) was not found" in message
    assert all(f"{tmp_path}/{name}/*.jpg" in message for name in ("trainA", "trainB", "testA", "testB"))
    assert "http://efrosgans.eecs.berkeley.edu/cyclegan/datasets/summer2winter_yosemite.zip" in message


def test_unknown_names_are_not_fetched_and_say_so(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(archives_module, "fetch", lambda *a: pytest.fail("must not download"))
    with pytest.raises(DatasetNotFoundError, match=r"'my_photos' is not one of the archives ganzoo fetches"):
        Unpaired("my_photos", data_dir=tmp_path).dataset("train")


def test_download_unpacks_the_authors_zip(unpaired_dir, tmp_path, monkeypatch) -> None:
    def fake_fetch(url, folder, published=None):
        assert url == "http://efrosgans.eecs.berkeley.edu/cyclegan/datasets/horse2zebra.zip"
        folder.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(folder / "horse2zebra.zip", "w") as zf:
            zf.writestr("__MACOSX/._junk", b"")
            for p in unpaired_dir.rglob("*.png"):
                zf.write(p, f"horse2zebra/{p.relative_to(unpaired_dir).as_posix()}")
        return folder / "horse2zebra.zip"

    monkeypatch.setattr(archives_module, "fetch", fake_fetch)
    dm = Unpaired(data_dir=tmp_path / "horse2zebra", load_size=LOAD, crop_size=CROP)
    assert len(dm.dataset("train")) == 5 and identity(dm.dataset("test")[3]["B"]) == ("B", 3)
    assert sorted(p.name for p in (tmp_path / "horse2zebra").iterdir()) == [
        "testA",
        "testB",
        "trainA",
        "trainB",
    ]


def test_real_horse2zebra_layout(real_horse2zebra) -> None:
    dm = Unpaired("horse2zebra", data_dir=real_horse2zebra, download=False)
    assert len(dm.dataset("train")) == max(1067, 1334) and len(dm.dataset("test")) == max(120, 140)
    assert len(dm.side("test", "B")) == 140 and dm.side("test", "B")[0][0].shape == (3, 256, 256)
