"""torch.hub entry points: ``torch.hub.load(repo, "dcgan_mnist")`` is ``ganzoo.load("dcgan-mnist")``.

One entry per catalog name with published weights, the dashes turned into underscores. Keyword arguments
(``device``, ``dtype``) are passed on to ``ganzoo.load``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

# torch.hub imports this file from a plain checkout, where ganzoo is not installed.
sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))

import ganzoo
from ganzoo.models.base import GANModule

dependencies = ["torch", "torchvision", "lightning", "safetensors", "huggingface_hub"]


def _entry_point(name: str) -> Callable[..., GANModule]:
    def entry(**kwargs: Any) -> GANModule:
        return ganzoo.load(name, **kwargs)

    entry.__name__ = name.replace("-", "_")
    entry.__doc__ = f"The pretrained ``{name}`` from the ganzoo catalog, in eval mode."
    return entry


for _name in ganzoo.list_models(pretrained=True):
    globals()[_name.replace("-", "_")] = _entry_point(_name)
