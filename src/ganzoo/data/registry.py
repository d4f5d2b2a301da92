"""Datasets by short name, so that cards and the CLI can say ``--data mnist``."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import Any, TypeVar

import lightning as L

T = TypeVar("T", bound=type[L.LightningDataModule])

_REGISTRY: dict[str, type[L.LightningDataModule]] = {}


def register(name: str) -> Callable[[T], T]:
    """Class decorator that makes a DataModule available under ``name``."""

    def wrap(cls: T) -> T:
        if name in _REGISTRY:
            raise ValueError(
                f"a dataset named {name!r} is already registered ({_REGISTRY[name].__qualname__})"
            )
        _REGISTRY[name] = cls
        cls.name = name
        return cls

    return wrap


def available() -> list[str]:
    """The registered dataset names, sorted."""
    return sorted(_REGISTRY)


def get(name: str) -> type[L.LightningDataModule]:
    """The DataModule class registered as ``name``; unknown names get close matches in the error."""
    try:
        return _REGISTRY[name]
    except KeyError:
        close = difflib.get_close_matches(name, _REGISTRY, n=3, cutoff=0.5)
        hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise ValueError(f"unknown dataset {name!r}.{hint} Available: {', '.join(available())}.") from None


def create(name: str, **kwargs: Any) -> L.LightningDataModule:
    """Instantiate the DataModule registered as ``name``."""
    return get(name)(**kwargs)
