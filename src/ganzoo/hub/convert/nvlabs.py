"""NVlabs/SPADE's ``latest_net_G.pth``: the generator's plain state dict (``torch.save(net.state_dict())``) in
the module layout of ``ganzoo.nn.spade``. Nothing is dropped: SPADE's parameter-free batch norms keep running
statistics with no affine weights (the pix2pix converter would take those for stray InstanceNorm entries);
``num_batches_tracked``, absent from their synchronised batch norm, is filled with 0 as PyTorch's loader does.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch
from torch import Tensor

from ganzoo.hub.convert.junyanz import PREFIX, read_state_dict


def convert(path: Path, init_args: Mapping[str, Any]) -> dict[str, Tensor]:
    state = read_state_dict(path)
    for layer in [k.removesuffix(".running_mean") for k in state if k.endswith(".running_mean")]:
        state.setdefault(f"{layer}.num_batches_tracked", torch.zeros((), dtype=torch.long))
    out = {PREFIX + key: value for key, value in state.items()}
    out.update({name: torch.zeros((), dtype=torch.long) for name in ("num_d_steps", "num_g_steps")})
    return out
