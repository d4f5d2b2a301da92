"""mmgeneration's BigGAN checkpoints (``BigGANGenerator``, e.g. its converted copy of BigGAN-PyTorch's
ImageNet 128 weights) -> ``BigGAN``.

An mmcv checkpoint holds ``{"state_dict": ..., "meta": ...}`` with the whole model under ``generator.`` /
``generator_ema.`` / ``discriminator.``; we take the EMA generator when there is one, else the generator (a
bare generator state dict is read as well). mmgeneration names G's modules ``noise2feat``,
``shared_embedding``, ``conv_blocks.<k>`` (residual blocks and attention blocks in one list) and
``output_layer``, with convolutions one level down (``conv1.conv``, ``shortcut.conv``). Its spectral norm is
torch's (``weight_orig`` / ``weight_u`` / ``weight_v``, ``sn_style="torch"``, the style of the converted
copies) or the authors' (``weight`` / ``u0`` / ``sv0``, ``sn_style="ajbrock"``); the second is converted as
BigGAN-PyTorch's files are. Its output channels are RGB (mmgeneration flips them with ``rgb2bgr``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from torch import Tensor

from ganzoo.hub.convert.biggan_pytorch import (
    biggan_arg,
    group_layers,
    model_state,
    read_state_dict,
    sn_to_torch,
    with_batch_count,
)
from ganzoo.nn.biggan import generator_resolutions

_BLOCK_MODULES = {"conv1.conv": "conv1", "conv2.conv": "conv2", "shortcut.conv": "conv_sc"}
_ATTENTION_MODULES = ("", "theta.conv", "phi.conv", "g.conv", "o.conv")  # "": the block's own gamma


def generator_of(checkpoint: Mapping[str, Any]) -> dict[str, Tensor]:
    """The generator's tensors, without their ``generator_ema.`` / ``generator.`` prefix."""
    state = checkpoint.get("state_dict", checkpoint)
    if not isinstance(state, Mapping):
        raise ValueError(f"the checkpoint's 'state_dict' is a {type(state).__name__}, not a mapping")
    for prefix in ("generator_ema.", "generator."):
        if any(k.startswith(prefix) for k in state):
            return {k.removeprefix(prefix): v for k, v in state.items() if k.startswith(prefix)}
    return dict(state)


def conv_block_targets(init_args: Mapping[str, Any]) -> list[str]:
    """Our module for each index of mmgeneration's ``conv_blocks``: attention follows its block there."""
    attention = set(biggan_arg(init_args, "g_attention"))
    targets = []
    for index, resolution in enumerate(generator_resolutions(biggan_arg(init_args, "image_size"))):
        targets.append(f"blocks.{index}")
        if resolution in attention:
            targets.append(f"attentions.{index}")
    return targets


def _target(prefix: str, blocks: list[str]) -> str:
    if prefix in ("noise2feat", "shared_embedding"):
        return "linear" if prefix == "noise2feat" else "shared"
    if prefix in ("output_layer.conv", "output_layer.bn"):
        return "output_conv" if prefix.endswith("conv") else "output_bn"
    if m := re.fullmatch(r"conv_blocks\.(\d+)(?:\.(.+))?", prefix):
        index, inner = int(m[1]), m[2] or ""
        block = blocks[index] if index < len(blocks) else ""
        if block.startswith("attentions.") and inner in _ATTENTION_MODULES:
            return f"{block}.{inner.removesuffix('.conv')}".rstrip(".")
        if block.startswith("blocks.") and inner in _BLOCK_MODULES:
            return f"{block}.{_BLOCK_MODULES[inner]}"
        if block.startswith("blocks.") and re.fullmatch(r"bn[12]\.(gain|bias|bn)", inner):
            return f"{block}.{inner}"
    raise ValueError(
        f"unexpected module 'generator.{prefix}' in an mmgeneration BigGAN checkpoint for a model with "
        f"blocks {blocks}; check image_size and g_attention in the entry's init_args"
    )


def generator_state(generator: Mapping[str, Tensor], init_args: Mapping[str, Any]) -> dict[str, Tensor]:
    """mmgeneration's ``BigGANGenerator`` state dict as ``BigGANGenerator``'s."""
    if not any(k.startswith("noise2feat.") for k in generator):
        raise ValueError(
            "not an mmgeneration BigGAN generator: it has no 'noise2feat' layer (first keys: "
            f"{list(generator)[:3]}); BigGAN-PyTorch's own files use the format 'biggan-pytorch'"
        )
    blocks, sn_eps = conv_block_targets(init_args), biggan_arg(init_args, "sn_eps")
    out: dict[str, Tensor] = {}
    for prefix, tensors in group_layers(generator).items():
        name = _target(prefix, blocks)
        if "u0" in tensors:
            layer = sn_to_torch(tensors, sn_eps)
        elif "running_mean" in tensors:
            layer = with_batch_count(dict(tensors))
        else:
            layer = dict(tensors)
        out.update({f"{name}.{leaf}": tensor for leaf, tensor in layer.items()})
    return out


def convert(path: Path, init_args: Mapping[str, Any]) -> dict[str, Tensor]:
    return model_state(generator_state(generator_of(read_state_dict(path)), init_args), init_args)
