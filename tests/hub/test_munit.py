"""MUNIT's released checkpoint layout ({"a": gen_a, "b": gen_b}) loads by name, strictly; a file only a
Google Drive folder serves is never fetched, and the error says where to save it."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

import ganzoo
from ganzoo.hub.catalog import CATALOG, ManualDownload, Pretrained
from ganzoo.hub.errors import StateDictMismatchError, WeightsNotFoundError
from ganzoo.hub.fetch import manual_path, pin_path
from ganzoo.models import MUNIT

TINY = {"generator_only": True, "gen_dim": 4, "style_dim": 3, "mlp_dim": 8, "n_res": 1, "image_size": 16}


def entry(
    monkeypatch: pytest.MonkeyPatch, page: str = "https://drive.google.com/drive/folders/test"
) -> Pretrained:
    e = Pretrained(
        name="munit-test",
        model="ganzoo.models.MUNIT",
        init_args=TINY,
        sha256=None,
        sources=(ManualDownload(page),),
        format="munit",
        filename="edges2shoes.pt",
        license="CC BY-NC-SA 4.0",
        paper="test",
        dataset="test",
    )
    monkeypatch.setitem(CATALOG, e.name, e)
    return e


def authors_checkpoint(path: Path, seed: int = 0) -> MUNIT:
    torch.manual_seed(seed)
    model = MUNIT(**TINY)
    state = {side: model.generator[domain].state_dict() for side, domain in (("a", "A"), ("b", "B"))}
    torch.save(state, path)
    return model


def test_a_drive_only_file_is_never_fetched_and_the_error_says_where_to_put_it(monkeypatch):
    e = entry(monkeypatch)
    target = manual_path(e.name, "edges2shoes.pt")
    with pytest.raises(WeightsNotFoundError) as info:
        ganzoo.load("munit-test")
    message = str(info.value)
    assert str(target) in message and "download edges2shoes.pt in a browser from" in message
    assert not target.exists()


def test_the_authors_layout_placed_by_hand_loads_and_translates_like_their_networks(monkeypatch, tmp_path):
    e = entry(monkeypatch)
    target = manual_path(e.name, "edges2shoes.pt")
    target.parent.mkdir(parents=True)
    reference = authors_checkpoint(target)
    with pytest.warns(UserWarning, match="published without a checksum"):
        model = ganzoo.load("munit-test")
    x = torch.rand(1, 3, 16, 16) * 2 - 1
    assert torch.allclose(model.translate(x, seed=0), reference.translate(x, seed=0), atol=1e-6)
    assert CATALOG["munit-edges2shoes"].sources == (
        ManualDownload("https://drive.google.com/drive/folders/10IEa7gibOWmQQuJUIUOkh-CV4cm6k8__"),
    )


def test_a_checkpoint_of_another_shape_fails_the_strict_check(monkeypatch):
    e = entry(monkeypatch)
    target = manual_path(e.name, "edges2shoes.pt")
    target.parent.mkdir(parents=True)
    torch.manual_seed(0)
    other = MUNIT(**{**TINY, "style_dim": 5})
    torch.save({"a": other.generator["A"].state_dict(), "b": other.generator["B"].state_dict()}, target)
    with pytest.raises(StateDictMismatchError, match="mlp"):
        ganzoo.load("munit-test")
    assert target.is_file() and not pin_path(e.name).exists()  # kept for the user, never pinned


def test_a_file_placed_by_hand_stays_when_it_fails_to_load(monkeypatch):
    e = entry(monkeypatch)
    target = manual_path(e.name, "edges2shoes.pt")
    target.parent.mkdir(parents=True)
    target.write_bytes(b"<html>a sign-in page saved instead of the file</html>")
    with pytest.raises(ValueError, match="HTML"):
        ganzoo.load("munit-test")
    assert target.is_file()  # the user's download is named, never deleted
