"""The format every load ends in: a folder of ``config.json`` (class + arguments) and ``model.safetensors``.

``config.json`` names the model class and its constructor arguments, so the folder rebuilds the model with no
training script (``ganzoo.hub.build``); the weights are safetensors, so reading them runs no code.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from safetensors.torch import save_file
from torch import Tensor, nn

CONFIG_NAME = "config.json"
WEIGHTS_NAME = "model.safetensors"


def class_path_of(model_or_class: nn.Module | type[nn.Module]) -> str:
    cls = model_or_class if isinstance(model_or_class, type) else type(model_or_class)
    return f"{cls.__module__}.{cls.__qualname__}"


def read_config(directory: Path) -> dict[str, Any]:
    path = directory / CONFIG_NAME
    try:
        config = json.loads(path.read_text())
    except json.JSONDecodeError as err:
        raise ValueError(f"{path} is not valid JSON: {err}") from err
    if not isinstance(config, dict) or not isinstance(config.get("class_path"), str):
        raise ValueError(f"{path} must be a JSON object with a 'class_path' string and an 'init_args' object")
    return config


def write_directory(
    directory: Path, class_path: str, init_args: Mapping[str, Any], state_dict: Mapping[str, Tensor]
) -> None:
    """Write weights then config; the config is the last file, so its presence means the folder is whole."""
    directory.mkdir(parents=True, exist_ok=True)
    # Copies: safetensors refuses tensors that share memory, and EMA / tied weights may.
    tensors = {k: v.detach().to("cpu", copy=True).contiguous() for k, v in state_dict.items()}
    save_file(tensors, directory / WEIGHTS_NAME, metadata={"format": "pt"})
    config = {"class_path": class_path, "init_args": dict(init_args)}
    (directory / CONFIG_NAME).write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")
