"""From a class path and arguments to a model, and from a state dict into it, refusing what does not fit.

Class paths are answered only from ``ganzoo.registry.PAPERS``: a config, checkpoint or catalog entry can
name any registered paper (``DCGAN``, ``ganzoo.models.DCGAN`` or ``ganzoo.models.dcgan.DCGAN``) and nothing
else, and no module is ever imported because a file named it.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from safetensors.torch import load_file
from torch import Tensor

from ganzoo.hub.errors import StateDictMismatchError
from ganzoo.hub.folder import CONFIG_NAME, WEIGHTS_NAME, class_path_of, read_config
from ganzoo.models.base import GANModule
from ganzoo.registry import PAPERS

_SHOWN = 5  # mismatched keys named per kind; enough to see the pattern without drowning it


def resolve_class(class_path: str) -> type[GANModule]:
    """The registered paper class that ``class_path`` names."""
    for name, cls in PAPERS.items():
        if class_path in (name, f"ganzoo.models.{name}", class_path_of(cls)):
            return cls
    module_name, _, attr = class_path.rpartition(".")
    found = getattr(sys.modules.get(module_name), attr, None)
    if isinstance(found, type) and issubclass(found, GANModule):
        raise ValueError(
            f"{class_path!r} is a GANModule subclass that is not registered, so ganzoo does not build it "
            "from a file's say-so. If you trust this file, register the class first "
            "(ganzoo.registry.PAPERS.register(MyGAN)) and load again."
        )
    if found is not None or module_name in sys.modules:
        raise ValueError(f"{class_path!r} is not a GANModule subclass, so it cannot be loaded as a model")
    raise ValueError(
        f"the config names {class_path!r}, which is not a registered paper, and module {module_name!r} is "
        "not imported; ganzoo never imports a module a file names. Papers: "
        f"{', '.join(PAPERS.names())}. For a class of your own, import it and register it "
        "(ganzoo.registry.PAPERS.register(MyGAN)) before loading."
    )


def build_model(model_class: type[GANModule] | str, init_args: Mapping[str, Any]) -> GANModule:
    """``model_class(**init_args)``; a class path is resolved through the registry, a class (which the
    caller vouches for) is used as given."""
    cls = resolve_class(model_class) if isinstance(model_class, str) else model_class
    try:
        return cls(**init_args)
    except TypeError as err:
        raise ValueError(
            f"cannot build {class_path_of(cls)} from init_args {dict(init_args)}: {err}"
        ) from err


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
