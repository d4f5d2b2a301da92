"""``ganzoo list``: the papers, zoo cards, pretrained weights and datasets."""

from __future__ import annotations

import argparse
import inspect
from collections.abc import Sequence

from ganzoo.cli.cards import card_name, list_cards
from ganzoo.hub.catalog import CATALOG, list_models
from ganzoo.registry import DATASETS, PAPERS


def _summary(cls: type) -> str:
    """The first line of the docstring of the module that defines ``cls`` (the paper or dataset it is)."""
    doc = inspect.getmodule(cls).__doc__ or ""
    return doc.strip().splitlines()[0] if doc.strip() else ""


def cmd_list(argv: Sequence[str]) -> int:
    argparse.ArgumentParser(
        prog="ganzoo list", description="Papers, zoo cards, pretrained weights and datasets."
    ).parse_args(argv)
    print("Papers (--model NAME):")
    for name, cls in PAPERS.items():
        print(f"  {name:<10} {_summary(cls)}")
    print("\nZoo cards (ganzoo fit -c NAME):")
    for card in list_cards():
        print(f"  {card_name(card):<24} {card}")
    print("\nPretrained weights (ganzoo.load(NAME), ganzoo sample NAME):")
    for name in list_models(pretrained=True):
        print(f"  {name:<20} {CATALOG[name].paper}")
    print("\nDatasets (--data NAME):")
    for name, cls in DATASETS.items():
        print(f"  {name:<14} {_summary(cls)}")
    return 0
