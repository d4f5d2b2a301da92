"""Converters: one module per published checkpoint format, each turning a verified file into our state dict.

A converter is ``convert(path, init_args) -> dict[str, Tensor]``: it reads the file without unpickling
anything (safetensors, or ``torch.load(weights_only=True)``) and renames / reshapes tensors into the keys of
the ganzoo model that ``init_args`` builds. Modules are imported only when their format is first needed.
A format whose files say what model they hold (``sniff.sniff_format`` recognises them by content) also has
``describe(path) -> (class_path, init_args)``, so that ``ganzoo.load(path)`` takes such a file as it is.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, cast

from torch import Tensor

Converter = Callable[[Path, Mapping[str, Any]], dict[str, Tensor]]
PartConverter = Callable[[Path, str], dict[str, Tensor]]
"""``convert_part(path, prefix)``: one further file of a multi-file checkpoint, its keys under ``prefix``."""

# format name (as written in catalog entries) -> module that defines ``convert``
FORMATS: dict[str, str] = {
    "biggan-pytorch": "ganzoo.hub.convert.biggan_pytorch",
    "ganzoo": "ganzoo.hub.convert.ganzoo_safetensors",
    "gan-zoo": "ganzoo.hub.convert.gan_zoo",
    "junyanz": "ganzoo.hub.convert.junyanz",
    "lightning-ckpt": "ganzoo.hub.convert.lightning_ckpt",
    "mmgen-biggan": "ganzoo.hub.convert.mmgen_biggan",
    "nvidia-pickle": "ganzoo.hub.convert.nvidia_pickle",
    "munit": "ganzoo.hub.convert.munit",
    "nvlabs": "ganzoo.hub.convert.nvlabs",
    "pytorch-pretrained-biggan": "ganzoo.hub.convert.pytorch_pretrained_biggan",
    "stargan": "ganzoo.hub.convert.stargan",
}


def get_converter(fmt: str) -> Converter:
    if fmt not in FORMATS:
        known = ", ".join(sorted(FORMATS))
        raise ValueError(f"no converter for checkpoint format {fmt!r}; known formats: {known}")
    return importlib.import_module(FORMATS[fmt]).convert


def describe(fmt: str, path: Path) -> tuple[str, dict[str, Any]]:
    """The model class path and init_args of a file in a self-describing format."""
    get_converter(fmt)  # the same error for an unknown format
    module = importlib.import_module(FORMATS[fmt])
    if not hasattr(module, "describe"):
        raise ValueError(
            f"files of format {fmt!r} do not say which model they hold; load them by catalog name"
        )
    return cast(tuple[str, dict[str, Any]], module.describe(path))


def get_part_converter(fmt: str) -> PartConverter:
    """The ``convert_part`` of format ``fmt``, for entries whose checkpoint is published as several files."""
    module = importlib.import_module(get_converter(fmt).__module__)
    if not hasattr(module, "convert_part"):
        raise ValueError(f"checkpoint format {fmt!r} has no converter for further files (entry parts)")
    return module.convert_part
