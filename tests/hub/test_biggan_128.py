"""``biggan-128``: the published ImageNet 128x128 generator, checked against key/shape manifests of its files.

The files cannot be downloaded here, so tensors of the manifests' shapes stand in for the weights: every key
must be mapped, the result must fit ``BigGAN`` built from the catalog entry's arguments with nothing missing
or left over, and the converted spectral norm must give the authors' eval-time sigma.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

import ganzoo
from ganzoo.hub.build import build_model, load_weights
from ganzoo.hub.catalog import CATALOG, URL, Pretrained, get_entry
from ganzoo.hub.catalog.biggan import BIGGAN_128
from ganzoo.hub.convert import biggan_pytorch, mmgen_biggan
from ganzoo.hub.errors import WeightsNotFoundError
from ganzoo.hub.fetch import sha256_of
from ganzoo.nn.biggan import BigGANGenerator

from .biggan_128_manifest import G_EMA_128, MMGEN_G_128

SN_EPS = BIGGAN_128["sn_eps"]


@pytest.fixture(scope="module")
def authors_state() -> dict[str, torch.Tensor]:
    """Random tensors in the layout of BigGAN-PyTorch's G_ema.pth (positive variances)."""
    rng = torch.Generator().manual_seed(0)
    state = {k: torch.randn(shape, generator=rng) for k, shape in G_EMA_128.items()}
    for key in state:
        if key.endswith("stored_var"):
            state[key] = state[key].abs() + 0.5
    return state


def to_mmgen(authors: dict[str, torch.Tensor], sn_style: str) -> dict[str, torch.Tensor]:
    """The same weights in mmgeneration's layout, with torch's SN state or the authors' (``ajbrock``)."""
    blocks = {"0": "0", "1": "1", "2": "2", "3": "3", "4": "5"}
    out: dict[str, torch.Tensor] = {}
    layers = biggan_pytorch.group_layers(authors)
    for prefix, tensors in layers.items():
        parts = prefix.split(".")
        if prefix == "linear":
            name = "noise2feat"
        elif prefix == "shared":
            name = "shared_embedding"
        elif prefix == "output_layer.0":
            name = "output_layer.bn"
        elif prefix == "output_layer.2":
            name = "output_layer.conv"
        elif parts[2] == "1":  # attention of block 3, after it in conv_blocks
            name = ".".join(["conv_blocks.4", *parts[3:]]) + (".conv" if len(parts) > 3 else "")
        else:
            inner = ".".join(parts[3:])
            inner = {"conv1": "conv1.conv", "conv2": "conv2.conv", "conv_sc": "shortcut.conv"}.get(
                inner, inner
            )
            name = f"conv_blocks.{blocks[parts[1]]}.{inner}"
        if "u0" in tensors and sn_style == "torch":
            layer = biggan_pytorch.sn_to_torch(tensors, SN_EPS)
        elif "stored_mean" in tensors:
            renamed = {"stored_mean": "running_mean", "stored_var": "running_var", "gain": "weight"}
            layer = {renamed.get(k, k): v for k, v in tensors.items()}
            layer["num_batches_tracked"] = torch.tensor(7)
            name = name if name.startswith("output_layer") else f"{name}.bn"
        else:
            layer = dict(tensors)
        out.update({f"{name}.{leaf}": t for leaf, t in layer.items()})
    return out


def authors_sigma(weight: torch.Tensor, u0: torch.Tensor) -> torch.Tensor:
    """BigGAN-PyTorch's eval-time sigma: one unstored power iteration from u0 (layers.power_iteration)."""
    w = weight.reshape(weight.shape[0], -1)
    v = F.normalize(u0 @ w, eps=SN_EPS)
    u = F.normalize(v @ w.t(), eps=SN_EPS)
    return (v @ w.t() @ u.t()).squeeze()


@pytest.fixture(scope="module")
def generator_128() -> BigGANGenerator:
    """Our generator in the configuration of the published weights."""
    return BigGANGenerator(128, 1000, 120, 96, 128, True, (64,), sn_eps=SN_EPS, init=None)


def test_manifests_agree_with_the_architecture(generator_128) -> None:
    assert len(G_EMA_128) == 166 and len(MMGEN_G_128) == 177
    for key, shape in G_EMA_128.items():
        if key.endswith(".u0"):
            weight = G_EMA_128[key.removesuffix("u0") + "weight"]
            assert shape == (1, weight[0]), key
    trained = {
        k: s for k, s in G_EMA_128.items() if not k.endswith((".u0", ".sv0", "stored_mean", "stored_var"))
    }
    count = sum(torch.Size(s).numel() for s in trained.values())
    assert count == sum(p.numel() for p in generator_128.parameters()) == 70_433_988  # compare_gan pins it
    assert len(trained) == len(list(generator_128.parameters()))


