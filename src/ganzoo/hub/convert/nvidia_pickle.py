"""NVIDIA's network pickles (stylegan2-ada-pytorch, stylegan3): read as data, with none of their code run.

Such a file is a pickled dict ``{"G", "D", "G_ema", "augment_pipe", "training_set_kwargs"}`` whose networks
are ``torch_utils.persistence`` objects: each is rebuilt by ``_reconstruct_persistent_obj(meta)``, where
``meta`` holds the module's *source code*, its class name and its ``__dict__`` (``_init_kwargs``,
``_parameters``, ``_buffers``, ``_modules``). Tensor storages are nested legacy ``torch.save`` blobs.

The unpickler here knows only the globals such files use and maps each to a harmless stand-in: persistent
objects become ``PersistentObject`` records (the source text is dropped unread, never ``exec``-ed), storages
are read with ``torch.load(weights_only=True)``, numpy scalars and arrays are decoded from their raw bytes
without numpy. Any other global is refused, naming it. The networks are then rebuilt as ganzoo's own
modules from ``init_kwargs``, whose parameter names are NVIDIA's, and their state is copied in.
"""

from __future__ import annotations

import io
import pickle
import pickletools
import struct
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import Tensor

from ganzoo.hub.errors import UnsafeCheckpointError

_PERSISTENCE = ("torch_utils.persistence", "_reconstruct_persistent_obj")
_NUMPY_CORE = ("numpy.core.multiarray", "numpy._core.multiarray")

STYLEGAN2 = "ganzoo.models.StyleGAN2"
STYLEGAN3 = "ganzoo.models.StyleGAN3"


@dataclass
class PersistentObject:
    """What a ``torch_utils.persistence`` object is as data: its class name and its ``__dict__``."""

    class_name: str
    state: dict[str, Any]

    @property
    def init_kwargs(self) -> dict[str, Any]:
        return plain(self.state.get("_init_kwargs", {}))

    @property
    def children(self) -> Mapping[str, Any]:
        return self.state.get("_modules", {})

    def state_dict(self, prefix: str = "") -> dict[str, Tensor]:
        """The tensors ``nn.Module.state_dict`` would give: parameters, persistent buffers, then children."""
        out: dict[str, Tensor] = {}
        for name, value in self.state.get("_parameters", {}).items():
            if value is not None:
                out[prefix + name] = value.detach()
        skip = self.state.get("_non_persistent_buffers_set", set())
        for name, value in self.state.get("_buffers", {}).items():
            if value is not None and name not in skip:
                out[prefix + name] = value
        for name, child in self.children.items():
            if isinstance(child, PersistentObject):
                out.update(child.state_dict(f"{prefix}{name}."))
            elif child is not None:
                raise ValueError(
                    f"sub-module {prefix}{name} is a {type(child).__name__}, not a network object"
                )
        return out


def _persistent_object(meta: Any) -> PersistentObject:
    if not isinstance(meta, dict) or meta.get("type") != "class" or not isinstance(meta.get("state"), dict):
        raise UnsafeCheckpointError("a torch_utils.persistence record without its class name and state")
    return PersistentObject(str(meta["class_name"]), meta["state"])


def _storage_from_bytes(data: bytes) -> Any:
    return torch.load(io.BytesIO(data), weights_only=True)


class _DType:
    """A numpy dtype as data: its type string (``"f8"``, ``"i8"``, ``"b1"`` ...) and byte order."""

    def __init__(self, name: str, align: bool = False, copy: bool = False) -> None:
        self.name, self.byteorder = str(name), "<"

    def __setstate__(self, state: tuple) -> None:
        self.byteorder = state[1] if state[1] in "<>" else "<"

    def unpack(self, data: bytes) -> list[float | int | bool]:
        codes = {"f8": "d", "f4": "f", "f2": "e", "i8": "q", "i4": "i", "i2": "h", "i1": "b", "u8": "Q",
                 "u4": "I", "u2": "H", "u1": "B", "b1": "?"}  # fmt: skip
        if self.name not in codes:
            raise UnsafeCheckpointError(
                f"numpy values of dtype {self.name!r} are not read (only numbers and bools)"
            )
        code = codes[self.name]
        return list(struct.unpack(f"{self.byteorder}{len(data) // struct.calcsize(code)}{code}", data))


def _numpy_scalar(dtype: _DType, data: bytes) -> float | int | bool:
    return dtype.unpack(data)[0]


class _NDArray:
    """A numpy array as data; ``plain`` turns it into nested lists."""

    def __init__(self, *_: Any) -> None:
        self.shape: tuple[int, ...] = ()
        self.values: list[Any] = []

    def __setstate__(self, state: tuple) -> None:
        _, shape, dtype, _fortran, raw = state
        if not isinstance(dtype, _DType) or not isinstance(raw, bytes):
            raise UnsafeCheckpointError("a numpy array of objects (only arrays of numbers are read)")
        self.shape, self.values = tuple(shape), dtype.unpack(raw)

    def tolist(self) -> Any:
        values = self.values
        for size in reversed(self.shape[1:]):
            values = [values[i : i + size] for i in range(0, len(values), size)]
        return values if self.shape else values[0]


