"""facebookresearch/pytorch_GAN_zoo's ``.pth`` files (its torch.hub ``PGAN`` models), read running no code.

``ProgressiveGAN.save`` writes ``torch.save({'config': BaseConfig, 'netG', 'netD', 'avgG'})``. The three
networks are plain state dicts; ``config`` is an instance of the repository's own attribute bag
``models.utils.config.BaseConfig``, which ``torch.load(weights_only=True)`` refuses as an unknown global. We
allow exactly that one name, rebuilt as ``_BaseConfig`` (which keeps the attributes as a dict of plain data
and nothing else); every other global is refused by torch's weights-only unpickler, and we name it.

Their layers compute ``(conv(x, w) + b) * c`` with He's constant ``c = sqrt(2 / fan_in)``; ours
(``nn.progan``) scale the weight alone, so each bias is multiplied by ``c`` here. Their ``alpha`` is the
weight of the lower-resolution path while a level fades in (0 once grown), ours that of the new level.
``avgG`` (their moving average, what the hub models sample with) becomes ``generator_ema``.
"""

from __future__ import annotations

import math
import pickle
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch
from torch import Tensor

from ganzoo.hub.errors import UnsafeCheckpointError

CONFIG_GLOBAL = "models.utils.config.BaseConfig"
MODEL = "ganzoo.models.ProGAN"
NETWORKS = ("netG", "netD", "avgG")
_PLAIN = (bool, int, float, str, type(None))


