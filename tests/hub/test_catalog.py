"""The catalog is consistent: names filter, every entry's converter exists and its shipped files verify."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from urllib.parse import urlparse
from urllib.request import url2pathname

import pytest

import ganzoo
from ganzoo.hub.build import resolve_class
from ganzoo.hub.catalog import CATALOG, URL, HFFile
from ganzoo.hub.convert import FORMATS, get_converter
from ganzoo.hub.fetch import sha256_of

REPO = Path(__file__).resolve().parents[2]


def test_list_models_filters_by_pattern_and_weights(monkeypatch):
    assert ganzoo.list_models() == sorted(CATALOG)
    assert "dcgan-mnist" in ganzoo.list_models("*mnist")
    assert ganzoo.list_models("nothing-*") == []
    assert set(ganzoo.list_models(pretrained=True)) == {n for n, e in CATALOG.items() if e.sources}
    without = dataclasses.replace(CATALOG["dcgan-mnist"], name="x-gan", sources=())
    monkeypatch.setitem(CATALOG, "x-gan", without)
    without_weights = ganzoo.list_models(pretrained=False)
    assert "x-gan" in without_weights
    assert without_weights == sorted(n for n, e in CATALOG.items() if not e.sources)
    assert "x-gan" not in ganzoo.list_models(pretrained=True)


def test_unknown_format_lists_the_known_ones():
    with pytest.raises(ValueError, match=r"known formats: .*ganzoo, .*lightning-ckpt"):
        get_converter("tf-checkpoint")


@pytest.mark.parametrize("name", sorted(CATALOG))
def test_entry_is_complete_and_its_local_files_verify(name):
    entry = CATALOG[name]
    assert entry.name == name
    # a full hash, a published prefix, or None for a file published without one (pinned at first download)
    assert entry.sha256 is None or re.fullmatch(r"[0-9a-f]{8,64}", entry.sha256)
    assert entry.format in FORMATS
    resolve_class(entry.model)
    assert entry.license and entry.paper and entry.dataset
    for metric in entry.metrics:
        assert metric.protocol, f"{name}: {metric.name} has no protocol"
    if entry.zoo_card:
        assert (REPO / entry.zoo_card).is_file()
    for source in entry.sources:
        if isinstance(source, URL) and source.url.startswith("file:"):
            assert sha256_of(Path(url2pathname(urlparse(source.url).path))) == entry.sha256


def test_how_each_entry_is_verified_follows_its_hashes_and_first_source():
    """A full published hash; a prefix (then the full hash pinned); a Hub file at a fixed commit, whose LFS
    sha256 the Hub publishes; or nothing but the first download, pinned for every source."""
    assert CATALOG["dcgan-mnist"].verification == "published sha256"
    assert CATALOG["biggan-128"].verification == "published prefix + pinned"
    assert CATALOG["biggan-deep-128"].verification == "Hub LFS sha256 + pinned"
    assert CATALOG["biggan-deep-256"].verification == "trust on first use"
    assert CATALOG["pix2pix-facades"].verification == "trust on first use"
    by_branch = dataclasses.replace(CATALOG["biggan-deep-128"], sources=(HFFile("a/b", "f.bin", "main"),))
    assert by_branch.verification == "trust on first use"  # a branch can move; only a commit fixes the file
