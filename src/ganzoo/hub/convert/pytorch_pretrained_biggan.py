"""``pytorch-pretrained-biggan``'s ``pytorch_model.bin``: DeepMind's BigGAN-deep generators (TF Hub) as
converted by Hugging Face, read with ``torch.load(weights_only=True)``.

Only the generator was published; its state dict is renamed to ``BigGANDeepGenerator``'s keys. Two tensors
change layout: the class embedding is stored as a linear map on one-hot vectors (transposed here to an
embedding table), and the first linear layer emits TF's (4, 4, C) order, whose rows are permuted here to
PyTorch's (C, 4, 4) so that G reshapes without a transpose. Permuting rows (and the matching entries of
spectral norm's ``u``) leaves sigma, hence every output, unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch
from torch import Tensor

from ganzoo.hub.convert.biggan_pytorch import model_state, read_state_dict

_SN = ("weight_orig", "weight_u", "weight_v")
_ATTENTION = {"snconv1x1_theta": "theta", "snconv1x1_phi": "phi", "snconv1x1_g": "g", "snconv1x1_o_conv": "o"}
_BN = {"scale": "gain", "offset": "bias"}


def _rename(key: str) -> str:
    """Our name for a key below the reference's ``generator.`` (the TF-layout tensors are handled apart)."""
    if m := re.fullmatch(r"layers\.(\d+)\.bn_(\d)\.(scale|offset)\.(\w+)", key):
        return f"blocks.{m[1]}.bn{int(m[2]) + 1}.{_BN[m[3]]}.{m[4]}"
    if m := re.fullmatch(r"layers\.(\d+)\.(bn|conv)_(\d)\.(\w+)", key):
        return f"blocks.{m[1]}.{m[2]}{int(m[3]) + 1}.{m[4]}"
    if m := re.fullmatch(rf"layers\.(\d+)\.({'|'.join(_ATTENTION)})\.(\w+)", key):
        return f"blocks.{m[1]}.{_ATTENTION[m[2]]}.{m[3]}"
    if m := re.fullmatch(r"layers\.(\d+)\.gamma", key):
        return f"blocks.{m[1]}.gamma"
    if m := re.fullmatch(r"bn\.(running_means|running_vars|weight|bias)", key):
        return f"output_bn.{m[1]}"
    if m := re.fullmatch(r"conv_to_rgb\.(\w+)", key):
        return f"output_conv.{m[1]}"
    raise ValueError(
        f"unexpected key 'generator.{key}' in a pytorch-pretrained-biggan checkpoint; this converter reads "
        "the BigGAN-deep generators of pytorch-pretrained-biggan 0.1.x"
    )


def generator_state(reference: Mapping[str, Tensor]) -> dict[str, Tensor]:
    """The reference ``BigGAN``'s state dict as ``BigGANDeepGenerator``'s."""
    if "embeddings.weight" not in reference or "generator.gen_z.weight_orig" not in reference:
        raise ValueError(
            "not a pytorch-pretrained-biggan BigGAN state dict: it lacks 'embeddings.weight' and "
            f"'generator.gen_z.weight_orig' (first keys: {list(reference)[:3]})"
        )
    out = {"embed.weight": reference["embeddings.weight"].t().contiguous()}
    rows = reference["generator.gen_z.weight_orig"].shape[0]
    if rows % 16:
        raise ValueError(f"generator.gen_z has {rows} outputs, not a 4x4 map of channels")
    # TF order is (h, w, c); ours is (c, h, w): our row c*16 + p takes TF row p*C + c.
    tf_rows = torch.arange(rows).view(16, rows // 16).t().reshape(-1)
    for name in (*_SN, "bias"):
        tensor = reference[f"generator.gen_z.{name}"]
        out[f"linear.{name}"] = tensor if name == "weight_v" else tensor[tf_rows].contiguous()
    for key, tensor in reference.items():
        if key == "embeddings.weight" or key.startswith("generator.gen_z."):
            continue
        if not key.startswith("generator."):
            raise ValueError(f"unexpected key {key!r} in a pytorch-pretrained-biggan checkpoint")
        name = _rename(key.removeprefix("generator."))
        out[name] = tensor.reshape(()) if name.endswith(".gamma") else tensor
    return out


def convert(path: Path, init_args: Mapping[str, Any]) -> dict[str, Tensor]:
    """Keys of ``ganzoo.models.BigGANDeep``, laid out as for ``BigGAN`` (G, its EMA copy, step counters)."""
    return model_state(generator_state(read_state_dict(path)), init_args)
