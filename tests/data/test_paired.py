"""Paired (pix2pix "AB") data: splits, direction, the shared crop and flip, range, download and errors."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from ganzoo import data
from ganzoo.data import DatasetNotFoundError, Paired
from ganzoo.data import archives as archives_module
from ganzoo.data.archives import UnsafeArchiveError

LOAD, CROP = 36, 32


def halves(path: Path) -> tuple[Image.Image, Image.Image]:
    with Image.open(path) as img:
        w, h = img.size
        return img.crop((0, 0, w // 2, h)).convert("RGB"), img.crop((w // 2, 0, w, h)).convert("RGB")


def signed(image: Image.Image, size: int) -> torch.Tensor:
    """The authors' evaluation preprocessing, written out: bicubic resize, then [0, 255] -> [-1, 1]."""
    array = np.asarray(image.resize((size, size), Image.BICUBIC), dtype=np.float32)
    return torch.from_numpy(array).permute(2, 0, 1) / 127.5 - 1


def find_crop(item: torch.Tensor, resized: torch.Tensor) -> list[tuple[int, int, bool]]:
    """Every (x, y, flip) that cuts ``item`` out of ``resized``, searched over all corners."""
    hits = []
    for y in range(resized.shape[1] - CROP + 1):
        for x in range(resized.shape[2] - CROP + 1):
            window = resized[:, y : y + CROP, x : x + CROP]
            for flip in (False, True):
                if torch.equal(window.flip(-1) if flip else window, item):
                    hits.append((x, y, flip))
    return hits


def test_registered_and_splits_have_their_sizes(paired_dir) -> None:
    assert data.get("paired") is Paired
    dm = Paired(data_dir=paired_dir, load_size=LOAD, crop_size=CROP, download=False)
    assert dm.splits == ("train", "val", "test")
    assert [len(dm.dataset(s)) for s in dm.splits] == [6, 3, 2]
    assert dm.image_size == CROP and dm.eval_split() == "val"


def test_evaluation_items_are_the_resized_halves_in_the_signed_range(paired_dir) -> None:
    dm = Paired(data_dir=paired_dir, load_size=LOAD, crop_size=CROP, download=False)
    a, b = halves(sorted((paired_dir / "test").glob("*.png"))[0])
    item = dm.dataset("test")[0]
    assert set(item) == {"A", "B"}
    torch.testing.assert_close(item["A"], signed(a, CROP), atol=1e-6, rtol=0)
    torch.testing.assert_close(item["B"], signed(b, CROP), atol=1e-6, rtol=0)
    for x in item.values():
        assert x.dtype == torch.float32 and x.min() >= -1 and x.max() <= 1


def test_btoa_swaps_input_and_target(paired_dir) -> None:
    a_to_b = Paired(data_dir=paired_dir, load_size=LOAD, crop_size=CROP, download=False).dataset("val")[1]
    b_to_a = Paired(
        data_dir=paired_dir, direction="BtoA", load_size=LOAD, crop_size=CROP, download=False
    ).dataset("val")[1]
    # The stored A half is red-dominant and B blue-dominant (see conftest.ab_pair).
    assert a_to_b["A"][0].mean() > a_to_b["A"][2].mean() + 0.5
    assert b_to_a["A"][2].mean() > b_to_a["A"][0].mean() + 0.5
    assert torch.equal(b_to_a["A"], a_to_b["B"]) and torch.equal(b_to_a["B"], a_to_b["A"])


def test_training_jitter_is_one_crop_and_flip_inside_the_resized_pair(paired_dir) -> None:
    torch.manual_seed(0)
    dm = Paired(data_dir=paired_dir, load_size=LOAD, crop_size=CROP, download=False)
    a, b = halves(sorted((paired_dir / "train").glob("*.png"))[2])
    resized_a, resized_b = signed(a, LOAD), signed(b, LOAD)
    draws = set()
    for _ in range(40):
        item = dm.dataset("train")[2]
        assert item["A"].shape == item["B"].shape == (3, CROP, CROP)
        hits_a, hits_b = find_crop(item["A"], resized_a), find_crop(item["B"], resized_b)
        assert len(hits_a) == 1, "the crop must come from the image resized to load_size"
        assert hits_a == hits_b, "A and B must get the same crop and flip"
        x, y, flip = hits_a[0]
        assert 0 <= x <= LOAD - CROP and 0 <= y <= LOAD - CROP
        draws.add((x, y, flip))
    assert len(draws) > 10 and {f for *_, f in draws} == {False, True}


def test_no_flip_and_no_crop_settings(paired_dir) -> None:
    dm = Paired(data_dir=paired_dir, load_size=CROP, crop_size=CROP, flip=False, download=False)
    a, _ = halves(sorted((paired_dir / "train").glob("*.png"))[0])
    for _ in range(5):
        assert torch.equal(dm.dataset("train")[0]["A"], signed(a, CROP))


