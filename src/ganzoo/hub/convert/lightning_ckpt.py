"""Lightning ``.ckpt`` files of ganzoo models, read with ``torch.load(weights_only=True)`` so no code runs.

A checkpoint written by ``ganzoo fit`` (LightningCLI) records its class in
``hyper_parameters["_class_path"]``; one written by a plain ``Trainer`` does not, and then the caller must
say which class it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from torch import Tensor

from ganzoo.hub.convert.torch_file import load_plain


def read_checkpoint(path: Path) -> tuple[dict[str, Any], dict[str, Tensor]]:
    """``(hyper_parameters, state_dict)`` of a Lightning checkpoint, refusing anything but plain data."""
    ckpt = load_plain(
        path,
        "If you wrote this file and trust it, load it with torch.load yourself and pass its 'state_dict' to "
        "model.load_state_dict.",
    )
    if not isinstance(ckpt, dict) or not isinstance(ckpt.get("state_dict"), dict):
        raise ValueError(f"{path} is not a Lightning checkpoint: it has no 'state_dict' mapping")
    hparams = ckpt.get("hyper_parameters") or {}
    if not isinstance(hparams, dict) or not all(isinstance(k, str) for k in hparams):
        raise ValueError(
            f"{path} is not a Lightning checkpoint of a ganzoo model: its 'hyper_parameters' is a "
            f"{type(hparams).__name__}, not a mapping of argument names"
        )
    return dict(hparams), ckpt["state_dict"]


def convert(path: Path, init_args: Mapping[str, Any]) -> dict[str, Tensor]:
    return read_checkpoint(path)[1]
