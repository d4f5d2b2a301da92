"""Helpers shared by the hub tests: catalog entries for test files, weight comparison."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from ganzoo.hub.catalog import CATALOG, URL, Pretrained, Source
from ganzoo.hub.fetch import sha256_of

TINY = {"image_size": 8, "channels": 1, "latent_dim": 4, "g_width": 4, "d_width": 4}


def add_entry(
    monkeypatch: pytest.MonkeyPatch,
    file: Path,
    *,
    name: str = "tiny-test",
    sources: tuple[Source, ...] | None = None,
    fmt: str = "ganzoo",
    sha256: str | None = None,
) -> Pretrained:
    """Register a catalog entry for ``file`` (a ``file://`` source unless ``sources`` are given)."""
    entry = Pretrained(
        name=name,
        model="ganzoo.models.DCGAN",
        init_args=TINY,
        sha256=sha256 or sha256_of(file),
        sources=sources if sources is not None else (URL(file.as_uri()),),
        format=fmt,
        filename=file.name,
        license="Apache-2.0",
        paper="test",
        dataset="noise",
    )
    monkeypatch.setitem(CATALOG, name, entry)
    return entry


def assert_same_weights(a: torch.nn.Module, b: torch.nn.Module) -> None:
    sa, sb = a.state_dict(), b.state_dict()
    assert sa.keys() == sb.keys()
    for key in sa:
        assert torch.equal(sa[key], sb[key]), key