def test_loaders_batch_dicts_and_use_the_documented_splits(paired_dir) -> None:
    dm = Paired(data_dir=paired_dir, load_size=LOAD, crop_size=CROP, batch_size=4, download=False)
    batch = next(iter(dm.train_dataloader()))
    assert batch["A"].shape == batch["B"].shape == (4, 3, CROP, CROP)
    assert len(dm.val_dataloader().dataset) == 3 and len(dm.test_dataloader().dataset) == 2
    assert len(Paired(data_dir=paired_dir, val_split="test", download=False).val_dataloader().dataset) == 2


def test_a_set_without_test_split_tests_on_val(paired_dir, tmp_path) -> None:
    for split in ("train", "val"):
        (tmp_path / split).symlink_to(paired_dir / split)
    dm = Paired(data_dir=tmp_path, download=False)
    assert dm.splits == ("train", "val") and len(dm.test_dataloader().dataset) == 3
    with pytest.raises(ValueError, match=r"has the splits \['train', 'val'\], not 'test'"):
        dm.dataset("test")


def test_bad_arguments_are_explained() -> None:
    with pytest.raises(ValueError, match="direction must be 'AtoB' or 'BtoA'"):
        Paired(direction="AB")
    with pytest.raises(ValueError, match="crop_size <= load_size"):
        Paired(load_size=256, crop_size=286)


def test_missing_data_names_the_layout_and_the_official_archive(tmp_path) -> None:
    with pytest.raises(DatasetNotFoundError) as err:
        Paired("maps", data_dir=tmp_path / "maps", download=False).dataset("train")
    message = str(err.value)
    assert "maps (paired format) was not found in" in message and "train/1.jpg" in message
    assert "http://efrosgans.eecs.berkeley.edu/pix2pix/datasets/maps.tar.gz" in message
    assert "pass data_dir=" in message


def test_offline_download_fails_with_the_same_instructions(tmp_path, monkeypatch) -> None:
    def offline(url, folder, published=None):
        raise OSError("network is unreachable")

    monkeypatch.setattr(archives_module, "fetch", offline)
    with pytest.raises(DatasetNotFoundError, match="download failed: network is unreachable"):
        Paired("facades", data_dir=tmp_path / "facades").dataset("train")


def make_tar(path: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as tf:
        for name, payload in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(payload)
            tf.addfile(info, io.BytesIO(payload))
    return path


def test_download_unpacks_the_authors_archive_into_data_dir(paired_dir, tmp_path, monkeypatch) -> None:
    members = {
        f"facades/{p.relative_to(paired_dir).as_posix()}": p.read_bytes() for p in paired_dir.rglob("*.png")
    }
    fetched = []

    def fake_fetch(url, folder, published=None):
        fetched.append(url)
        folder.mkdir(parents=True, exist_ok=True)
        return make_tar(folder / "facades.tar.gz", members)

    monkeypatch.setattr(archives_module, "fetch", fake_fetch)
    target = tmp_path / "somewhere" / "my_facades"
    dm = Paired("facades", data_dir=target, load_size=LOAD, crop_size=CROP)
    assert len(dm.dataset("train")) == 6
    assert fetched == ["http://efrosgans.eecs.berkeley.edu/pix2pix/datasets/facades.tar.gz"]
    assert (target / "val" / "1.png").read_bytes() == (paired_dir / "val" / "1.png").read_bytes()
    assert not (target.parent / "facades.tar.gz").exists(), "the archive is removed after extraction"
    assert sorted(p.name for p in target.parent.iterdir()) == ["my_facades"]


@pytest.mark.parametrize("name", ["../evil.txt", "/tmp/evil.txt", "facades/../../evil.txt"])
def test_archive_members_cannot_escape_data_dir(tmp_path, name) -> None:
    archive = make_tar(tmp_path / "bad.tar.gz", {"facades/train/1.png": b"x", name: b"owned"})
    with pytest.raises(UnsafeArchiveError, match="points outside the archive"):
        archives_module.extract(archive, tmp_path / "out" / "facades", top="facades")
    assert not list((tmp_path / "out").iterdir()), "nothing is written from a bad archive, no data_dir made"
    assert not (tmp_path / "evil.txt").exists()


def test_archive_links_are_refused(tmp_path) -> None:
    archive = tmp_path / "link.tar.gz"
    with tarfile.open(archive, "w:gz") as tf:
        info = tarfile.TarInfo("facades/train/1.png")
        info.type, info.linkname = tarfile.SYMTYPE, "/etc/passwd"
        tf.addfile(info)
    with pytest.raises(UnsafeArchiveError, match="link or device"):
        archives_module.extract(archive, tmp_path / "facades", top="facades")


def test_real_facades_has_the_published_splits(real_facades) -> None:
    dm = Paired("facades", data_dir=real_facades, direction="BtoA", download=False)
    assert [len(dm.dataset(s)) for s in ("train", "val", "test")] == [400, 100, 106]
    item = dm.dataset("test")[0]
    assert item["A"].shape == item["B"].shape == (3, 256, 256)
    # BtoA: the input is the label map (a few flat colours), the target the photo (many distinct values).
    assert item["A"].flatten(1).unique(dim=1).shape[1] < item["B"].flatten(1).unique(dim=1).shape[1]
