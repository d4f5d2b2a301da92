"""ganzoo's own format: a safetensors file holding a GANModule's state dict, keys unchanged."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from safetensors import SafetensorError
from safetensors.torch import load_file
from torch import Tensor


def convert(path: Path, init_args: Mapping[str, Any]) -> dict[str, Tensor]:
    try:
        return load_file(path)
    except SafetensorError as err:
        raise ValueError(f"{path} is not a readable safetensors file: {err}") from err
