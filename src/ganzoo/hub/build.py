"""From a class path and arguments to a model, and from a state dict into it, refusing what does not fit.

Class paths are answered only from ``ganzoo.registry.PAPERS``: a config, checkpoint or catalog entry can
name any registered paper (``DCGAN``, ``ganzoo.models.DCGAN`` or ``ganzoo.models.dcgan.DCGAN``) and nothing
else, and no module is ever imported because a file named it.

A file's tensors are checked against the model before anything is allocated for either: the model is first
built on the meta device (shapes, no memory) and compared with the file's keys, shapes and dtypes (for
safetensors, read from its header alone), so a config that asks for a model of gigabytes next to a weights
file of kilobytes fails at once. Weights that hold NaN or Inf are refused.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file
from torch import Tensor

from ganzoo.hub.errors import StateDictMismatchError
from ganzoo.hub.folder import CONFIG_NAME, WEIGHTS_NAME, class_path_of, read_config, read_header
from ganzoo.models.base import GANModule
from ganzoo.registry import PAPERS, UnknownNameError, close_matches

_SHOWN = 5  # mismatched keys named per kind; enough to see the pattern without drowning it
_FLOATS = (torch.float16, torch.bfloat16, torch.float32, torch.float64)


class TensorSpec(NamedTuple):
    """What a tensor is without its values: what the meta model and a safetensors header tell."""

    dtype: torch.dtype | str
    shape: tuple[int, ...]


def resolve_class(class_path: str) -> type[GANModule]:
    """The registered paper class that ``class_path`` names."""
    names: dict[str, type[GANModule]] = {}
    for name, cls in PAPERS.items():
        names.update(dict.fromkeys((name, f"ganzoo.models.{name}", class_path_of(cls)), cls))
    if class_path in names:
        return names[class_path]
    module_name, _, attr = class_path.rpartition(".")
    found = getattr(sys.modules.get(module_name), attr, None)
    if isinstance(found, type) and issubclass(found, GANModule):
        raise ValueError(
            f"{class_path!r} is a GANModule subclass that is not registered, so ganzoo does not build it "
            "from a file's say-so. If you trust this file, register the class first "
            "(ganzoo.registry.PAPERS.register(MyGAN)) and load again."
        )
    if found is not None:
        raise ValueError(f"{class_path!r} is not a GANModule subclass, so it cannot be loaded as a model")
    close = close_matches(class_path, list(names)) or close_matches(attr, list(PAPERS))
    hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
    imported = (
        "" if module_name in sys.modules or not module_name else f" (module {module_name!r} is not imported)"
    )
    raise UnknownNameError(
        f"{class_path!r} is not a registered paper{imported}; ganzoo never imports a module a file names."
        f"{hint} Papers: {', '.join(PAPERS.names())}. For a class of your own, import it and register it "
        "(ganzoo.registry.PAPERS.register(MyGAN)) before loading."
    )


def build_model(
    model_class: type[GANModule] | str,
    init_args: Mapping[str, Any],
    *,
    device: torch.device | str | None = None,
) -> GANModule:
    """``model_class(**init_args)`` (on ``device``: ``"meta"`` allocates nothing); a class path is resolved
    through the registry, a class (which the caller vouches for) is used as given."""
    cls = resolve_class(model_class) if isinstance(model_class, str) else model_class
    if not isinstance(init_args, Mapping) or not all(isinstance(k, str) for k in init_args):
        raise ValueError(
            f"cannot build {class_path_of(cls)}: its init_args must be a mapping of argument names to "
            f"values, not {type(init_args).__name__} {init_args!r:.200}"
        )
    try:
        with torch.device(device) if device is not None else contextlib.nullcontext():
            return cls(**init_args)
    except TypeError as err:
        raise ValueError(
            f"cannot build {class_path_of(cls)} from init_args {init_args!r:.500}: {err}"
        ) from err


def specs_of(state_dict: Mapping[str, Any], origin: str) -> dict[str, TensorSpec]:
    """The spec of each tensor of ``state_dict``, refusing entries that are not tensors under string keys."""
    if not isinstance(state_dict, Mapping):
        raise ValueError(
            f"the state dict in {origin} is a {type(state_dict).__name__}, not a mapping of tensors"
        )
    bad = [
        f"{k!r} ({type(v).__name__})"
        for k, v in state_dict.items()
        if not (isinstance(k, str) and isinstance(v, Tensor))
    ]
    if bad:
        raise ValueError(
            f"the state dict in {origin} holds {len(bad)} entries that are not tensors under a name: "
            + ", ".join(bad[:_SHOWN])
            + (" ..." if len(bad) > _SHOWN else "")
        )
    return {k: TensorSpec(v.dtype, tuple(v.shape)) for k, v in state_dict.items()}


def _fits(model: torch.dtype, found: torch.dtype | str) -> bool:
    """A float parameter takes any float precision (loading casts it); anything else only its own dtype."""
    return found in _FLOATS if model.is_floating_point else found == model


def check_state_dict(model: GANModule, found: Mapping[str, TensorSpec | Tensor], origin: str) -> None:
    """Raise ``StateDictMismatchError`` naming the first missing, unexpected, wrongly shaped and wrongly
    typed keys; ``model`` may live on the meta device."""
    specs = {k: TensorSpec(v.dtype, tuple(v.shape)) if isinstance(v, Tensor) else v for k, v in found.items()}
    expected = {k: TensorSpec(v.dtype, tuple(v.shape)) for k, v in model.state_dict().items()}
    missing = [k for k in expected if k not in specs]
    unexpected = [k for k in specs if k not in expected]
    shared = [k for k in specs if k in expected]
    wrong = [
        f"{k}: model has {expected[k].shape}, checkpoint has {specs[k].shape}"
        for k in shared
        if expected[k].shape != specs[k].shape
    ]
    dtypes = [
        f"{k}: model has {expected[k].dtype}, checkpoint has {specs[k].dtype}"
        for k in shared
        if not _fits(expected[k].dtype, specs[k].dtype)
    ]
    problems = [
        f"{label} ({len(items)}): " + "; ".join(items[:_SHOWN]) + (" ..." if len(items) > _SHOWN else "")
        for label, items in (
            ("wrong shape", wrong),
            ("wrong dtype", dtypes),
            ("missing", missing),
            ("unexpected", unexpected),
        )
        if items
    ]
    if problems:
        raise StateDictMismatchError(
            f"the weights in {origin} do not fit {class_path_of(model)} built from its config:\n  "
            + "\n  ".join(problems)
            + (
                "\nThe config's init_args (image_size, widths, ...) must be those the weights came from."
                if wrong or missing or unexpected
                else "\nFloat parameters take float tensors of any precision; anything else, its own dtype."
            )
        )


def check_finite(state_dict: Mapping[str, Tensor], origin: str) -> None:
    """Refuse weights holding NaN or Inf: a diverged run, which would sample nothing but NaN."""
    bad = [k for k, v in state_dict.items() if v.is_floating_point() and not bool(v.isfinite().all())]
    if bad:
        raise ValueError(
            f"the weights in {origin} hold NaN or Inf in {len(bad)} tensors ({', '.join(bad[:_SHOWN])}"
            f"{' ...' if len(bad) > _SHOWN else ''}); the training that wrote them diverged. Load a "
            "checkpoint from before it did."
        )


def build_checked(
    model_class: type[GANModule] | str,
    init_args: Mapping[str, Any],
    found: Mapping[str, TensorSpec],
    origin: str,
) -> GANModule:
    """The model, built for real only once its meta-device twin showed that ``found`` fits it."""
    check_state_dict(build_model(model_class, init_args, device="meta"), found, origin)
    return build_model(model_class, init_args)


def load_weights(model: GANModule, state_dict: Mapping[str, Tensor], origin: str) -> GANModule:
    """``model`` with ``state_dict`` loaded, after the key, shape, dtype and finiteness checks."""
    check_state_dict(model, specs_of(state_dict, origin), origin)
    check_finite(state_dict, origin)
    model.load_state_dict(state_dict, strict=True)
    return model


def load_directory(directory: Path, *, sealed: bool = False) -> GANModule:
    """Rebuild the model saved in ``directory`` (as written by ``save_pretrained`` or the hub cache).

    ``sealed``: the folder's files are the hub cache's, checked against the hashes written beside them,
    written from a model that passed every check; the model is then built directly (a meta-device twin
    costs as much as the real one to construct) and the NaN scan is skipped. Keys, shapes and dtypes are
    still checked against the header before the weights are read.
    """
    for name in (CONFIG_NAME, WEIGHTS_NAME):
        if not (directory / name).is_file():
            raise FileNotFoundError(
                f"{directory} has no {name}; a pretrained folder holds {CONFIG_NAME} + {WEIGHTS_NAME} "
                "(write one with model.save_pretrained(folder))."
            )
    config = read_config(directory)
    weights = directory / WEIGHTS_NAME
    header = {k: TensorSpec(dtype, shape) for k, (dtype, shape) in read_header(weights).items()}
    if sealed:
        model = build_model(config["class_path"], config["init_args"])
        check_state_dict(model, header, str(weights))
    else:
        model = build_checked(config["class_path"], config["init_args"], header, str(weights))
    try:
        state_dict = load_file(weights)
    except SafetensorError as err:
        raise ValueError(f"{weights} is not a readable safetensors file ({err}); write it again") from err
    if not sealed:
        check_finite(state_dict, str(weights))
    model.load_state_dict(state_dict, strict=True)
    return model
