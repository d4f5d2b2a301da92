"""The format every load ends in: a folder of ``config.json`` (class + arguments) and ``model.safetensors``.

``config.json`` names the model class and its constructor arguments, so the folder rebuilds the model with no
training script (``ganzoo.hub.build``); the weights are safetensors, so reading them runs no code, and
their header (names, dtypes, shapes, offsets) is read and checked alone, within bounds, before any tensor.
"""

from __future__ import annotations

import json
import math
import struct
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import save_file
from torch import Tensor, nn

CONFIG_NAME = "config.json"
WEIGHTS_NAME = "model.safetensors"
MAX_HEADER_BYTES = 16 << 20
"""A safetensors header this long describes ~100k tensors; a longer one is refused unread."""
MAX_CONFIG_BYTES = 1 << 20

# safetensors' dtype names -> torch's, with the size of one element
DTYPES: dict[str, tuple[torch.dtype, int]] = {
    "F64": (torch.float64, 8),
    "F32": (torch.float32, 4),
    "F16": (torch.float16, 2),
    "BF16": (torch.bfloat16, 2),
    "I64": (torch.int64, 8),
    "I32": (torch.int32, 4),
    "I16": (torch.int16, 2),
    "I8": (torch.int8, 1),
    "U8": (torch.uint8, 1),
    "BOOL": (torch.bool, 1),
    "C64": (torch.complex64, 8),
}


def class_path_of(model_or_class: nn.Module | type[nn.Module]) -> str:
    cls = model_or_class if isinstance(model_or_class, type) else type(model_or_class)
    return f"{cls.__module__}.{cls.__qualname__}"


def read_config(directory: Path) -> dict[str, Any]:
    """``{"class_path": str, "init_args": dict}`` from ``directory/config.json``; a ValueError names it."""
    path = directory / CONFIG_NAME
    if path.stat().st_size > MAX_CONFIG_BYTES:
        raise ValueError(
            f"{path} is {path.stat().st_size} bytes, not a model config (at most {MAX_CONFIG_BYTES})"
        )
    try:
        config = json.loads(path.read_bytes())
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise ValueError(f"{path} is not valid JSON: {err}") from err
    if (
        not isinstance(config, dict)
        or not isinstance(config.get("class_path"), str)
        or not isinstance(config.setdefault("init_args", {}), dict)
    ):
        raise ValueError(f"{path} must be a JSON object with a 'class_path' string and an 'init_args' object")
    return config


def read_header(path: Path) -> dict[str, tuple[torch.dtype | str, tuple[int, ...]]]:
    """The name -> (dtype, shape) of every tensor in a safetensors file, read from its header alone.

    Refuses a header longer than ``MAX_HEADER_BYTES`` or than the file, and tensors whose byte ranges do not
    tile the data exactly (a truncated or padded file). Unknown dtype names are returned as strings.
    """
    size = path.stat().st_size
    with open(path, "rb") as f:
        prefix = f.read(8)
        length = struct.unpack("<Q", prefix)[0] if len(prefix) == 8 else -1
        if not 0 < length <= min(MAX_HEADER_BYTES, size - 8):
            raise ValueError(
                f"{path} is not a safetensors file: its first 8 bytes announce a header of {length} bytes, "
                f"in a file of {size} (at most {MAX_HEADER_BYTES} are read). It is damaged or of another "
                "format."
            )
        raw = f.read(length)
    try:
        header = json.loads(raw)
        entries = {k: v for k, v in header.items() if k != "__metadata__"}
        spans, out = [], {}
        for name, info in entries.items():
            dtype, shape, (begin, end) = (
                info["dtype"],
                tuple(int(n) for n in info["shape"]),
                info["data_offsets"],
            )
            torch_dtype, itemsize = DTYPES.get(dtype, (dtype, 0))
            if itemsize and end - begin != math.prod(shape) * itemsize:
                raise ValueError(f"tensor {name!r} spans {end - begin} bytes, not {shape} of {dtype}")
            spans.append((int(begin), int(end)))
            out[name] = (torch_dtype, shape)
    except (ValueError, KeyError, TypeError, AttributeError) as err:
        raise ValueError(f"{path} has a malformed safetensors header ({err}); write it again") from err
    covered = 0
    for begin, end in sorted(spans):
        if begin != covered:
            break
        covered = end
    if covered != size - 8 - length:
        raise ValueError(
            f"{path} is truncated or damaged: its header describes {covered} bytes of tensor data, the file "
            f"holds {size - 8 - length}. Write or download it again."
        )
    return out


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
