"""The authors' pix2pix / CycleGAN files: our networks match their key/shape manifests, and a file in the
published layout (with the stray InstanceNorm statistics) loads by name and translates like the network."""

from __future__ import annotations

import collections
import json
import math
import pickle
from pathlib import Path

import pytest
import torch

import ganzoo
from ganzoo.hub.catalog import CATALOG, URL, Pretrained
from ganzoo.hub.convert.junyanz import convert, instance_norm_statistics
from ganzoo.hub.errors import StateDictMismatchError, UnsafeCheckpointError
from ganzoo.hub.fetch import pin_path
from ganzoo.models import CycleGAN, Pix2Pix
from ganzoo.nn.resnet_generator import ResnetGenerator
from ganzoo.nn.unet import UNetGenerator

MANIFESTS = Path(__file__).parent / "manifests"
STATISTICS = ("running_mean", "running_var", "num_batches_tracked")


def manifest(name: str) -> dict[str, list[int]]:
    return json.loads((MANIFESTS / f"{name}.json").read_text())["state_dict"]


def n_parameters(shapes: dict[str, list[int]]) -> int:
    return sum(math.prod(s) for k, s in shapes.items() if not k.endswith(STATISTICS))


def generator_shapes(model: torch.nn.Module) -> dict[str, list[int]]:
    return {
        k.removeprefix("generator."): list(v.shape)
        for k, v in model.state_dict().items()
        if k.startswith("generator.")
    }


def test_pix2pix_generator_matches_the_unet_256_manifest():
    expected = manifest("unet_256_batch")
    assert len(expected) == 82 and n_parameters(expected) == 54_413_955
    with torch.device("meta"):
        model = Pix2Pix(generator_only=True)
    assert generator_shapes(model) == expected
    assert sum(p.numel() for p in model.generator.parameters()) == 54_413_955
    assert set(model.state_dict()) - {f"generator.{k}" for k in expected} == {"num_d_steps", "num_g_steps"}


def test_cyclegan_generator_matches_the_resnet_9blocks_manifest_less_the_stray_statistics():
    published = manifest("resnet_9blocks_instance_published")
    expected = {k: s for k, s in published.items() if not k.endswith(STATISTICS)}
    assert len(expected) == 48 and n_parameters(expected) == 11_378_179
    assert len(published) - len(expected) == 3 * 23  # 23 InstanceNorm2d layers, 3 statistics each
    with torch.device("meta"):
        model = CycleGAN(generator_only=True)
    assert generator_shapes(model) == expected
    assert sum(p.numel() for p in model.generator.parameters()) == 11_378_179


