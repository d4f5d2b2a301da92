"""The ``.pth`` files of ``junyanz/pytorch-CycleGAN-and-pix2pix`` and ``junyanz/BicycleGAN``: one network's
plain state dict, as saved by ``torch.save(net.state_dict())``, in the module layout our networks share with
theirs. BicycleGAN publishes its encoder as a second such file, converted by ``convert_part`` under
``encoder.``.

The only renaming is the ``generator.`` prefix of the ganzoo model (whose step counters start at zero).
The CycleGAN files were written by a PyTorch (< 0.4) whose InstanceNorm kept running statistics; the
authors' loader drops those ``running_mean`` / ``running_var`` / ``num_batches_tracked`` entries, and so
do we - exactly those, recognised as statistics of a norm layer with no affine parameters in the file
(their InstanceNorm is not affine, their BatchNorm is). Files of that age also lack batch norm's
``num_batches_tracked``, which is filled with 0 as PyTorch's loader does. Anything else that does not fit
fails the strict key check of ``ganzoo.load``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch
from torch import Tensor

from ganzoo.hub.convert.torch_file import load_plain

PREFIX = "generator."
_STATISTICS = ("running_mean", "running_var", "num_batches_tracked")


def read_state_dict(path: Path) -> dict[str, Tensor]:
    """The tensors of a ``.pth`` state dict, refusing files that hold anything but plain data."""
    state = load_plain(path)
    if not isinstance(state, Mapping) or not all(
        isinstance(k, str) and isinstance(v, Tensor) for k, v in state.items()
    ):
        raise ValueError(
            f"{path} is not a pytorch-CycleGAN-and-pix2pix generator file: expected a state dict of tensors "
            f"(torch.save(net.state_dict())), got {type(state).__name__}"
        )
    return dict(state)


def instance_norm_statistics(state: Mapping[str, Tensor]) -> list[str]:
    """Keys of running statistics that belong to a non-affine norm layer (their InstanceNorm2d)."""
    return [
        key
        for key in state
        if key.rpartition(".")[2] in _STATISTICS and f"{key.rpartition('.')[0]}.weight" not in state
    ]


def missing_batch_counters(state: Mapping[str, Tensor]) -> list[str]:
    """``num_batches_tracked`` keys absent from batch-norm layers saved by PyTorch < 0.4, which had none."""
    layers = [key.removesuffix(".running_mean") for key in state if key.endswith(".running_mean")]
    return [
        f"{layer}.num_batches_tracked"
        for layer in layers
        if f"{layer}.weight" in state and f"{layer}.num_batches_tracked" not in state
    ]


def convert_part(path: Path, prefix: str) -> dict[str, Tensor]:
    """One network's file (a generator, or BicycleGAN's encoder), cleaned as above, under ``prefix``."""
    state = read_state_dict(path)
    for key in instance_norm_statistics(state):
        del state[key]
    for key in missing_batch_counters(state):  # filled with 0, as PyTorch's own loader does for old files
        state[key] = torch.zeros((), dtype=torch.long)
    return {prefix + key: value for key, value in state.items()}


def convert(path: Path, init_args: Mapping[str, Any]) -> dict[str, Tensor]:
    out = convert_part(path, PREFIX)
    # A released generator carries no training state; its step counters start at zero.
    out.update({name: torch.zeros((), dtype=torch.long) for name in ("num_d_steps", "num_g_steps")})
    return out
