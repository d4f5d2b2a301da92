"""The full-size published configurations build on the meta device with the authors' state-dict keys and
shapes. The manifests are derived here, independently of ganzoo's modules, from the construction rules of
NVIDIA's ``networks_stylegan2.py`` / ``networks_stylegan3.py`` (channel formulas, block and layer names,
the layer schedule computed with numpy as the authors do)."""

from __future__ import annotations

import numpy as np
import torch

from ganzoo.nn.stylegan2 import StyleGAN2Discriminator, StyleGAN2Generator
from ganzoo.nn.stylegan3 import StyleGAN3Generator

Manifest = dict[str, tuple[int, ...]]


def _fc(prefix: str, fan_in: int, fan_out: int, bias: bool = True) -> Manifest:
    out = {f"{prefix}.weight": (fan_out, fan_in)}
    return {**out, f"{prefix}.bias": (fan_out,)} if bias else out


def _mapping(z: int, w: int, layers: int) -> Manifest:
    out: Manifest = {"mapping.w_avg": (w,)}
    for i in range(layers):
        out.update(_fc(f"mapping.fc{i}", z if i == 0 else w, w))
    return out


def stylegan2_config_f_generator(res: int = 1024) -> Manifest:
    ch = {r: min(32768 // r, 512) for r in [2**i for i in range(2, 11)]}
    out = _mapping(512, 512, 8)
    for r in [2**i for i in range(2, int(np.log2(res)) + 1)]:
        b = f"synthesis.b{r}"
        out[f"{b}.resample_filter"] = (4, 4)
        if r == 4:
            out[f"{b}.const"] = (ch[4], 4, 4)
        convs = ["conv1"] if r == 4 else ["conv0", "conv1"]
        for name in convs:
            cin = ch[r // 2] if name == "conv0" else ch[r]
            out.update(_fc(f"{b}.{name}.affine", 512, cin))
            out[f"{b}.{name}.weight"] = (ch[r], cin, 3, 3)
            out[f"{b}.{name}.bias"] = (ch[r],)
            out[f"{b}.{name}.noise_strength"] = ()
            out[f"{b}.{name}.noise_const"] = (r, r)
            out[f"{b}.{name}.resample_filter"] = (4, 4)
        out.update(_fc(f"{b}.torgb.affine", 512, ch[r]))
        out[f"{b}.torgb.weight"] = (3, ch[r], 1, 1)
        out[f"{b}.torgb.bias"] = (3,)
    return out


def stylegan2_config_f_discriminator(res: int = 1024) -> Manifest:
    ch = {r: min(32768 // r, 512) for r in [2**i for i in range(2, 11)]}
    out: Manifest = {}
    for r in [2**i for i in range(int(np.log2(res)), 2, -1)]:
        b = f"b{r}"
        out[f"{b}.resample_filter"] = (4, 4)
        layers = {"conv0": (ch[r], ch[r], 3), "conv1": (ch[r // 2], ch[r], 3), "skip": (ch[r // 2], ch[r], 1)}
        if r == res:
            layers["fromrgb"] = (ch[r], 3, 1)
        for name, (cout, cin, k) in layers.items():
            out[f"{b}.{name}.weight"] = (cout, cin, k, k)
            out[f"{b}.{name}.resample_filter"] = (4, 4)
            if name != "skip":
                out[f"{b}.{name}.bias"] = (cout,)
    out["b4.conv.weight"], out["b4.conv.bias"] = (512, 513, 3, 3), (512,)
    out["b4.conv.resample_filter"] = (4, 4)
    out.update(_fc("b4.fc", 512 * 16, 512))
    out.update(_fc("b4.out", 512, 1))
    return out


def stylegan3_t_generator(res: int = 1024) -> Manifest:
    """networks_stylegan3.SynthesisNetwork's schedule, in numpy as the authors compute it."""
    num_layers, num_critical, margin = 14, 2, 10
    last_cutoff = res / 2
    exponents = np.minimum(np.arange(num_layers + 1) / (num_layers - num_critical), 1)
    cutoffs = 2 * (last_cutoff / 2) ** exponents
    stopbands = 2**2.1 * (last_cutoff * 2**0.3 / 2**2.1) ** exponents
    rates = np.exp2(np.ceil(np.log2(np.minimum(stopbands * 2, res))))
    sizes = rates + margin * 2
    sizes[-2:] = res
    channels = np.rint(np.minimum((32768 / 2) / cutoffs, 512))
    channels[-1] = 3
    c0 = int(channels[0])
    out = _mapping(512, 512, 2)
    out.update({"synthesis.input.weight": (c0, c0), "synthesis.input.transform": (3, 3)})
    out.update({"synthesis.input.freqs": (c0, 2), "synthesis.input.phases": (c0,)})
    out.update(_fc("synthesis.input.affine", 512, 4))
    for i in range(num_layers + 1):
        prev = max(i - 1, 0)
        cin, cout, torgb = int(channels[prev]), int(channels[i]), i == num_layers
        name = f"synthesis.L{i}_{int(sizes[i])}_{cout}"
        k = 1 if torgb else 3
        out.update(_fc(f"{name}.affine", 512, cin))
        out.update(
            {f"{name}.weight": (cout, cin, k, k), f"{name}.bias": (cout,), f"{name}.magnitude_ema": ()}
        )
        tmp = max(rates[prev], rates[i]) * (1 if torgb else 2)
        up, down = int(np.rint(tmp / rates[prev])), int(np.rint(tmp / rates[i]))
        if up > 1 and not torgb:
            out[f"{name}.up_filter"] = (6 * up,)
        if down > 1 and not torgb:
            out[f"{name}.down_filter"] = (6 * down,)
    return out


def shapes(module: torch.nn.Module) -> Manifest:
    return {k: tuple(v.shape) for k, v in module.state_dict().items()}


def test_stylegan2_config_f_1024_matches_key_for_key() -> None:
    with torch.device("meta"):
        g = StyleGAN2Generator(512, 0, 512, 1024, 3, {"num_layers": 8})
        d = StyleGAN2Discriminator(0, 1024, 3)
    assert shapes(g) == stylegan2_config_f_generator()
    assert shapes(d) == stylegan2_config_f_discriminator()
    assert g.num_ws == 18
    # The parameter count NVIDIA's training log prints for the config F 1024 generator.
    assert sum(p.numel() for p in g.parameters()) == 30_370_060


def test_stylegan3_t_1024_matches_key_for_key() -> None:
    with torch.device("meta"):
        g = StyleGAN3Generator(512, 0, 512, 1024, 3, {"num_layers": 2})
    expected = stylegan3_t_generator()
    assert shapes(g) == expected
    assert g.num_ws == 16 and "synthesis.L14_1024_3.weight" in expected