def _random_state(shapes: dict[str, list[int]], seed: int = 0) -> dict[str, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    state = collections.OrderedDict()
    for key, shape in shapes.items():
        if key.endswith("num_batches_tracked"):
            state[key] = torch.tensor(7)
        elif key.endswith("running_var"):
            state[key] = torch.rand(shape, generator=g) + 0.5
        else:
            state[key] = torch.randn(shape, generator=g) * 0.05
    return state


def _entry(monkeypatch: pytest.MonkeyPatch, file: Path, model: str, **init_args: object) -> str:
    name = f"test-{file.stem}"
    monkeypatch.setitem(
        CATALOG,
        name,
        Pretrained(
            name=name,
            model=model,
            init_args={"generator_only": True, **init_args},
            sha256=None,
            sources=(URL(file.as_uri()),),
            format="junyanz",
            filename=file.name,
            license="BSD-2-Clause",
            paper="test",
            dataset="test",
        ),
    )
    return name


def test_published_cyclegan_layout_loads_by_name_and_translates_like_the_network(tmp_path, monkeypatch):
    state = _random_state(manifest("resnet_9blocks_instance_published"))
    file = tmp_path / "horse2zebra.pth"
    torch.save(state, file)
    name = _entry(monkeypatch, file, "ganzoo.models.CycleGAN")
    with pytest.warns(UserWarning, match="published without a checksum"):
        model = ganzoo.load(name)
    reference = ResnetGenerator()
    reference.load_state_dict({k: v for k, v in state.items() if not k.endswith(STATISTICS)}, strict=True)
    x = torch.rand(1, 3, 32, 32) * 2 - 1
    with torch.no_grad():
        expected = reference.eval()(x)
    assert torch.allclose(model.translate(x), expected, atol=1e-6)
    assert torch.allclose(model.translate(x, eval_mode=True), expected, atol=1e-6)
    again = ganzoo.load(name)  # from the converted cache, checked against the pinned hash
    assert torch.equal(again.translate(x), model.translate(x))


def test_pix2pix_layout_keeps_batch_norm_statistics(tmp_path, monkeypatch):
    torch.manual_seed(0)
    net = UNetGenerator(num_downs=5, ngf=4).eval()
    for module in net.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            module.running_mean.uniform_(-0.5, 0.5)
            module.running_var.uniform_(0.5, 1.5)
    file = tmp_path / "facades_label2photo.pth"
    torch.save(net.state_dict(), file)
    assert instance_norm_statistics(torch.load(file, weights_only=True)) == []
    name = _entry(monkeypatch, file, "ganzoo.models.Pix2Pix", net_g="unet_32", ngf=4, image_size=32)
    with pytest.warns(UserWarning):
        model = ganzoo.load(name)
    x = torch.rand(2, 3, 32, 32) * 2 - 1
    with torch.no_grad():
        assert torch.allclose(model.translate(x, eval_mode=True), net(x), atol=1e-6)
        assert torch.allclose(model.translate(x), net.train()(x), atol=1e-6)


def test_only_statistics_of_non_affine_norms_are_dropped():
    state = {
        "model.2.running_mean": torch.zeros(4),  # InstanceNorm (no weight): dropped
        "model.2.num_batches_tracked": torch.tensor(0),
        "model.3.weight": torch.ones(4),  # BatchNorm: kept
        "model.3.running_mean": torch.zeros(4),
        "model.1.weight": torch.ones(4, 3, 3, 3),
    }
    assert instance_norm_statistics(state) == ["model.2.running_mean", "model.2.num_batches_tracked"]


def test_batch_norm_files_from_before_pytorch_0_4_get_their_step_counters(tmp_path):
    """pix2pix files saved by PyTorch < 0.4 have no ``num_batches_tracked``; it is filled with 0."""
    shapes = {k: s for k, s in manifest("unet_256_batch").items() if not k.endswith("num_batches_tracked")}
    assert len(shapes) == 82 - 13  # 13 BatchNorm2d layers in unet_256
    file = tmp_path / "old.pth"
    torch.save({k: torch.zeros(1) for k in shapes}, file)  # only the keys matter here
    converted = convert(file, {})
    counters = [k for k in converted if k.endswith("num_batches_tracked")]
    assert len(counters) == 13 and all(int(converted[k]) == 0 for k in counters)
    assert set(converted) == {f"generator.{k}" for k in manifest("unet_256_batch")} | {
        "num_d_steps",
        "num_g_steps",
    }


def test_anything_else_unexpected_fails_clearly(tmp_path, monkeypatch):
    state = _random_state(manifest("resnet_9blocks_instance_published"))
    state["model.99.weight"] = torch.zeros(1)
    file = tmp_path / "extra.pth"
    torch.save(state, file)
    name = _entry(monkeypatch, file, "ganzoo.models.CycleGAN")
    with pytest.raises(StateDictMismatchError, match=r"unexpected \(1\): generator.model.99"):
        ganzoo.load(name)
    assert not pin_path(name).exists()  # a file that does not load is never pinned


def test_files_that_are_not_plain_state_dicts_are_refused(tmp_path):
    listed = tmp_path / "list.pth"
    torch.save([torch.zeros(1)], listed)
    with pytest.raises(ValueError, match="expected a state dict of tensors"):
        convert(listed, {})
    pickled = tmp_path / "object.pth"
    with open(pickled, "wb") as f:
        pickle.dump({"model": collections.Counter()}, f)
    with pytest.raises(UnsafeCheckpointError, match="never unpickles"):
        convert(pickled, {})


def test_catalog_has_the_authors_models_with_their_urls():
    facades, h2z = CATALOG["pix2pix-facades"], CATALOG["cyclegan-horse2zebra"]
    assert (
        facades.sources[0].url
        == "http://efrosgans.eecs.berkeley.edu/pix2pix/models-pytorch/facades_label2photo.pth"
    )
    assert (
        h2z.sources[0].url == "http://efrosgans.eecs.berkeley.edu/cyclegan/pretrained_models/horse2zebra.pth"
    )
    for name in ("pix2pix-edges2shoes", "pix2pix-sat2map", "pix2pix-map2sat", "pix2pix-day2night"):
        assert CATALOG[name].model == "ganzoo.models.Pix2Pix"
    for name in (
        "cyclegan-zebra2horse",
        "cyclegan-monet2photo",
        "cyclegan-style-monet",
        "cyclegan-style-cezanne",
    ):
        assert CATALOG[name].model == "ganzoo.models.CycleGAN" and CATALOG[name].sha256 is None
    assert [m.value for m in facades.metrics] == [119.135] and [m.value for m in h2z.metrics] == [62.111]


@pytest.mark.slow
def test_full_size_pix2pix_file_loads_by_name_and_translates_like_the_network(tmp_path, monkeypatch):
    """The unet_256 layout at full size (54M parameters), end to end at 256x256."""
    state = _random_state(manifest("unet_256_batch"))
    file = tmp_path / "facades_label2photo.pth"
    torch.save(state, file)
    with pytest.warns(UserWarning):
        model = ganzoo.load(_entry(monkeypatch, file, "ganzoo.models.Pix2Pix"))
    reference = UNetGenerator(num_downs=8, ngf=64)
    reference.load_state_dict(state, strict=True)
    x = torch.rand(2, 3, 256, 256) * 2 - 1
    with torch.no_grad():
        assert torch.allclose(model.translate(x, eval_mode=True), reference.eval()(x), atol=1e-5)
