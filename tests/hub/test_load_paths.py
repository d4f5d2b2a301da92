"""Every way into ``ganzoo.load`` ends in the same weights."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import torch

import ganzoo
from ganzoo.hub.cache_files import hf_cache_dir
from ganzoo.hub.catalog import URL, HFFile
from ganzoo.hub.fetch import download_path
from ganzoo.hub.load import converted_dir
from ganzoo.models import DCGAN

from .hub_testing import add_entry, assert_same_weights


def test_catalog_name_directory_and_ckpt_give_identical_weights(trained, saved, monkeypatch):
    model, ckpt = trained
    add_entry(monkeypatch, saved / "model.safetensors")
    by_name = ganzoo.load("tiny-test")
    by_dir = ganzoo.load(saved)
    by_ckpt = ganzoo.load(ckpt, model_class=DCGAN)
    by_ckpt_path_string = ganzoo.load(str(ckpt), model_class="ganzoo.models.DCGAN")
    for loaded in (by_name, by_dir, by_ckpt, by_ckpt_path_string):
        assert isinstance(loaded, DCGAN)
        assert not loaded.training
        assert_same_weights(loaded, model)


def test_round_trip_gives_identical_samples_for_the_same_seed(trained, saved):
    model, _ = trained
    loaded = ganzoo.load(saved)
    assert torch.equal(loaded.sample(6, seed=3), model.sample(6, seed=3))
    assert not torch.equal(loaded.sample(6, seed=3), loaded.sample(6, seed=4))


def test_ckpt_from_the_cli_records_its_class(trained, tmp_path):
    model, ckpt = trained
    raw = torch.load(ckpt, weights_only=True)
    raw["hyper_parameters"]["_class_path"] = "ganzoo.models.DCGAN"  # what LightningCLI writes
    cli_ckpt = tmp_path / "cli.ckpt"
    torch.save(raw, cli_ckpt)
    assert_same_weights(ganzoo.load(cli_ckpt), model)


def test_ckpt_without_class_says_how_to_name_it(trained):
    with pytest.raises(ValueError, match="model_class="):
        ganzoo.load(trained[1])


def test_conversion_runs_once_then_only_the_cache_is_read(trained, saved, monkeypatch, tmp_path):
    source = tmp_path / "published" / "model.safetensors"
    source.parent.mkdir()
    shutil.copy(saved / "model.safetensors", source)
    entry = add_entry(monkeypatch, source)
    ganzoo.load("tiny-test")
    assert sorted(p.name for p in converted_dir(entry).iterdir()) == [
        "config.json",
        "config.json.sha256",
        "model.safetensors",
        "model.safetensors.sha256",
    ]
    source.unlink()
    shutil.rmtree(download_path(entry.name, entry.sha256, entry.filename).parent)
    assert_same_weights(ganzoo.load("tiny-test"), trained[0])


def test_a_damaged_converted_folder_is_rebuilt(trained, saved, monkeypatch):
    entry = add_entry(monkeypatch, saved / "model.safetensors")
    ganzoo.load("tiny-test")
    (converted_dir(entry) / "config.json").unlink()  # e.g. a cache cleaner that stopped half-way
    assert_same_weights(ganzoo.load("tiny-test"), trained[0])
    assert (converted_dir(entry) / "config.json").is_file()


def test_offline_with_a_prefilled_download_cache(trained, saved, monkeypatch):
    file = saved / "model.safetensors"
    entry = add_entry(monkeypatch, file, sources=(URL("https://example.invalid/tiny/model.safetensors"),))
    target = download_path(entry.name, entry.sha256, entry.filename)
    target.parent.mkdir(parents=True)
    shutil.copy(file, target)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert_same_weights(ganzoo.load("tiny-test"), trained[0])


def _fill_hf_cache(repo_id: str, files: list[Path]) -> None:
    """Lay files out as huggingface_hub's cache does after a download of revision ``main``."""
    commit = "0123456789abcdef0123456789abcdef01234567"
    repo = hf_cache_dir() / f"models--{repo_id.replace('/', '--')}"
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text(commit)
    snapshot = repo / "snapshots" / commit
    snapshot.mkdir(parents=True)
    for file in files:
        shutil.copy(file, snapshot / file.name)


def test_offline_with_a_prefilled_hugging_face_cache(trained, saved, monkeypatch):
    file = saved / "model.safetensors"
    add_entry(monkeypatch, file, sources=(HFFile("ganzoo-test/tiny", "model.safetensors"),))
    _fill_hf_cache("ganzoo-test/tiny", [file, saved / "config.json"])
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert_same_weights(ganzoo.load("tiny-test"), trained[0])
    assert_same_weights(ganzoo.load("hf://ganzoo-test/tiny"), trained[0])


def test_device_and_dtype_are_applied(saved):
    loaded = ganzoo.load(saved, device="cpu", dtype=torch.float64)
    assert loaded.generator.net[0].weight.dtype == torch.float64
    assert loaded.sample(2, z=torch.randn(2, 4, dtype=torch.float64)).dtype == torch.float64
