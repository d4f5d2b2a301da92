"""The zoo cards: ``<paper>_<dataset>.yaml`` LightningCLI configs, shipped inside the package.

The cards live in the repository's top-level ``zoo_cards/`` and are package data (``ganzoo/zoo_cards``), so
``ganzoo fit -c dcgan_mnist`` and ``ganzoo demo`` work after a plain ``pip install``, from any directory. A
card is named by its path below that folder without ``.yaml`` (``dcgan_mnist``, ``lucic2018/ns_gan_mnist``).
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path

from ganzoo.registry import close_matches

SUFFIX = ".yaml"


def cards_dir() -> Path:
    """The folder of the cards that ship with the package."""
    return Path(str(importlib.resources.files("ganzoo") / "zoo_cards"))


def card_name(path: Path) -> str:
    return path.relative_to(cards_dir()).with_suffix("").as_posix()


def list_cards() -> list[Path]:
    """Every shipped card, sorted by name."""
    return sorted(cards_dir().rglob(f"*{SUFFIX}"), key=card_name)


def find_card(name_or_path: str) -> Path:
    """A card by file path, or by name (``dcgan_mnist``, with or without ``zoo_cards/`` and ``.yaml``)."""
    path = Path(name_or_path).expanduser()
    if path.is_file():
        return path
    name = name_or_path.removeprefix("zoo_cards/").removesuffix(SUFFIX)
    card = cards_dir() / f"{name}{SUFFIX}"
    if card.is_file():
        return card
    names = [card_name(c) for c in list_cards()]
    close = close_matches(name, names)
    hint = f" Did you mean {', '.join(close)}?" if close else ""
    raise FileNotFoundError(
        f"{name_or_path} is neither a file nor a zoo card.{hint} Cards (`ganzoo list`): {', '.join(names)}"
    )