def test_converter_maps_every_key_of_g_ema(authors_state, generator_128) -> None:
    converted = biggan_pytorch.generator_state(authors_state, SN_EPS)
    expected = generator_128.state_dict()
    assert converted.keys() == expected.keys()  # 166 + num_batches_tracked of the 11 batch norms = 177
    assert all(converted[k].shape == expected[k].shape for k in expected)
    by_shape: dict[torch.Size, list[torch.Tensor]] = {}
    for tensor in converted.values():
        by_shape.setdefault(tensor.shape, []).append(tensor)
    for key, tensor in authors_state.items():  # every weight, bias and statistic arrives unchanged
        if not key.endswith((".u0", ".sv0")):
            assert any(torch.equal(tensor, t) for t in by_shape.get(tensor.shape, [])), key


def test_g_ema_file_loads_through_the_catalog_with_the_authors_sigma(
    authors_state, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "G_ema.pth"
    torch.save(authors_state, path)
    entry = Pretrained(
        name="biggan-128-authors-test",
        model="ganzoo.models.BigGAN",
        init_args=BIGGAN_128,
        sha256=sha256_of(path),
        sources=(URL(path.as_uri()),),
        format="biggan-pytorch",
        filename=path.name,
        license="MIT",
        paper="test",
        dataset="imagenet",
    )
    monkeypatch.setitem(CATALOG, entry.name, entry)
    model = ganzoo.load(entry.name)  # strict: no key of the model missing, none of the file left over
    g = model.generator
    assert not any(k.startswith("discriminator.") for k in model.state_dict())
    assert torch.equal(g.shared.weight, authors_state["shared.weight"])
    assert torch.equal(g.attentions["3"].gamma, authors_state["blocks.3.1.gamma"])
    assert torch.equal(g.output_bn.weight, authors_state["output_layer.0.gain"])
    assert torch.equal(g.blocks[2].bn1.bn.running_var, authors_state["blocks.2.0.bn1.stored_var"])
    images = model.sample(1, classes="golden retriever", truncation=0.5, seed=0)  # eval mode: SN hooks run
    assert images.shape == (1, 3, 128, 128) and torch.isfinite(images).all()
    layers = {
        "linear": g.linear,
        "blocks.0.0.conv1": g.blocks[0].conv1,
        "blocks.4.0.conv_sc": g.blocks[4].conv_sc,
        "blocks.2.0.bn1.gain": g.blocks[2].bn1.gain,
        "blocks.3.1.theta": g.attentions["3"].theta,
        "output_layer.2": g.output_conv,
    }
    for source, module in layers.items():
        weight, u0 = authors_state[f"{source}.weight"], authors_state[f"{source}.u0"]
        torch.testing.assert_close(module.weight, weight / authors_sigma(weight, u0), rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("sn_style", ["torch", "ajbrock"])
def test_mmgen_copy_converts_to_the_same_generator(authors_state, sn_style: str) -> None:
    mmgen = to_mmgen(authors_state, sn_style)
    if sn_style == "torch":
        assert {k: tuple(v.shape) for k, v in mmgen.items()} == MMGEN_G_128
    decoy = {f"generator.{k}": torch.zeros_like(v) for k, v in mmgen.items()}  # the EMA copy wins
    checkpoint = {
        "meta": {"mmcv_version": "1.3.9", "iter": 138000},
        "state_dict": {**decoy, **{f"generator_ema.{k}": v for k, v in mmgen.items()}},
    }
    generator = mmgen_biggan.generator_state(mmgen_biggan.generator_of(checkpoint), BIGGAN_128)
    reference = biggan_pytorch.generator_state(authors_state, SN_EPS)
    assert generator.keys() == reference.keys()
    for key, tensor in reference.items():
        if not key.endswith("num_batches_tracked"):
            torch.testing.assert_close(generator[key], tensor, rtol=0, atol=0, msg=key)


def test_published_entry_fits_the_mmgen_layout(authors_state, tmp_path: Path) -> None:
    entry = get_entry("biggan-128")
    assert entry.format == "mmgen-biggan" and entry.filename.endswith(f"-{entry.sha256}.pth")
    assert isinstance(entry.sources[0], URL) and entry.sources[0].url.endswith(entry.filename)
    path = tmp_path / entry.filename
    torch.save({"meta": {"iter": 138000}, "state_dict": to_mmgen(authors_state, "torch")}, path)
    state = mmgen_biggan.convert(path, entry.init_args)
    model = load_weights(build_model(entry.model, entry.init_args), state, "test")  # strict key/shape check
    assert model.class_names[207] == "golden retriever" and model.latent_dim == 120


def test_offline_without_the_file_says_where_to_put_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(WeightsNotFoundError, match=r"(?s)3e353fef.*download\.openmmlab\.com"):
        ganzoo.load("biggan-128")
    assert "biggan-128" in ganzoo.list_models("biggan*")
