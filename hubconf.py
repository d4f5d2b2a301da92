"""torch.hub entry points: ``torch.hub.load(repo, "dcgan_mnist")`` is ``ganzoo.load("dcgan-mnist")``.

One entry per catalog name with published weights, the dashes turned into underscores. Keyword arguments
(``device``, ``dtype``) are passed on to ``ganzoo.load``. torch.hub lists every public callable here, so
everything else in this file has a private name.
"""

from __future__ import annotations

import sys as _sys
from pathlib import Path as _Path
from typing import TYPE_CHECKING

# torch.hub imports this file from a plain checkout, where ganzoo is not installed.
_sys.path.insert(0, str(_Path(__file__).resolve().parent / "src"))

import ganzoo

if TYPE_CHECKING:
    from collections.abc import Callable

    from ganzoo.models import GANModule

dependencies = ["torch", "torchvision", "lightning", "safetensors", "huggingface_hub"]


def _entry_point(name: str) -> Callable[..., GANModule]:
    def entry(**kwargs: object) -> GANModule:
        return ganzoo.load(name, **kwargs)

    entry.__name__ = name.replace("-", "_")
    entry.__doc__ = f"The pretrained ``{name}`` from the ganzoo catalog, in eval mode."
    return entry


for _name in ganzoo.list_models(pretrained=True):
    globals()[_name.replace("-", "_")] = _entry_point(_name)
