"""Cached conversions are checked against the hashes written beside them, and a damaged one is rebuilt."""

from __future__ import annotations

import json
import os
import shutil

import pytest
import torch
from safetensors.torch import save_file

import ganzoo
from ganzoo.hub import inception as W
from ganzoo.hub.cache_files import check_seal, seal, seal_path
from ganzoo.hub.errors import CacheCorruptionError, WeightsNotFoundError
from ganzoo.hub.fetch import download_path
from ganzoo.hub.load import converted_dir

from .hub_testing import add_entry, assert_same_weights


def _flip(path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


DAMAGES = {
    "config-edited": lambda d: (d / "config.json").write_text(
        (d / "config.json").read_text().replace('"latent_dim": 4', '"latent_dim": 5')
    ),
    "weights-bit-flipped": lambda d: _flip(d / "model.safetensors", -100),
    "weights-truncated": lambda d: (d / "model.safetensors").write_bytes(
        (d / "model.safetensors").read_bytes()[:-64]
    ),
    "seal-deleted": lambda d: seal_path(d / "model.safetensors").unlink(),
}


@pytest.mark.parametrize("damage", DAMAGES)
def test_a_damaged_conversion_is_named_deleted_and_rebuilt_from_the_download(
    trained, saved, monkeypatch, damage
):
    entry = add_entry(monkeypatch, saved / "model.safetensors")
    ganzoo.load(entry.name)
    target = converted_dir(entry)
    DAMAGES[damage](target)
    with pytest.warns(UserWarning, match=rf"(?s){target}/\S+ is damaged: .*was deleted and is rebuilt"):
        rebuilt = ganzoo.load(entry.name)
    assert_same_weights(rebuilt, trained[0])
    for name in ("config.json", "model.safetensors"):
        check_seal(target / name)  # whole again, and sealed
    assert json.loads((target / "config.json").read_text())["init_args"]["latent_dim"] == 4


def test_without_its_source_a_damaged_conversion_is_deleted_and_the_error_says_what_is_missing(
    saved, monkeypatch
):
    entry = add_entry(monkeypatch, saved / "model.safetensors")
    ganzoo.load(entry.name)
    shutil.rmtree(download_path(entry.name, entry.sha256, entry.filename).parent)
    (saved / "model.safetensors").unlink()  # the source is gone
    _flip(converted_dir(entry) / "model.safetensors", -100)
    with (
        pytest.warns(UserWarning, match="is damaged"),
        pytest.raises(WeightsNotFoundError, match="not cached"),
    ):
        ganzoo.load(entry.name)
    assert not converted_dir(entry).exists()


def test_a_touched_but_unchanged_file_is_rehashed_once_and_accepted(saved, monkeypatch, recwarn):
    entry = add_entry(monkeypatch, saved / "model.safetensors")
    ganzoo.load(entry.name)
    weights = converted_dir(entry) / "model.safetensors"
    os.utime(weights, (1, 1))  # e.g. restored from a backup: new mtime, same bytes
    ganzoo.load(entry.name)
    assert not [w for w in recwarn if "damaged" in str(w.message)]
    assert json.loads(seal_path(weights).read_text())["mtime_ns"] == weights.stat().st_mtime_ns


def test_the_seal_names_the_file_and_what_changed(tmp_path):
    file = tmp_path / "x.bin"
    file.write_bytes(b"abc")
    seal(file)
    file.write_bytes(b"abd")
    with pytest.raises(CacheCorruptionError, match=rf"{file} is damaged: it changed after it was written"):
        check_seal(file)


def test_a_damaged_inception_cache_is_converted_again(tmp_path, monkeypatch):
    """The converted Inception weights are sealed: an edited file is deleted and converted from its source."""
    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(tmp_path / "torch-hub"))  # no torch-fidelity file
    monkeypatch.setattr(W, "installed_torchscript", lambda: None)
    source = {"Conv2d_1a_3x3.conv.weight": torch.randn(4, 3, 3, 3)}
    conversions = []
    monkeypatch.setattr(W, "_fetch_and_convert", lambda: conversions.append(1) or dict(source))
    first = W.standard_weights()
    assert torch.equal(first["Conv2d_1a_3x3.conv.weight"], source["Conv2d_1a_3x3.conv.weight"])
    W.standard_weights()
    assert len(conversions) == 1  # read from the cache

    edited = {"Conv2d_1a_3x3.conv.weight": source["Conv2d_1a_3x3.conv.weight"] * 1.3}
    save_file(edited, W.converted_path())  # weights edited in place
    with pytest.warns(UserWarning, match=rf"{W.converted_path()} is damaged"):
        again = W.standard_weights()
    assert len(conversions) == 2
    assert torch.equal(again["Conv2d_1a_3x3.conv.weight"], source["Conv2d_1a_3x3.conv.weight"])
    check_seal(W.converted_path())
