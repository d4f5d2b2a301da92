"""The catalog of published weights: every entry of every family in ``ganzoo.pretrained``, by name."""

from __future__ import annotations

import difflib
import fnmatch

from ganzoo.hub_errors import UnknownModelError
from ganzoo.pretrained import biggan, cyclegan, mnist, pix2pix
from ganzoo.pretrained.entry import URL, WEIGHTS_DIR, HFFile, Metric, Pretrained, Source, packaged

__all__ = [
    "CATALOG",
    "URL",
    "WEIGHTS_DIR",
    "HFFile",
    "Metric",
    "Pretrained",
    "Source",
    "get_entry",
    "list_models",
    "packaged",
]

FAMILIES = (mnist, pix2pix, cyclegan, biggan)


def _collect() -> dict[str, Pretrained]:
    catalog: dict[str, Pretrained] = {}
    for family in FAMILIES:
        for entry in family.ENTRIES:
            if entry.name in catalog:
                raise ValueError(f"catalog name {entry.name!r} is defined twice (in {family.__name__})")
            catalog[entry.name] = entry
    return catalog


CATALOG: dict[str, Pretrained] = _collect()


def list_models(pattern: str = "*", pretrained: bool | None = None) -> list[str]:
    """Sorted catalog names matching a shell-style ``pattern``; ``pretrained`` filters on having weights."""
    return sorted(
        name
        for name, entry in CATALOG.items()
        if fnmatch.fnmatchcase(name, pattern) and (pretrained is None or entry.has_weights == pretrained)
    )


def get_entry(name: str) -> Pretrained:
    """The entry called ``name``; an unknown name fails with the closest names in the catalog."""
    if name in CATALOG:
        return CATALOG[name]
    close = difflib.get_close_matches(name, CATALOG, n=5, cutoff=0.5)
    hint = f"Did you mean: {', '.join(close)}?" if close else f"Known names: {', '.join(sorted(CATALOG))}."
    raise UnknownModelError(
        f"{name!r} is not in the ganzoo catalog nor an existing path. {hint} "
        "ganzoo.list_models() lists every name."
    )
