"""pytorch_GAN_zoo's ``.pth``: the authors' ProGAN fixture loads through ``ganzoo.load(path)`` and gives their
code's outputs; the second load reads only the cache; files that would run code are refused, unrun."""

from __future__ import annotations

import dataclasses
import json
import math
import shutil
import sys
import types
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

import ganzoo
from ganzoo.hub.catalog import CATALOG, URL
from ganzoo.hub.convert import gan_zoo
from ganzoo.hub.convert.sniff import sniff_format
from ganzoo.hub.errors import UnsafeCheckpointError
from ganzoo.hub.fetch import sha256_of
from ganzoo.models import ProGAN
from ganzoo.models.progan import growth_schedule

BAR = 1e-5
"""Largest difference from the authors' outputs, relative to their scale (the images reach 5): float32 sums in
another order on another CPU differ by a few units in the last place (8e-6 and 1.1e-5 on two machines)."""


def difference(ours: torch.Tensor, theirs: torch.Tensor) -> float:
    return float((ours - theirs).abs().max() / theirs.abs().max().clamp(min=1))


MANIFEST = Path(__file__).parent / "manifests" / "pgan_celebahq_512.json"


def test_progan_celebahq_512_matches_the_published_layout_key_for_key() -> None:
    """The manifest is read off the authors' GNet / DNet; on the meta device our ProGAN for those depths has
    exactly its tensors after the converter's renaming (23.08M parameters per network)."""
    manifest = json.loads(MANIFEST.read_text())
    assert sum(math.prod(s) for s in manifest["netG"].values()) == 23_079_800
    assert sum(math.prod(s) for s in manifest["netD"].values()) == 23_080_225
    with torch.device("meta"):
        model = ProGAN(latent_dim=512, depths=[512, 512, 512, 512, 256, 128, 64, 32])
        ours = model.state_dict()
        for name, prefix in (("netG", "generator."), ("netD", "discriminator."), ("avgG", "generator_ema.")):
            theirs = {k: torch.empty(s) for k, s in manifest[name].items()}
            renamed = gan_zoo.network_state(theirs, name)
            assert len(renamed) == len(theirs)
            mine = {k[len(prefix) :]: v for k, v in ours.items() if k.startswith(prefix)}
            assert set(mine) - set(renamed) == {"level", "alpha"}  # the growth state is ours alone
            assert {k: tuple(v.shape) for k, v in renamed.items()} == {
                k: tuple(mine[k].shape) for k in renamed
            }


def test_the_authors_progan_loads_by_path_and_matches_their_outputs(karras_fixtures: Path) -> None:
    expected = load_file(karras_fixtures / "pgan-tiny-32.expected.safetensors")
    model = ganzoo.load(karras_fixtures / "pgan-tiny-32.pth")
    z = expected["z"]
    assert type(model).__name__ == "ProGAN" and model.hparams.depths == [64, 64, 32, 32]
    with torch.no_grad():
        diffs = {
            "img_avg": difference(model.sample(4, z=z), expected["img_avg"]),
            "img_g": difference(model.generator(z), expected["img_g"]),
            "d_out": difference(model.discriminator(expected["img_g"]), expected["d_out"]),
        }
    assert all(d <= BAR for d in diffs.values()), diffs
    # Fully grown, and the growth clock says so: training on from here stays at 32x32.
    seen, per_stage = int(model.images_seen), model.hparams.images_per_stage
    assert (model.level, model.alpha) == (3, 1.0) == growth_schedule(seen, per_stage, max_level=3)
    # Averaged and raw generators are different networks, and sampling uses the averaged one.
    assert (expected["img_avg"] - expected["img_g"]).abs().max() > 0.1