class _PlainDict(dict):
    """``dnnlib.EasyDict`` (a dict with attribute access) as a plain dict."""

    def __setstate__(self, state: Any) -> None:
        pass


_GLOBALS: dict[tuple[str, str], Callable[..., Any] | type] = {
    _PERSISTENCE: _persistent_object,
    ("collections", "OrderedDict"): OrderedDict,
    ("torch._utils", "_rebuild_tensor_v2"): torch._utils._rebuild_tensor_v2,
    ("torch._utils", "_rebuild_parameter"): torch._utils._rebuild_parameter,
    ("torch.storage", "_load_from_bytes"): _storage_from_bytes,
    ("numpy", "dtype"): _DType,
    ("numpy", "ndarray"): _NDArray,
    ("dnnlib.util", "EasyDict"): _PlainDict,
    **{(core, "scalar"): _numpy_scalar for core in _NUMPY_CORE},
    **{(core, "_reconstruct"): _NDArray for core in _NUMPY_CORE},
}


class _RestrictedUnpickler(pickle.Unpickler):
    def __init__(self, file: io.BufferedIOBase, source: str) -> None:
        super().__init__(file)
        self.source = source

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _GLOBALS:
            return _GLOBALS[(module, name)]
        raise UnsafeCheckpointError(
            f"{self.source} asks for the global {module}.{name}, which network pickles of "
            "stylegan2-ada-pytorch and stylegan3 do not use; it was not loaded (ganzoo runs no code from a "
            "pickle)"
        )

    def persistent_load(self, pid: Any) -> Any:
        raise UnsafeCheckpointError(f"{self.source} uses pickle persistent ids, which network pickles do not")


