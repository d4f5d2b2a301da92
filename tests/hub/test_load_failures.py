"""Bad files, bad names and missing files fail loudly, say why, and leave nothing a later load would trust."""

from __future__ import annotations

import hashlib
import json
import os
import pickle
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file, save_file

import ganzoo
from ganzoo.hub.catalog import URL, HFFile
from ganzoo.hub.errors import (
    HashMismatchError,
    StateDictMismatchError,
    UnknownModelError,
    UnsafeCheckpointError,
    WeightsNotFoundError,
)
from ganzoo.hub.fetch import download_path
from ganzoo.hub.load import converted_dir

from .hub_testing import add_entry


def _damaged_copy(saved: Path, tmp_path: Path, damage: str) -> tuple[Path, str]:
    """A copy of the weights damaged after publication, and the sha256 of the intact file."""
    good = (saved / "model.safetensors").read_bytes()
    bad = bytearray(good)
    if damage == "corrupt":
        bad[len(bad) // 2] ^= 0xFF
    else:
        bad = bad[: len(bad) // 2]
    path = tmp_path / "source" / "model.safetensors"
    path.parent.mkdir()
    path.write_bytes(bytes(bad))
    return path, hashlib.sha256(good).hexdigest()


def _cache_files(root: Path) -> list[Path]:
    """Files in the cache other than lock files (which hold no data)."""
    return [p for p in root.rglob("*") if p.is_file() and not p.name.endswith(".lock")]


@pytest.mark.parametrize("damage", ["corrupt", "truncate"])
def test_damaged_file_fails_on_its_hash_and_leaves_no_cache_entry(
    saved, tmp_path, monkeypatch, damage, isolated_cache
):
    source, good_sha = _damaged_copy(saved, tmp_path, damage)
    entry = add_entry(monkeypatch, source, sha256=good_sha)
    with pytest.raises(HashMismatchError, match=f"expected {good_sha}, got [0-9a-f]{{64}}") as err:
        ganzoo.load("tiny-test")
    assert "deleted" in str(err.value)
    assert not download_path(entry.name, good_sha, entry.filename).parent.exists()
    assert not converted_dir(entry).exists()
    assert _cache_files(isolated_cache) == []


def test_tampered_cache_entry_is_deleted_not_trusted(saved, monkeypatch):
    file = saved / "model.safetensors"
    entry = add_entry(monkeypatch, file, sources=(URL("https://example.invalid/model.safetensors"),))
    target = download_path(entry.name, entry.sha256, entry.filename)
    target.parent.mkdir(parents=True)
    target.write_bytes(file.read_bytes()[:-10])
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(HashMismatchError, match=entry.sha256):
        ganzoo.load("tiny-test")
    assert not target.exists()


def test_wrong_shape_names_the_key_and_both_shapes(saved):
    tensors = load_file(saved / "model.safetensors")
    right = tuple(tensors["generator.net.0.weight"].shape)
    tensors["generator.net.0.weight"] = torch.zeros(4, 16, 4, 4)
    save_file(tensors, saved / "model.safetensors")
    with pytest.raises(StateDictMismatchError) as err:
        ganzoo.load(saved)
    message = str(err.value)
    assert "generator.net.0.weight" in message
    assert "(4, 16, 4, 4)" in message
    assert f"model has {right}, checkpoint has (4, 16, 4, 4)" in message


def test_missing_and_unexpected_keys_are_named(saved):
    tensors = load_file(saved / "model.safetensors")
    tensors["generator.extra.weight"] = tensors.pop("discriminator.net.0.weight")
    save_file(tensors, saved / "model.safetensors")
    with pytest.raises(StateDictMismatchError, match=r"missing \(1\): discriminator\.net\.0\.weight") as err:
        ganzoo.load(saved)
    assert "unexpected (1): generator.extra.weight" in str(err.value)


def test_unknown_name_suggests_close_matches():
    with pytest.raises(UnknownModelError, match="Did you mean: dcgan-mnist"):
        ganzoo.load("dcgan-mnst")


def test_offline_without_cache_says_which_file_is_missing_and_where_to_put_it(saved, monkeypatch):
    sources = (
        HFFile("ganzoo-test/absent", "model.safetensors"),
        URL("https://example.invalid/model.safetensors"),
    )
    entry = add_entry(monkeypatch, saved / "model.safetensors", sources=sources)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(WeightsNotFoundError) as err:
        ganzoo.load("tiny-test")
    message = str(err.value)
    assert f"model.safetensors (sha256 {entry.sha256}) is not cached" in message
    assert "HF_HUB_OFFLINE" in message
    assert str(download_path(entry.name, entry.sha256, "model.safetensors")) in message
    assert "hf download ganzoo-test/absent" in message and "local_files_only" not in message


def test_hf_repo_offline_without_cache_says_how_to_fetch_it(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(WeightsNotFoundError, match=r"config\.json of hf://ganzoo-test/absent \(HF_HUB_OFF"):
        ganzoo.load("hf://ganzoo-test/absent")
    with pytest.raises(ValueError, match="hf://owner/repo"):
        ganzoo.load("hf://just-a-name")


def test_missing_path_and_non_model_config_are_clear(tmp_path, saved):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        ganzoo.load(tmp_path / "nothing.ckpt")
    (saved / "config.json").write_text('{"class_path": "os.system", "init_args": {}}')
    with pytest.raises(ValueError, match="not a GANModule subclass"):
        ganzoo.load(saved)
    (saved / "config.json").write_text('{"class_path": "some_unimported_pkg.Model", "init_args": {}}')
    with pytest.raises(ValueError, match="is not imported"):
        ganzoo.load(saved)


MARKER_ENV = "GANZOO_TEST_PICKLE_MARKER"


def _leave_marker() -> None:
    """What the malicious pickle would run: create the marker file."""
    Path(os.environ[MARKER_ENV]).touch()


class _Exploit:
    def __reduce__(self):
        return (_leave_marker, ())


def _write_malicious_ckpt(path: Path) -> Path:
    with open(path, "wb") as f:
        pickle.dump({"state_dict": {}, "hyper_parameters": {}, "payload": _Exploit()}, f, protocol=2)
    return path


def test_malicious_pickle_is_refused_and_runs_nothing(tmp_path, monkeypatch):
    marker = tmp_path / "pwned"
    monkeypatch.setenv(MARKER_ENV, str(marker))
    ckpt = _write_malicious_ckpt(tmp_path / "evil.ckpt")
    with pytest.raises(UnsafeCheckpointError, match="never unpickles"):
        ganzoo.load(ckpt, model_class="ganzoo.models.DCGAN")
    assert not marker.exists()
    _leave_marker()  # the payload is live: the check above would have seen it run
    assert marker.exists()


def test_malicious_pickle_from_a_catalog_source_is_refused(tmp_path, monkeypatch):
    marker = tmp_path / "pwned"
    monkeypatch.setenv(MARKER_ENV, str(marker))
    entry = add_entry(monkeypatch, _write_malicious_ckpt(tmp_path / "evil.ckpt"), fmt="lightning-ckpt")
    with pytest.raises(UnsafeCheckpointError):
        ganzoo.load("tiny-test")
    assert not marker.exists()
    assert not converted_dir(entry).exists()


@pytest.mark.parametrize("class_path", ["ganzoo.__main__.main", "ganzoo.__main__.X", "ganzoo.cli.main"])
def test_a_class_path_is_looked_up_never_imported(saved, class_path):
    """Importing ``ganzoo.__main__`` would run the CLI and exit the process: names resolve through the
    registry of model classes only."""
    import sys

    (saved / "config.json").write_text(json.dumps({"class_path": class_path, "init_args": {}}))
    sys.modules.pop("ganzoo.__main__", None)
    with pytest.raises(ValueError, match=r"is not a registered paper|not a GANModule subclass"):
        ganzoo.load(saved)
    assert "ganzoo.__main__" not in sys.modules
