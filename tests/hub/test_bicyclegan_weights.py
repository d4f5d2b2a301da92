"""The authors' BicycleGAN files: G and E match the key/shape manifests of their networks, and a pair of
files in the published layout loads by name (both files, strict keys) and runs like the networks."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import torch

import ganzoo
from ganzoo.hub.catalog import CATALOG, URL, Part, Pretrained
from ganzoo.hub.errors import StateDictMismatchError, WeightsNotFoundError
from ganzoo.hub.fetch import pin_path
from ganzoo.models import BicycleGAN
from ganzoo.nn.resnet_encoder import ResNetEncoder
from ganzoo.nn.unet_with_z import UNetWithZ

MANIFESTS = Path(__file__).parent / "manifests"


def manifest(name: str) -> dict[str, list[int]]:
    return json.loads((MANIFESTS / f"{name}.json").read_text())["state_dict"]


def shapes(model: torch.nn.Module, prefix: str) -> dict[str, list[int]]:
    return {
        k.removeprefix(prefix): list(v.shape) for k, v in model.state_dict().items() if k.startswith(prefix)
    }


@pytest.mark.parametrize(("channels", "file", "count"), [(3, "in3", 54_794_627), (1, "in1", 54_792_579)])
def test_generator_matches_g_unet_add_all(channels: int, file: str, count: int) -> None:
    expected = manifest(f"bicyclegan_g_unet_256_{file}")
    assert len(expected) == 32 and sum(math.prod(s) for s in expected.values()) == count
    with torch.device("meta"):
        model = BicycleGAN(generator_only=True, in_channels=channels)
    assert shapes(model, "generator.") == expected


def test_encoder_matches_e_resnet_256() -> None:
    expected = manifest("bicyclegan_e_resnet_256")
    assert len(expected) == 30 and sum(math.prod(s) for s in expected.values()) == 2_590_032
    with torch.device("meta"):
        model = BicycleGAN(generator_only=True)
    assert shapes(model, "encoder.") == expected
    assert set(model.state_dict()) == {"num_d_steps", "num_g_steps"} | {
        f"{net}.{k}"
        for net, name in (("generator", "bicyclegan_g_unet_256_in3"), ("encoder", "bicyclegan_e_resnet_256"))
        for k in manifest(name)
    }


def _random(shapes: dict[str, list[int]], seed: int) -> dict[str, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    return {k: torch.randn(s, generator=g) * 0.05 for k, s in shapes.items()}


def _small_pair(tmp_path: Path) -> tuple[Path, Path, UNetWithZ, ResNetEncoder]:
    """G and E files of a 64x64 model in the published layout; G with the stray InstanceNorm statistics that
    files written by PyTorch < 0.4 carry (the 4ngf level's down-norm)."""
    torch.manual_seed(0)
    g, e = UNetWithZ(num_downs=6, ngf=4), ResNetEncoder(3, 8, 4, n_blocks=3)
    g_state = {k: v + 0.01 * torch.randn_like(v) for k, v in g.state_dict().items()}
    g.load_state_dict(g_state)
    stray = "model.submodule.submodule.submodule.down.2"
    g_file, e_file = tmp_path / "facades_net_G.pth", tmp_path / "facades_net_E.pth"
    torch.save(
        {**g_state, f"{stray}.running_mean": torch.zeros(32), f"{stray}.running_var": torch.ones(32)}, g_file
    )
    torch.save(e.state_dict(), e_file)
    return g_file, e_file, g, e


def _entry(monkeypatch: pytest.MonkeyPatch, g_file: Path, e_file: Path) -> str:
    entry = Pretrained(
        name="bicyclegan-test",
        model="ganzoo.models.BicycleGAN",
        init_args={"generator_only": True, "net_g": "unet_64", "ngf": 4, "nef": 4, "image_size": 64},
        sha256=None,
        sources=(URL(g_file.as_uri()),),
        format="junyanz",
        filename=g_file.name,
        parts=(Part("encoder.", (URL(e_file.as_uri()),), e_file.name),),
        license="BSD-2-Clause",
        paper="test",
        dataset="test",
    )
    monkeypatch.setitem(CATALOG, entry.name, entry)
    return entry.name


def test_both_files_load_by_name_and_run_like_the_networks(tmp_path, monkeypatch) -> None:
    g_file, e_file, g, e = _small_pair(tmp_path)
    name = _entry(monkeypatch, g_file, e_file)
    with pytest.warns(UserWarning, match="published without a checksum"):
        model = ganzoo.load(name)
    x, z = torch.rand(2, 3, 64, 64) * 2 - 1, torch.randn(2, 8)
    with torch.no_grad():
        torch.testing.assert_close(model.translate(x, z=z), g.eval()(x, z))
        torch.testing.assert_close(model.encode(x), e.eval()(x)[0])
    again = ganzoo.load(name)  # from the converted cache
    torch.testing.assert_close(again.translate(x, z=z), model.translate(x, z=z))


def test_an_encoder_file_of_another_network_is_refused(tmp_path, monkeypatch) -> None:
    g_file, e_file, _, _ = _small_pair(tmp_path)
    torch.save(ResNetEncoder(3, 8, 4, 4).state_dict(), e_file)  # one residual block too many
    name = _entry(monkeypatch, g_file, e_file)
    with pytest.raises(StateDictMismatchError, match="unexpected"):
        ganzoo.load(name)
    assert not list(pin_path(name).parent.glob(f"{name}*"))  # neither file pinned: both are fetched again


def test_offline_without_the_encoder_file_says_where_to_put_it(tmp_path, monkeypatch) -> None:
    g_file, e_file, _, _ = _small_pair(tmp_path)
    name = _entry(monkeypatch, g_file, e_file)
    e_file.unlink()
    missing = pytest.raises(WeightsNotFoundError, match=r"(?s)facades_net_E\.pth.*Put a copy of the file at")
    with missing:
        ganzoo.load(name)
    assert not list(pin_path(name).parent.glob(f"{name}*"))  # the generator file that came is not pinned


def test_the_catalog_has_the_authors_five_models() -> None:
    names = ganzoo.list_models("bicyclegan-*")
    assert names == [
        f"bicyclegan-{n}" for n in ("edges2handbags", "edges2shoes", "facades", "maps", "night2day")
    ]
    shoes = CATALOG["bicyclegan-edges2shoes"]
    base = "http://efrosgans.eecs.berkeley.edu/BicycleGAN//models/edges2shoes_net_"
    assert shoes.sources == (URL(base + "G.pth"),) and shoes.parts[0].sources == (URL(base + "E.pth"),)
    assert shoes.init_args["in_channels"] == 1 and CATALOG["bicyclegan-maps"].init_args["image_size"] == 512