def plain(value: Any) -> Any:
    """Python data from what the unpickler made: dicts, lists, numbers, strings, None."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, _NDArray):
        return value.tolist()
    return value


def is_network_pickle(path: Path) -> bool:
    """Whether ``path`` is a pickle that rebuilds ``torch_utils.persistence`` objects (read, not run)."""
    with open(path, "rb") as f:
        head = f.read(2)
        if len(head) < 2 or head[0] != 0x80 or head[1] < 2:  # pickle protocol >= 2
            return False
        data = head + f.read()
    strings: list[str] = []
    try:
        for opcode, arg, _ in pickletools.genops(data):
            if opcode.name == "GLOBAL" and str(arg) == " ".join(_PERSISTENCE):
                return True
            if isinstance(arg, str):
                strings = [*strings[-1:], arg]
            if opcode.name == "STACK_GLOBAL" and tuple(strings) == _PERSISTENCE:
                return True
    except (ValueError, EOFError):
        return False
    return False


def read_network_pickle(path: Path) -> dict[str, Any]:
    """The pickled dict, its networks as ``PersistentObject`` records."""
    with open(path, "rb") as f:
        try:
            data = _RestrictedUnpickler(f, str(path)).load()
        except UnsafeCheckpointError:
            raise
        except Exception as err:  # a damaged or foreign file: say which, and how it failed
            raise ValueError(
                f"{path} is not a readable NVIDIA network pickle: {type(err).__name__}: {err}"
            ) from err
    if not isinstance(data, dict) or not isinstance(data.get("G_ema"), PersistentObject):
        raise ValueError(
            f"{path} is a pickle without a 'G_ema' network; expected a stylegan2-ada-pytorch or stylegan3 "
            "network pickle"
        )
    return data


# Options that change only speed or memory layout (fp16 blocks, channels-last, Freeze-D): the outputs in
# float32 do not depend on them, and ganzoo's modules do not take them.
_SPEED_ONLY = {"num_fp16_res", "fp16_channels_last", "channels_last", "freeze_layers"}


def _without_speed_options(kwargs: dict[str, Any]) -> dict[str, Any]:
    return {
        k: (_without_speed_options(v) if isinstance(v, dict) else v)
        for k, v in kwargs.items()
        if k not in _SPEED_ONLY
    }


def network_kind(g_ema: PersistentObject) -> str:
    """``"stylegan3"`` when the synthesis network starts from Fourier features, else ``"stylegan2"``."""
    synthesis = g_ema.children.get("synthesis")
    if not isinstance(synthesis, PersistentObject):
        raise ValueError(f"G_ema ({g_ema.class_name}) has no synthesis network")
    return "stylegan3" if "input" in synthesis.children else "stylegan2"


def generator_config(g_ema: PersistentObject) -> dict[str, Any]:
    """The paper's generator arguments from NVIDIA's ``Generator`` init kwargs (stylegan2-ada-pytorch nests
    the synthesis arguments in ``synthesis_kwargs``; stylegan3 passes them flat)."""
    kwargs = _without_speed_options(g_ema.init_kwargs)
    synthesis = {**kwargs.pop("synthesis_kwargs", {})}
    core = {k: kwargs.pop(k) for k in ("z_dim", "c_dim", "w_dim", "img_resolution", "img_channels")}
    core["mapping_kwargs"] = kwargs.pop("mapping_kwargs", {})
    synthesis.update(kwargs)
    core["synthesis_kwargs"] = synthesis
    return core


def describe(path: Path) -> tuple[str, dict[str, Any]]:
    """The paper class and init_args of the model a network pickle holds: ``StyleGAN2`` or ``StyleGAN3``,
    with D (and G beside G_ema, so that training can resume) when the file has them."""
    data = read_network_pickle(path)
    return _describe(data)


def _describe(data: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    g_ema = data["G_ema"]
    init_args = generator_config(g_ema)
    d = data.get("D")
    if isinstance(d, PersistentObject) and isinstance(data.get("G"), PersistentObject):
        init_args["discriminator_kwargs"] = _discriminator_config(d)
    else:
        init_args["generator_only"] = True
    return (STYLEGAN3 if network_kind(g_ema) == "stylegan3" else STYLEGAN2), init_args


def _discriminator_config(d: PersistentObject) -> dict[str, Any]:
    kwargs = _without_speed_options(d.init_kwargs)
    for k in ("c_dim", "img_resolution", "img_channels"):
        kwargs.pop(k, None)
    return kwargs


_MAPPING_DEFAULTS = {"embed_features": None, "layer_features": None, "activation": "lrelu",
                     "lr_multiplier": 0.01, "w_avg_beta": 0.998}  # fmt: skip
_DEFAULTS: dict[str, dict[str, dict[str, Any]]] = {
    "stylegan2": {
        "mapping_kwargs": {"num_layers": 8, **_MAPPING_DEFAULTS},
        "synthesis_kwargs": {"channel_base": 32768, "channel_max": 512, "architecture": "skip",
                             "resample_filter": [1, 3, 3, 1], "conv_clamp": 256, "use_noise": True,
                             "activation": "lrelu", "kernel_size": 3, "fused_modconv_default": True},
    },
    "stylegan3": {
        "mapping_kwargs": {"num_layers": 2, **_MAPPING_DEFAULTS},
        "synthesis_kwargs": {"channel_base": 32768, "channel_max": 512, "num_layers": 14, "num_critical": 2,
                             "first_cutoff": 2, "first_stopband": 2**2.1, "last_stopband_rel": 2**0.3,
                             "margin_size": 10, "output_scale": 0.25, "conv_kernel": 3, "filter_size": 6,
                             "lrelu_upsampling": 2, "use_radial_filters": False, "conv_clamp": 256},
    },
}  # fmt: skip
# Options that only set how fast a training statistic is tracked; they do not change the outputs.
_TRAINING_ONLY = {"magnitude_ema_beta", "fused_modconv_default"}


def _effective(kind: str, args: Mapping[str, Any]) -> dict[str, Any]:
    """The generator arguments that decide its outputs, with the networks' defaults filled in."""
    out: dict[str, Any] = {
        k: args.get(k) for k in ("z_dim", "c_dim", "w_dim", "img_resolution", "img_channels")
    }
    for part, defaults in _DEFAULTS[kind].items():
        given = {k: v for k, v in (args.get(part) or {}).items() if k not in _TRAINING_ONLY}
        out[part] = {**{k: v for k, v in defaults.items() if k not in _TRAINING_ONLY}, **plain(given)}
    return out


def convert(path: Path, init_args: Mapping[str, Any]) -> dict[str, Tensor]:
    """The state dict of the paper model ``init_args`` builds: G_ema as ``generator`` for a generator-only
    model, else G, G_ema and D in their places. Fails, naming both, when the file holds another network."""
    data = read_network_pickle(path)
    _, described = _describe(data)
    kind = network_kind(data["G_ema"])
    mine, theirs = _effective(kind, described), _effective(kind, init_args)
    if theirs != mine:
        raise ValueError(
            f"{path} holds a generator with arguments {mine}, but the model to load it into has {theirs}"
        )
    # A converted network starts a fresh run: step counters and training statistics at zero.
    out = {name: torch.zeros((), dtype=torch.long) for name in ("num_d_steps", "num_g_steps")}
    out.update({"pl_mean": torch.zeros(()), "ada_signs": torch.zeros(2)})
    if init_args.get("generator_only", False):
        return {**out, **{f"generator.{k}": v for k, v in data["G_ema"].state_dict().items()}}
    for key in ("G", "D"):
        if not isinstance(data.get(key), PersistentObject):
            raise ValueError(f"{path} has no {key!r} network, so it loads only with generator_only=True")
    out.update({f"generator.{k}": v for k, v in data["G"].state_dict().items()})
    out.update({f"generator_ema.{k}": v for k, v in data["G_ema"].state_dict().items()})
    out.update({f"discriminator.{k}": v for k, v in data["D"].state_dict().items()})
    return out
