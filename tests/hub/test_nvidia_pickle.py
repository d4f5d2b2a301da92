"""NVIDIA's network pickles: the authors' StyleGAN2 / StyleGAN3-T fixtures load through ``ganzoo.load(path)``
and give their code's outputs; the second load reads only the cache; no code from a pickle ever runs."""

from __future__ import annotations

import pickle
import shutil
import sys
import types
from pathlib import Path
from typing import Any

import pytest
import torch
from safetensors.torch import load_file

import ganzoo
from ganzoo.hub.convert import nvidia_pickle
from ganzoo.hub.convert.nvidia_pickle import PersistentObject, read_network_pickle
from ganzoo.hub.convert.sniff import sniff_format
from ganzoo.hub.errors import UnsafeCheckpointError

BAR = 1e-5


@pytest.mark.parametrize(
    ("name", "paper", "mix_at"),
    [("stylegan2-tiny-32", "StyleGAN2", 4), ("stylegan3-t-tiny-32", "StyleGAN3", 8)],
)
def test_the_authors_networks_load_by_path_and_match_their_outputs(
    karras_fixtures: Path, name: str, paper: str, mix_at: int
) -> None:
    expected = load_file(karras_fixtures / f"{name}.expected.safetensors")
    model = ganzoo.load(karras_fixtures / f"{name}.pkl")
    assert type(model).__name__ == paper
    z, c = expected["z"], expected["c"]
    w = model.mapping(z)
    diffs = {
        "w_psi1.0": (w - expected["w_psi1.0"]).abs().max().item(),
        "w_psi0.7": (model.mapping(z, truncation=0.7) - expected["w_psi0.7"]).abs().max().item(),
        "img_psi1.0": (model.sample(4, z=z) - expected["img_psi1.0"]).abs().max().item(),
        "img_psi0.7": (model.sample(4, z=z, truncation=0.7) - expected["img_psi0.7"]).abs().max().item(),
        "img_mix": (model.synthesis(torch.cat([w[0:1, :mix_at], w[1:2, mix_at:]], 1)) - expected["img_mix"])
        .abs()
        .max()
        .item(),
    }
    if "d_out" in expected:
        with torch.no_grad():
            diffs["d_out"] = (
                (model.discriminator(expected["img_psi1.0"], None) - expected["d_out"]).abs().max().item()
            )
    assert all(d <= BAR for d in diffs.values()), diffs
    assert c.shape == (4, 0)
    # Truncation is visible: w_avg is randomised in the fixture.
    assert (expected["w_psi0.7"] - expected["w_psi1.0"]).abs().max() > 0.1


