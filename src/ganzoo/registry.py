"""One registry mechanism for everything the zoo looks up by name: papers, datasets and published weights.

A ``Registry`` maps names to items and fails on an unknown name with the closest ones. Each kind has one
instance here, filled by the package that defines the items (``@PAPERS.register`` on a paper class in
``ganzoo.models``, ``@DATASETS.register`` on a DataModule in ``ganzoo.data``, ``WEIGHTS.register(entry)`` in
each family module of ``ganzoo.hub.catalog``). A lookup imports that package first, so ``PAPERS.get("DCGAN")``
works without importing ``ganzoo.models`` by hand, and nothing is ever resolved by importing a name a file
gave: a config or checkpoint that names a class is answered only from what was registered.
"""

from __future__ import annotations

import difflib
import fnmatch
import importlib
from collections.abc import Callable, Iterable, Iterator, MutableMapping
from typing import TypeVar

T = TypeVar("T")


class UnknownNameError(KeyError, ValueError):
    """A name that is not in a registry (a bad key and a bad value); the message lists the closest names."""

    def __str__(self) -> str:  # KeyError would print the message quoted, as it does for a missing key
        return str(self.args[0])


def close_matches(name: str, names: list[str], n: int = 5) -> list[str]:
    """Names within a small edit distance of ``name`` (case-insensitive), best first: typos, not relatives."""
    folded = {candidate.lower(): candidate for candidate in names}
    return [folded[c] for c in difflib.get_close_matches(name.lower(), list(folded), n=n, cutoff=0.75)]


class Registry(MutableMapping[str, T]):
    """Names -> items of one kind: a mapping (``registry[name]``, ``name in registry``, ``items()``).

    Args:
        kind: what the items are, for messages ("paper", "dataset", ...).
        key: the name of an item (a class's ``__name__``, a DataModule's ``name``, an entry's ``name``).
        populated_by: the module whose import registers every item, imported on first lookup.
    """

    def __init__(self, kind: str, key: Callable[[T], str], populated_by: str) -> None:
        self.kind, self._key, self._populated_by = kind, key, populated_by
        self._items: dict[str, T] = {}

    def register(self, item: T) -> T:
        """Add ``item`` under its name and return it (so it works as a class decorator)."""
        name = self._key(item)
        if name in self._items and self._items[name] is not item:
            raise ValueError(f"a {self.kind} named {name!r} is already registered")
        self._items[name] = item
        return item

    def register_all(self, items: Iterable[T]) -> None:
        """Register each of ``items``."""
        for item in items:
            self.register(item)

    def _populated(self) -> dict[str, T]:
        importlib.import_module(self._populated_by)
        return self._items

    def __getitem__(self, name: str) -> T:
        """The item called ``name``; an unknown name raises ``UnknownNameError`` with the closest names."""
        items = self._populated()
        if name in items:
            return items[name]
        close = close_matches(name, list(items))
        hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
        raise UnknownNameError(f"unknown {self.kind} {name!r}.{hint} Known: {', '.join(sorted(items))}.")

    def __setitem__(self, name: str, item: T) -> None:
        """Put ``item`` under ``name``, replacing what was there (for tests and experiments)."""
        self._populated()[name] = item

    def __delitem__(self, name: str) -> None:
        del self._populated()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._populated()))

    def __len__(self) -> int:
        return len(self._populated())

    def names(self, pattern: str = "*") -> list[str]:
        """Sorted names matching the shell-style ``pattern``."""
        return [n for n in self if fnmatch.fnmatchcase(n, pattern)]


def _class_name(cls: type) -> str:
    return cls.__name__


def _name_attribute(item: object) -> str:
    return item.name  # type: ignore[attr-defined]


PAPERS: Registry[type] = Registry("paper", _class_name, "ganzoo.models")
"""Every paper's ``GANModule`` class by class name (``DCGAN``, ``CycleGAN``, ...)."""

DATASETS: Registry[type] = Registry("dataset", _name_attribute, "ganzoo.data")
"""Every DataModule by its short name (``mnist``, ``paired``, ...)."""

WEIGHTS: Registry[object] = Registry("pretrained model", _name_attribute, "ganzoo.hub.catalog")
"""Every catalog entry (``ganzoo.hub.catalog.entry.Pretrained``) by its name (``biggan-deep-128``, ...)."""
