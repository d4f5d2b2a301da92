"""BigGAN-PyTorch's generator files (``G_ema.pth`` / ``G.pth``: ``torch.save(G.state_dict())``) -> ``BigGAN``.

The authors' layout differs from ours in three ways. Their spectral norm keeps the raw ``weight``, one
power-iteration vector ``u0`` and a logged ``sv0``, and in eval mode runs one power iteration it does not
store; ``biggan_pytorch_sn_state`` turns that into torch's ``weight_orig`` / ``weight_u`` / ``weight_v`` with
the same eval-time sigma. Their batch norms keep ``stored_mean`` / ``stored_var`` (and the output one its
affine ``gain`` / ``bias``), torch's ``running_mean`` / ``running_var`` / ``weight`` / ``bias``. And a
resolution's attention is the second module of ``blocks.<i>`` where ours is ``attentions.<i>``.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch
from torch import Tensor

from ganzoo.hub.convert.torch_file import load_plain
from ganzoo.nn.spectral_norm import biggan_pytorch_sn_state

_BN_LEAVES = {"stored_mean": "running_mean", "stored_var": "running_var", "gain": "weight", "bias": "bias"}


def read_state_dict(path: Path) -> dict[str, Any]:
    """The top-level mapping of a ``.pth`` file, refusing anything only code execution could rebuild."""
    state = load_plain(path)
    if not isinstance(state, Mapping):
        raise ValueError(f"{path} holds a {type(state).__name__}, not the state dict of a BigGAN generator")
    return dict(state)


def group_layers(state: Mapping[str, Tensor]) -> dict[str, dict[str, Tensor]]:
    """``{"a.b.weight": t}`` -> ``{"a.b": {"weight": t}}``: one entry per module."""
    layers: dict[str, dict[str, Tensor]] = {}
    for key, tensor in state.items():
        if not isinstance(tensor, Tensor):
            raise ValueError(f"entry {key!r} is a {type(tensor).__name__}, not a tensor")
        prefix, _, leaf = key.rpartition(".")
        layers.setdefault(prefix, {})[leaf] = tensor
    return layers


def sn_to_torch(tensors: Mapping[str, Tensor], sn_eps: float) -> dict[str, Tensor]:
    """An authors'-style SN layer (``weight``, ``u0``, ``sv0``, maybe ``bias``) in torch's SN keys."""
    if set(tensors) - {"weight", "bias", "u0", "sv0"} or "weight" not in tensors:
        raise ValueError(
            f"a spectrally-normalized layer holds weight, u0, sv0 (and bias), not {sorted(tensors)}"
        )
    out = biggan_pytorch_sn_state(tensors["weight"], tensors["u0"], eps=sn_eps)
    if "bias" in tensors:
        out["bias"] = tensors["bias"]
    return out


def with_batch_count(bn: dict[str, Tensor]) -> dict[str, Tensor]:
    """BatchNorm2d also keeps ``num_batches_tracked``: 0 where the source has none (eval ignores it)."""
    bn.setdefault("num_batches_tracked", torch.zeros((), dtype=torch.long))
    return bn


def _target(prefix: str) -> str:
    """Our module name for one of the authors' generator modules."""
    if prefix in ("shared", "linear"):
        return prefix
    if prefix == "output_layer.0":
        return "output_bn"
    if prefix == "output_layer.2":
        return "output_conv"
    if m := re.fullmatch(
        r"blocks\.(\d+)\.0\.(conv1|conv2|conv_sc|bn1|bn2|bn1\.gain|bn1\.bias|bn2\.gain|bn2\.bias)", prefix
    ):
        return f"blocks.{m[1]}.{m[2]}"
    if m := re.fullmatch(r"blocks\.(\d+)\.1(\.theta|\.phi|\.g|\.o|)", prefix):
        return f"attentions.{m[1]}{m[2]}"
    raise ValueError(
        f"unexpected module {prefix!r} in a BigGAN-PyTorch generator state dict; this converter reads the "
        "Generator of BigGAN.py (trained without --mybn / --cross_replica)"
    )


def generator_state(state: Mapping[str, Tensor], sn_eps: float) -> dict[str, Tensor]:
    """The authors' ``Generator`` state dict as ``BigGANGenerator``'s."""
    if "linear.u0" not in state:
        raise ValueError(
            "not a BigGAN-PyTorch generator state dict: it has no 'linear.u0' (first keys: "
            f"{list(state)[:3]}); mmgeneration's converted copies use the format 'mmgen-biggan'"
        )
    out: dict[str, Tensor] = {}
    for prefix, tensors in group_layers(state).items():
        name = _target(prefix)
        if "u0" in tensors:
            layer = sn_to_torch(tensors, sn_eps)
        elif "stored_mean" in tensors:
            layer = with_batch_count({_BN_LEAVES[k]: v for k, v in tensors.items()})
            name = name if name == "output_bn" else f"{name}.bn"
        else:  # the shared embedding, attention's gamma
            layer = dict(tensors)
        out.update({f"{name}.{leaf}": tensor for leaf, tensor in layer.items()})
    return out


def biggan_arg(init_args: Mapping[str, Any], name: str) -> Any:
    """An argument of the ``BigGAN`` that ``init_args`` builds: given, or the class's default."""
    from ganzoo.models.biggan import BigGAN  # the models import nn, which converters should not load eagerly

    return init_args[name] if name in init_args else inspect.signature(BigGAN).parameters[name].default


def model_state(generator: Mapping[str, Tensor], init_args: Mapping[str, Any]) -> dict[str, Tensor]:
    """Keys of ``ganzoo.models.BigGAN``: the generator, its EMA copy when the model keeps one, and the step
    counters, at 0 (a converted generator starts a fresh run)."""
    out = {f"generator.{k}": v for k, v in generator.items()}
    out.update({name: torch.zeros((), dtype=torch.long) for name in ("num_d_steps", "num_g_steps")})
    if biggan_arg(init_args, "ema_decay") is not None:
        out.update({f"generator_ema.{k}": v.clone() for k, v in generator.items()})
    return out


def convert(path: Path, init_args: Mapping[str, Any]) -> dict[str, Tensor]:
    return model_state(generator_state(read_state_dict(path), biggan_arg(init_args, "sn_eps")), init_args)