def test_a_second_load_reads_only_the_cache_and_content_not_suffix_decides(
    karras_fixtures: Path, tmp_path: Path, isolated_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    renamed = tmp_path / "network.bin"
    shutil.copy(karras_fixtures / "stylegan3-t-tiny-32.pkl", renamed)
    assert sniff_format(renamed) == "nvidia-pickle"
    first = ganzoo.load(renamed)
    [entry] = [p for p in (isolated_cache / "files").iterdir() if p.is_dir()]
    assert {p.name for p in entry.iterdir()} >= {"config.json", "model.safetensors"}

    def never(*args: object) -> None:
        raise AssertionError("the original file was read again")

    monkeypatch.setattr(nvidia_pickle, "read_network_pickle", never)
    second = ganzoo.load(renamed)
    torch.testing.assert_close(second.sample(2, seed=3), first.sample(2, seed=3))


def test_a_catalog_entry_for_another_network_is_refused_naming_both(karras_fixtures: Path) -> None:
    args = {"z_dim": 512, "c_dim": 0, "w_dim": 512, "img_resolution": 1024, "img_channels": 3}
    with pytest.raises(ValueError, match=r"'img_resolution': 32.*'img_resolution': 1024"):
        nvidia_pickle.convert(karras_fixtures / "stylegan2-tiny-32.pkl", {**args, "generator_only": True})


# --- files that would run code ----------------------------------------------------------------------


@pytest.fixture
def persistence(monkeypatch: pytest.MonkeyPatch) -> types.ModuleType:
    """A stand-in ``torch_utils.persistence`` so that pickle writes the global NVIDIA's files name."""
    module = types.ModuleType("torch_utils.persistence")

    def _reconstruct_persistent_obj(meta: dict) -> None:
        raise AssertionError("the stand-in is only for writing")

    _reconstruct_persistent_obj.__module__ = module.__name__
    _reconstruct_persistent_obj.__qualname__ = "_reconstruct_persistent_obj"
    module._reconstruct_persistent_obj = _reconstruct_persistent_obj
    monkeypatch.setitem(sys.modules, "torch_utils", types.ModuleType("torch_utils"))
    monkeypatch.setitem(sys.modules, module.__name__, module)
    return module


class Persistent:
    """Pickles as NVIDIA's persistent objects do: the reconstruction function, the source and the state."""

    def __init__(self, module: types.ModuleType, record: PersistentObject, source: str) -> None:
        raw = ("_parameters", "_buffers", "_modules")
        state = {k: v if k in raw else nvidia_pickle.plain(v) for k, v in record.state.items()}
        state["_modules"] = {
            k: Persistent(module, v, source) if isinstance(v, PersistentObject) else v
            for k, v in record.children.items()
        }
        self.meta = {"type": "class", "version": 4, "module_src": source, "class_name": record.class_name}
        self.meta["state"] = state
        self.module = module

    def __reduce__(self) -> tuple[Any, tuple[dict]]:
        return self.module._reconstruct_persistent_obj, (self.meta,)


class WritesAMarker:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return open, (str(self.marker), "w")


def write_network_pickle(
    path: Path, fixture: Path, module: types.ModuleType, source: str, **extra: Any
) -> Path:
    data = read_network_pickle(fixture)
    g_ema = Persistent(module, data["G_ema"], source)
    g_ema.meta["state"].update(extra)
    path.write_bytes(pickle.dumps({"G": None, "D": None, "G_ema": g_ema}, protocol=4))
    return path


def test_the_pickled_source_is_never_run(
    karras_fixtures: Path, tmp_path: Path, persistence: types.ModuleType
) -> None:
    marker = tmp_path / "marker"
    source = f"open({str(marker)!r}, 'w').write('the pickled source ran')\n"
    path = write_network_pickle(
        tmp_path / "net.pkl", karras_fixtures / "stylegan3-t-tiny-32.pkl", persistence, source
    )
    assert source.encode() in path.read_bytes()
    model = ganzoo.load(path)  # the weights are data and load; the source is text and is dropped
    expected = load_file(karras_fixtures / "stylegan3-t-tiny-32.expected.safetensors")
    assert (model.sample(4, z=expected["z"]) - expected["img_psi1.0"]).abs().max() <= BAR
    assert not marker.exists()


def test_a_pickle_whose_reduce_would_run_code_is_refused_and_it_never_runs(
    karras_fixtures: Path, tmp_path: Path, persistence: types.ModuleType
) -> None:
    marker = tmp_path / "marker"
    fixture = karras_fixtures / "stylegan2-tiny-32.pkl"
    path = write_network_pickle(tmp_path / "evil.pkl", fixture, persistence, "", trap=WritesAMarker(marker))
    assert sniff_format(path) == "nvidia-pickle"  # it passes for theirs, so the reader is what refuses it
    with pytest.raises(UnsafeCheckpointError, match=r"the global (builtins|io)\.open") as err:
        ganzoo.load(path)
    assert "runs no code" in str(err.value) and str(path) in str(err.value)
    assert not marker.exists()


def test_any_other_global_is_refused_by_its_name(
    karras_fixtures: Path, tmp_path: Path, persistence: types.ModuleType
) -> None:
    fixture = karras_fixtures / "stylegan2-tiny-32.pkl"
    path = write_network_pickle(tmp_path / "other.pkl", fixture, persistence, "", extra=Path("x"))
    with pytest.raises(UnsafeCheckpointError, match=r"the global pathlib\.(Posix|Windows)?Path"):
        ganzoo.load(path)


def test_a_plain_pickle_is_not_taken_for_a_network(tmp_path: Path) -> None:
    path = tmp_path / "data.pkl"
    path.write_bytes(pickle.dumps({"G_ema": [1, 2]}))
    assert sniff_format(path) is None
    with pytest.raises(ValueError, match=r"NVIDIA network \.pkl"):
        ganzoo.load(path)
