"""Class names that conditional models accept in place of indices, available offline."""

from __future__ import annotations

import difflib
from collections.abc import Sequence

CIFAR10 = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")
DIGITS = tuple(str(d) for d in range(10))


def imagenet() -> tuple[str, ...]:
    """The 1000 ILSVRC-2012 class names, in index order, from the copy torchvision ships."""
    from torchvision.models import ResNet50_Weights

    return tuple(ResNet50_Weights.IMAGENET1K_V1.meta["categories"])


NAMED_SETS = {"imagenet": imagenet, "cifar10": lambda: CIFAR10, "digits": lambda: DIGITS}


def resolve_names(names: Sequence[str] | str | None) -> tuple[str, ...] | None:
    """``names`` as a tuple; a string names a set above: ``"imagenet"``, ``"cifar10"`` or ``"digits"``."""
    if names is None:
        return None
    if isinstance(names, str):
        if names not in NAMED_SETS:
            raise ValueError(
                f"unknown class-name set {names!r}; choose one of {sorted(NAMED_SETS)} or a list"
            )
        return NAMED_SETS[names]()
    return tuple(names)


def class_index(name: str, names: Sequence[str]) -> int:
    """The index of ``name`` (case-insensitive); an unknown name fails with the closest names."""
    lowered = [n.lower() for n in names]
    key = name.strip().lower()
    if key in lowered:
        return lowered.index(key)
    close = difflib.get_close_matches(key, lowered, n=5, cutoff=0.6)
    hint = f" Did you mean: {', '.join(repr(names[lowered.index(c)]) for c in close)}?" if close else ""
    raise ValueError(
        f"unknown class name {name!r}.{hint} Pass a name from the model's class_names or an index."
    )
