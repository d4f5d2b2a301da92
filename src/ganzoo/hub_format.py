"""The format every load ends in: a folder of ``config.json`` (class + arguments) and ``model.safetensors``.

``config.json`` names the model class and its constructor arguments, so the folder rebuilds the model with no
training script; the weights are safetensors, so reading them runs no code. Only ``GANModule`` subclasses
that are already imported, or that live in ganzoo itself, may be named by a config.
"""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from safetensors.torch import load_file, save_file
from torch import Tensor

from ganzoo.hub_errors import StateDictMismatchError
from ganzoo.models.base import GANModule

CONFIG_NAME = "config.json"
WEIGHTS_NAME = "model.safetensors"
_SHOWN = 5  # mismatched keys named per kind; enough to see the pattern without drowning it


def class_path_of(model_or_class: GANModule | type[GANModule]) -> str:
    cls = model_or_class if isinstance(model_or_class, type) else type(model_or_class)
    return f"{cls.__module__}.{cls.__qualname__}"


def resolve_class(class_path: str) -> type[GANModule]:
    """The ``GANModule`` subclass at ``class_path`` (``ganzoo.models.DCGAN`` or ``my_pkg.models.MyGAN``)."""
    module_name, _, attr = class_path.rpartition(".")
    if module_name not in sys.modules:
        if module_name != "ganzoo" and not module_name.startswith("ganzoo."):
            raise ValueError(
                f"the config names {class_path!r}, but module {module_name!r} is not imported. ganzoo "
                "imports only its own modules on a config's say-so; if you trust this checkpoint, import "
                "that module first and load again."
            )
        importlib.import_module(module_name)
    cls = getattr(sys.modules[module_name], attr, None)
    if not (isinstance(cls, type) and issubclass(cls, GANModule)):
        raise ValueError(f"{class_path!r} is not a GANModule subclass, so it cannot be loaded as a model")
    return cls


def build_model(class_path: str, init_args: Mapping[str, Any]) -> GANModule:
    cls = resolve_class(class_path)
    try:
        return cls(**init_args)
    except TypeError as err:
        raise ValueError(f"cannot build {class_path} from init_args {dict(init_args)}: {err}") from err


def check_state_dict(model: GANModule, state_dict: Mapping[str, Tensor], origin: str) -> None:
    """Raise ``StateDictMismatchError`` naming the first missing, unexpected and wrongly shaped keys."""
    expected = model.state_dict()
    missing = [k for k in expected if k not in state_dict]
    unexpected = [k for k in state_dict if k not in expected]
    wrong = [
        f"{k}: model has {tuple(expected[k].shape)}, checkpoint has {tuple(v.shape)}"
        for k, v in state_dict.items()
        if k in expected and expected[k].shape != v.shape
    ]
    problems = [
        f"{label} ({len(items)}): " + "; ".join(items[:_SHOWN]) + (" ..." if len(items) > _SHOWN else "")
        for label, items in (("wrong shape", wrong), ("missing", missing), ("unexpected", unexpected))
        if items
    ]
    if problems:
        raise StateDictMismatchError(
            f"the weights in {origin} do not fit {class_path_of(model)} built from its config:\n  "
            + "\n  ".join(problems)
            + "\nThe config's init_args (image_size, widths, ...) must be those the weights were trained on."
        )


def load_weights(model: GANModule, state_dict: Mapping[str, Tensor], origin: str) -> GANModule:
    check_state_dict(model, state_dict, origin)
    model.load_state_dict(state_dict, strict=True)
    return model


def read_config(directory: Path) -> dict[str, Any]:
    path = directory / CONFIG_NAME
    try:
        config = json.loads(path.read_text())
    except json.JSONDecodeError as err:
        raise ValueError(f"{path} is not valid JSON: {err}") from err
    if not isinstance(config, dict) or not isinstance(config.get("class_path"), str):
        raise ValueError(f"{path} must be a JSON object with a 'class_path' string and an 'init_args' object")
    return config


def load_directory(directory: Path) -> GANModule:
    """Rebuild the model saved in ``directory`` (as written by ``save_pretrained`` or the hub cache)."""
    for name in (CONFIG_NAME, WEIGHTS_NAME):
        if not (directory / name).is_file():
            raise FileNotFoundError(
                f"{directory} has no {name}; a pretrained folder holds {CONFIG_NAME} + {WEIGHTS_NAME} "
                "(write one with model.save_pretrained(folder))."
            )
    config = read_config(directory)
    model = build_model(config["class_path"], config.get("init_args", {}))
    return load_weights(model, load_file(directory / WEIGHTS_NAME), str(directory / WEIGHTS_NAME))


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