def test_a_second_load_reads_only_the_cache_and_content_not_suffix_decides(
    karras_fixtures: Path, tmp_path: Path, isolated_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    renamed = tmp_path / "network.bin"
    shutil.copy(karras_fixtures / "pgan-tiny-32.pth", renamed)
    assert sniff_format(renamed) == "gan-zoo"
    first = ganzoo.load(renamed)
    [entry] = [p for p in (isolated_cache / "files").iterdir() if p.is_dir()]
    assert {p.name for p in entry.iterdir()} >= {"config.json", "model.safetensors"}

    def never(*args: object) -> None:
        raise AssertionError("the original file was read again")

    monkeypatch.setattr(gan_zoo, "read_file", never)
    second = ganzoo.load(renamed)
    z = torch.randn(2, 64, generator=torch.Generator().manual_seed(0))
    torch.testing.assert_close(second.sample(2, z=z), first.sample(2, z=z))


def test_a_catalog_entry_of_the_format_loads_and_its_depths_are_checked_against_the_file(
    karras_fixtures: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The published entries in the shape of ``progan-celebahq-512``, pointed at the fixture file."""
    path = karras_fixtures / "pgan-tiny-32.pth"
    published = CATALOG["progan-celebahq-512"]
    entry = dataclasses.replace(
        published,
        name="progan-fixture",
        init_args={"latent_dim": 64, "depths": [64, 64, 32, 32]},
        sha256=sha256_of(path),
        sources=(URL(path.as_uri()),),
        filename=path.name,
    )
    monkeypatch.setitem(CATALOG, entry.name, entry)
    expected = load_file(karras_fixtures / "pgan-tiny-32.expected.safetensors")
    model = ganzoo.load(entry.name)
    assert difference(model.sample(4, z=expected["z"]), expected["img_avg"]) <= BAR
    wrong = dataclasses.replace(entry, name="progan-wrong", init_args={"latent_dim": 64, "depths": [64, 64]})
    monkeypatch.setitem(CATALOG, wrong.name, wrong)
    with pytest.raises(ValueError, match=r"depths: \[64, 64\] vs the file's \[64, 64, 32, 32\]"):
        ganzoo.load(wrong.name)


# --- files that would run code ----------------------------------------------------------------------


@pytest.fixture
def their_module(monkeypatch: pytest.MonkeyPatch) -> types.ModuleType:
    """A stand-in ``models.utils.config`` so that ``torch.save`` writes the globals their files name."""
    module = types.ModuleType("models.utils.config")

    class BaseConfig:
        pass

    BaseConfig.__module__, BaseConfig.__qualname__ = module.__name__, "BaseConfig"
    module.BaseConfig = BaseConfig
    for name in ("models", "models.utils"):
        monkeypatch.setitem(sys.modules, name, types.ModuleType(name))
    monkeypatch.setitem(sys.modules, module.__name__, module)
    return module


def save_like_theirs(path: Path, module: types.ModuleType, **extra: object) -> Path:
    config = module.BaseConfig()
    config.depthScale0, config.depthOtherScales, config.latentVectorDim = 4, [], 4
    tensors = {"formatLayer.module.weight": torch.zeros(64, 4)}
    torch.save({"config": config, "netG": {**tensors, **extra}, "netD": {}, "avgG": tensors}, path)
    return path


class WritesAMarker:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return open, (str(self.marker), "w")


def test_a_file_whose_pickle_would_run_code_is_refused_and_the_code_never_runs(
    tmp_path: Path, their_module: types.ModuleType
) -> None:
    marker = tmp_path / "marker"
    path = save_like_theirs(tmp_path / "evil.pth", their_module, trap=WritesAMarker(marker))
    assert sniff_format(path) == "gan-zoo"  # it passes for theirs, so the reader is what refuses it
    with pytest.raises(UnsafeCheckpointError, match=r"the global (builtins|io)\.open") as err:
        ganzoo.load(path)
    assert "runs no code" in str(err.value) and str(path) in str(err.value)
    assert not marker.exists()


def test_any_other_global_is_refused_by_its_name(tmp_path: Path, their_module: types.ModuleType) -> None:
    class Sneaky:
        pass

    Sneaky.__module__, Sneaky.__qualname__ = their_module.__name__, "Sneaky"
    their_module.Sneaky = Sneaky
    path = save_like_theirs(tmp_path / "other.pth", their_module, extra=Sneaky())
    with pytest.raises(UnsafeCheckpointError, match=r"the global models\.utils\.config\.Sneaky"):
        ganzoo.load(path)


def test_a_plain_torch_file_is_not_taken_for_theirs(tmp_path: Path) -> None:
    path = tmp_path / "state.pth"
    torch.save({"weight": torch.zeros(2)}, path)
    assert sniff_format(path) is None
    with pytest.raises(ValueError, match="pytorch_GAN_zoo"):
        ganzoo.load(path)
