"""``ganzoo list``: aligned tables whose summaries wrap instead of being cut, a --json form, how each
entry is verified, and an index read from the source that names exactly what the registries hold."""

from __future__ import annotations

import itertools
import json

import pytest

from ganzoo import cli
from ganzoo.cli.index import registered
from ganzoo.cli.listing import card_summary, verification
from ganzoo.hub.catalog import CATALOG, list_models
from ganzoo.registry import DATASETS, PAPERS


def test_the_source_index_matches_the_registries() -> None:
    assert [r.name for r in registered("ganzoo.models", "PAPERS")] == list(PAPERS)
    assert [r.name for r in registered("ganzoo.data", "DATASETS", key="name")] == list(DATASETS)
    summaries = {r.name: r.summary for r in registered("ganzoo.models", "PAPERS")}
    assert summaries["SNGAN"].endswith('Miyato & Koyama, "cGANs with Projection Discriminator", ICLR 2018.')


@pytest.mark.parametrize("width", [80, 140])
def test_tables_align_and_wrap(width, monkeypatch, capsys) -> None:
    monkeypatch.setenv("COLUMNS", str(width))
    assert cli.main(["list"]) == 0
    sections = capsys.readouterr().out.split("\n\n")
    assert [s.splitlines()[0] for s in sections] == [
        "Papers (ganzoo fit --model NAME):",
        "Zoo cards (ganzoo fit -c NAME):",
        "Pretrained weights (ganzoo.load(NAME), ganzoo sample NAME):",
        "Datasets (ganzoo fit --data NAME, ganzoo eval --data NAME):",
    ]
    for section in sections:
        header, *rows = section.splitlines()[1:]
        column = header.index("SUMMARY") if "SUMMARY" in header else header.index("VERIFIED BY")
        for row in rows:
            if row.startswith("  (files in"):
                continue
            assert len(row) <= max(width, column + 30), row
            first, rest = row[:column], row[column:]
            assert first.endswith("  ") or first.strip() == "", f"misaligned: {row!r}"
            assert rest and rest[0] != " ", f"misaligned: {row!r}"
    out = "\n".join(sections)
    # Summaries are whole: the SNGAN line continues onto the next line instead of ending mid-phrase.
    lines = out.split("\n  SNGAN", 1)[1].splitlines()
    continued = [lines[0], *itertools.takewhile(lambda line: line.startswith("   "), lines[1:])]
    sngan = " ".join(" ".join(continued).split())
    assert sngan.endswith('"cGANs with Projection Discriminator", ICLR 2018.')
    assert "cyclegan-summer2winter-yosemite  CycleGAN" in out  # the longest name keeps its columns


def test_json_lists_every_section_and_how_weights_are_verified(capsys) -> None:
    assert cli.main(["list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [p["name"] for p in listed["papers"]] == list(PAPERS)
    assert [d["name"] for d in listed["datasets"]] == list(DATASETS)
    pretrained = {p["name"]: p for p in listed["pretrained"]}
    assert list(pretrained) == list_models(pretrained=True)
    assert pretrained["dcgan-mnist"]["verified_by"] == "published sha256"
    assert pretrained["biggan-128"]["verified_by"] == "published prefix + pinned"
    assert pretrained["pix2pix-facades"]["verified_by"] == "trust on first use"
    assert pretrained["biggan-deep-128"] == {
        "name": "biggan-deep-128",
        "model": "BigGANDeep",
        "dataset": CATALOG["biggan-deep-128"].dataset,
        "verified_by": verification(CATALOG["biggan-deep-128"]),
    }
    cards = {c["name"]: c for c in listed["cards"]}
    assert cards["dcgan_mnist"]["summary"] == "DCGAN (Radford et al. 2016) on MNIST, resized to 32x32"


def test_an_entrys_own_account_of_its_verification_wins() -> None:
    class Entry:
        sha256 = None
        verification = "published sha256 (Hugging Face LFS)"

    assert verification(Entry()) == "published sha256 (Hugging Face LFS)"


def test_card_summaries_end_at_a_clause_not_inside_parentheses() -> None:
    text = (
        "# LSGAN (Mao et al. 2017) on CelebA (LSUN; CIFAR-10 faces), class-conditional. More\n# text\nx: 1\n"
    )
    assert card_summary(text) == "LSGAN (Mao et al. 2017) on CelebA (LSUN; CIFAR-10 faces), class-conditional"
