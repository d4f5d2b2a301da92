"""ganzoo: a GAN model zoo for PyTorch Lightning.

The public names are imported on first use, so that ``import ganzoo`` (and with it every ``ganzoo`` command,
``ganzoo --help`` and ``ganzoo list`` included) does not pay for torch and Lightning until it needs them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ganzoo.hub.catalog import list_models
    from ganzoo.hub.load import load
    from ganzoo.images import save_image_grid

__version__ = "0.1.0"

__all__ = ["__version__", "list_models", "load", "save_image_grid"]

_HOMES = {"list_models": "ganzoo.hub.catalog", "load": "ganzoo.hub.load", "save_image_grid": "ganzoo.images"}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        value = getattr(importlib.import_module(_HOMES[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'ganzoo' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOMES})
