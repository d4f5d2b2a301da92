"""Where the zoo cards (``<paper>_<dataset>.yaml`` LightningCLI configs) are found."""

from __future__ import annotations

import os
from pathlib import Path


def cards_dir() -> Path | None:
    """``$GANZOO_CARDS``, else ``./zoo_cards``, else the repository's ``zoo_cards/`` beside ``src/``."""
    candidates = [
        os.environ.get("GANZOO_CARDS"),
        Path.cwd() / "zoo_cards",
        Path(__file__).resolve().parents[2] / "zoo_cards",
    ]
    for c in candidates:
        if c and Path(c).is_dir():
            return Path(c)
    return None


def list_cards() -> list[Path]:
    folder = cards_dir()
    return sorted(folder.glob("*.yaml")) if folder else []


def find_card(name: str) -> Path:
    """A card by file path or by name (``dcgan_mnist``)."""
    if Path(name).is_file():
        return Path(name)
    for card in list_cards():
        if card.stem == name:
            return card
    known = ", ".join(c.stem for c in list_cards()) or "none found; set GANZOO_CARDS to the zoo_cards folder"
    raise FileNotFoundError(f"no zoo card {name!r}. Cards: {known}")