def _is_plain(value: Any) -> bool:
    if isinstance(value, list | tuple):
        return all(_is_plain(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _is_plain(v) for k, v in value.items())
    return isinstance(value, _PLAIN)


class _BaseConfig:
    """Stands in for pytorch_GAN_zoo's ``BaseConfig`` while unpickling: its attributes, as plain data."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def __setstate__(self, state: Any) -> None:
        if not isinstance(state, dict) or not _is_plain(state):
            raise pickle.UnpicklingError(f"{CONFIG_GLOBAL} holds something other than plain data")
        self.values = dict(state)


def read_file(path: Path) -> dict[str, Any]:
    """``{'config': dict, 'netG': ..., 'netD': ..., 'avgG': ...}`` of a pytorch_GAN_zoo file, no code run."""
    try:
        with torch.serialization.safe_globals([(_BaseConfig, CONFIG_GLOBAL)]):
            raw = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as err:
        found = re.search(r"GLOBAL (\S+)", str(err))
        what = f"the global {found[1]}" if found else str(err).splitlines()[0]
        raise UnsafeCheckpointError(
            f"refusing to load {path}: it needs {what}, which only code could rebuild; a pytorch_GAN_zoo "
            f"file holds tensors, plain data and {CONFIG_GLOBAL} alone, and ganzoo runs no code from a file."
        ) from err
    if not isinstance(raw, dict) or not isinstance(raw.get("config"), _BaseConfig):
        raise ValueError(
            f"{path} is not a pytorch_GAN_zoo checkpoint: expected a dict with a BaseConfig 'config'"
        )
    for name in NETWORKS:
        state = raw.get(name)
        if not isinstance(state, Mapping) or not all(isinstance(v, Tensor) for v in state.values()):
            raise ValueError(f"{path} is not a pytorch_GAN_zoo checkpoint: its {name!r} is not a state dict")
    return {"config": raw["config"].values, **{name: dict(raw[name]) for name in NETWORKS}}


def init_args_of(config: Mapping[str, Any], origin: str) -> dict[str, Any]:
    """``ProGAN``'s arguments for a pytorch_GAN_zoo config; refuses what ``ProGAN`` does not build."""
    classes = config.get("categoryVectorDim", 0)
    if classes:
        raise ValueError(
            f"{origin} is class-conditional (AC-GAN over {classes} class inputs, e.g. the DTD model), which "
            "ganzoo's ProGAN does not build; only unconditional pytorch_GAN_zoo models load"
        )
    unsupported = {
        "equalizedlR": (config.get("equalizedlR", True), True),
        "perChannelNormalization": (config.get("perChannelNormalization", True), True),
        "leakyReluLeak": (config.get("leakyReluLeak", 0.2), 0.2),
    }
    for key, (value, needed) in unsupported.items():
        if value != needed:
            raise ValueError(f"{origin}: {key}={value!r}; ganzoo's ProGAN builds only {key}={needed!r}")
    if config.get("lossCriterion", "WGANGP") not in ("WGANGP", "Logistic"):
        raise ValueError(
            f"{origin}: lossCriterion={config['lossCriterion']!r} gives G a tanh output, which ganzoo's "
            "ProGAN does not have; only WGANGP and Logistic models load"
        )
    return {
        "latent_dim": int(config["latentVectorDim"]),
        "depths": [int(config["depthScale0"]), *map(int, config.get("depthOtherScales", []))],
        "channels": int(config.get("dimOutput", 3)),
        "minibatch_stddev": bool(config.get("miniBatchStdDev", False)),
    }


def _as_list(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def describe(path: Path) -> tuple[str, dict[str, Any]]:
    """The ganzoo class and arguments of a pytorch_GAN_zoo file, read from its own config."""
    return MODEL, init_args_of(read_file(path)["config"], str(path))


_RENAMES = (
    (r"formatLayer", "format_layer"),
    (r"groupScale0\.0", "scale0"),
    (r"scaleLayers\.(\d+)\.([01])", r"blocks.\1.conv\2"),
    (r"toRGBLayers\.(\d+)", r"to_rgb.\1"),
    (r"fromRGBLayers\.(\d+)", r"from_rgb.\1"),
    (r"groupScaleZero\.0", "scale0_conv"),
    (r"groupScaleZero\.1", "scale0_linear"),
    (r"decisionLayer", "decision"),
)


def network_state(state: Mapping[str, Tensor], origin: str) -> dict[str, Tensor]:
    """One of their networks' state dict in ``nn.progan``'s keys, biases rescaled by He's constant."""
    out = {}
    for key, tensor in state.items():
        layer, _, kind = key.rpartition(".module.")
        for pattern, replacement in _RENAMES:
            if re.fullmatch(pattern, layer):
                name = re.sub(pattern, replacement, layer)
                break
        else:
            raise ValueError(f"{origin}: unexpected key {key!r} for a pytorch_GAN_zoo ProGAN network")
        if kind == "bias":
            weight = state[f"{layer}.module.weight"]
            tensor = tensor * math.sqrt(2.0 / math.prod(weight.shape[1:]))
        elif kind != "weight":
            raise ValueError(f"{origin}: unexpected key {key!r} for a pytorch_GAN_zoo ProGAN network")
        out[f"{name}.{kind}"] = tensor
    return out


def convert(path: Path, init_args: Mapping[str, Any]) -> dict[str, Tensor]:
    """Keys of ``ganzoo.models.ProGAN`` (G, D, the EMA G, the growth state and step counters)."""
    raw = read_file(path)
    config = raw["config"]
    described = init_args_of(config, str(path))
    differ = [
        f"{k}: {init_args[k]!r} vs the file's {v!r}"
        for k, v in described.items()
        if k in init_args and _as_list(init_args[k]) != v
    ]
    if differ:
        raise ValueError(f"{path} was trained with other arguments than these: " + "; ".join(differ))
    level, alpha = len(described["depths"]) - 1, 1.0 - float(config.get("alpha", 0.0))
    out: dict[str, Tensor] = {}
    for name, prefix in (("netG", "generator."), ("netD", "discriminator."), ("avgG", "generator_ema.")):
        if name == "netD" and init_args.get("generator_only"):
            continue
        out.update({prefix + k: v for k, v in network_state(raw[name], f"{path} {name}").items()})
        out[prefix + "level"] = torch.tensor(level)
        out[prefix + "alpha"] = torch.tensor(alpha)
    # The growth clock at the point the file was saved, so that training on continues from there.
    per_stage = int(init_args.get("images_per_stage", 800_000))
    seen = 0 if level == 0 else round((2 * level - 1 + alpha) * per_stage)
    out["images_seen"] = torch.tensor(seen)
    out.update({name: torch.zeros((), dtype=torch.long) for name in ("num_d_steps", "num_g_steps")})
    return out
