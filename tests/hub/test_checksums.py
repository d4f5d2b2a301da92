"""Hashes as publishers give them: full sha256, an 8+ digit prefix, or none (pinned on first download)."""

from __future__ import annotations

import dataclasses
import hashlib

import pytest

import ganzoo
from ganzoo.hub.catalog import CATALOG
from ganzoo.hub.errors import HashMismatchError
from ganzoo.hub.fetch import pin_path, sha256_of

from .hub_testing import add_entry, assert_same_weights


def test_published_prefix_is_checked(saved, monkeypatch, isolated_cache):
    file = saved / "model.safetensors"
    add_entry(monkeypatch, file, sha256=sha256_of(file)[:8])
    assert_same_weights(ganzoo.load("tiny-test"), ganzoo.load(saved))


def test_wrong_prefix_fails(saved, monkeypatch, isolated_cache):
    wrong = "0" * 8 if not sha256_of(saved / "model.safetensors").startswith("0" * 8) else "f" * 8
    add_entry(monkeypatch, saved / "model.safetensors", sha256=wrong)
    with pytest.raises(HashMismatchError, match=f"expected {wrong}"):
        ganzoo.load("tiny-test")


def test_too_short_prefix_is_refused(saved, monkeypatch, isolated_cache):
    file = saved / "model.safetensors"
    add_entry(monkeypatch, file, sha256=sha256_of(file)[:4])
    with pytest.raises(HashMismatchError):
        ganzoo.load("tiny-test")


def test_unpublished_hash_is_pinned_then_enforced(saved, tmp_path, monkeypatch, isolated_cache):
    file = tmp_path / "model.safetensors"
    file.write_bytes((saved / "model.safetensors").read_bytes())
    entry = add_entry(monkeypatch, file)
    entry = dataclasses.replace(entry, sha256=None)
    monkeypatch.setitem(CATALOG, entry.name, entry)
    with pytest.warns(UserWarning, match="published without a checksum"):
        first = ganzoo.load("tiny-test")
    pin = pin_path(entry.name)
    assert pin.read_text().strip() == hashlib.sha256(file.read_bytes()).hexdigest()
    assert_same_weights(first, ganzoo.load(saved))

    # The source now serves different bytes: the pinned hash catches it on the next fetch.
    for cached in (isolated_cache / "downloads").rglob("model.safetensors"):
        cached.unlink()
    for converted in (isolated_cache / "models").rglob("config.json"):
        converted.unlink()
    file.write_bytes(file.read_bytes()[:-10])
    with pytest.raises(HashMismatchError, match=pin.read_text().strip()):
        ganzoo.load("tiny-test")
