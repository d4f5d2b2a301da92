"""Converters: one module per published checkpoint format, each turning a verified file into our state dict.

A converter is ``convert(path, init_args) -> dict[str, Tensor]``: it reads the file without unpickling
anything (safetensors, or ``torch.load(weights_only=True)``) and renames / reshapes tensors into the keys of
the ganzoo model that ``init_args`` builds. Modules are imported only when their format is first needed.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from torch import Tensor

Converter = Callable[[Path, Mapping[str, Any]], dict[str, Tensor]]
PartConverter = Callable[[Path, str], dict[str, Tensor]]
"""``convert_part(path, prefix)``: one further file of a multi-file checkpoint, its keys under ``prefix``."""

# format name (as written in catalog entries) -> module that defines ``convert``
FORMATS: dict[str, str] = {
    "biggan-pytorch": "ganzoo.hub.convert.biggan_pytorch",
    "ganzoo": "ganzoo.hub.convert.ganzoo_safetensors",
    "junyanz": "ganzoo.hub.convert.junyanz",
    "lightning-ckpt": "ganzoo.hub.convert.lightning_ckpt",
    "mmgen-biggan": "ganzoo.hub.convert.mmgen_biggan",
    "nvlabs": "ganzoo.hub.convert.nvlabs",
    "pytorch-pretrained-biggan": "ganzoo.hub.convert.pytorch_pretrained_biggan",
}


def get_converter(fmt: str) -> Converter:
    if fmt not in FORMATS:
        known = ", ".join(sorted(FORMATS))
        raise ValueError(f"no converter for checkpoint format {fmt!r}; known formats: {known}")
    return importlib.import_module(FORMATS[fmt]).convert


def get_part_converter(fmt: str) -> PartConverter:
    """The ``convert_part`` of format ``fmt``, for entries whose checkpoint is published as several files."""
    module = importlib.import_module(get_converter(fmt).__module__)
    if not hasattr(module, "convert_part"):
        raise ValueError(f"checkpoint format {fmt!r} has no converter for further files (entry parts)")
    return module.convert_part
