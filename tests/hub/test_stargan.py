"""StarGAN's published generators: our G matches the key/shape manifest read off the authors' model.py,
and their zip (G and D checkpoints) loads by name, strictly, without unpickling, and translates like the
network."""

from __future__ import annotations

import collections
import json
import math
import pickle
import zipfile
from pathlib import Path

import pytest
import torch

import ganzoo
from ganzoo.hub.catalog import CATALOG, URL, Pretrained
from ganzoo.hub.convert.stargan import convert
from ganzoo.hub.errors import StateDictMismatchError, UnsafeCheckpointError
from ganzoo.hub.fetch import pin_path
from ganzoo.models import StarGAN

MANIFEST = Path(__file__).parent / "manifests" / "stargan_generator_published.json"
STATISTICS = ("running_mean", "running_var", "num_batches_tracked")


def published_shapes() -> dict[str, list[int]]:
    return json.loads(MANIFEST.read_text())["state_dict"]


def random_state(shapes: dict[str, list[int]], seed: int = 0) -> dict[str, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    state = collections.OrderedDict()
    for key, shape in shapes.items():
        if key.endswith("num_batches_tracked"):
            state[key] = torch.tensor(200_000)
        elif key.endswith("running_var"):
            state[key] = torch.rand(shape, generator=g) + 0.5
        else:
            state[key] = torch.randn(shape, generator=g) * 0.05
    return state


def published_zip(folder: Path, state: dict[str, torch.Tensor], name: str = "celeba-128x128-5attrs") -> Path:
    torch.save(state, folder / "200000-G.ckpt")
    torch.save({"main.0.weight": torch.zeros(64, 3, 4, 4)}, folder / "200000-D.ckpt")
    file = folder / f"{name}.zip"
    with zipfile.ZipFile(file, "w") as archive:
        archive.write(folder / "200000-G.ckpt", "200000-G.ckpt")
        archive.write(folder / "200000-D.ckpt", "200000-D.ckpt")
    return file


def add_entry(monkeypatch: pytest.MonkeyPatch, file: Path) -> str:
    entry = Pretrained(
        name="stargan-test",
        model="ganzoo.models.StarGAN",
        init_args={"generator_only": True, "image_size": 128},
        sha256=None,
        sources=(URL(file.as_uri()),),
        format="stargan",
        filename=file.name,
        license="MIT",
        paper="test",
        dataset="celeba",
    )
    monkeypatch.setitem(CATALOG, entry.name, entry)
    return entry.name


def test_generator_matches_the_published_manifest():
    expected = published_shapes()
    assert len(expected) == 103  # 18 convolutions (6 + 6 blocks x 2) and 17 InstanceNorm2d layers x 5 entries
    n_parameters = sum(math.prod(s) for k, s in expected.items() if not k.endswith(STATISTICS))
    assert n_parameters == 8_430_528  # what the authors' print_network reports for G
    with torch.device("meta"):
        model = StarGAN(generator_only=True)
    ours = {k.removeprefix("generator."): list(v.shape) for k, v in model.state_dict().items()}
    assert ours == {**expected, "num_d_steps": [], "num_g_steps": []}
    assert model.discriminator is None


def test_the_published_zip_loads_by_name_and_translates_like_the_network(tmp_path, monkeypatch):
    state = random_state(published_shapes())
    name = add_entry(monkeypatch, published_zip(tmp_path, state))
    with pytest.warns(UserWarning, match="published without a checksum"):
        model = ganzoo.load(name)
    x = torch.rand(2, 3, 32, 32) * 2 - 1
    c = torch.tensor([[0.0, 1.0, 0.0, 1.0, 1.0], [1.0, 0.0, 0.0, 0.0, 0.0]])
    # The network by hand, with the file's weights: tile c, concatenate, run main (instance statistics).
    reference = StarGAN(generator_only=True).generator
    reference.load_state_dict(state, strict=True)
    with torch.no_grad():
        tiled = c[:, :, None, None].expand(-1, -1, 32, 32)
        expected = reference.main.train()(torch.cat([x, tiled], 1))
    assert torch.allclose(model.translate(x, target=c), expected, atol=1e-6)
    names = ("Black_Hair", "Blond_Hair", "Brown_Hair", "Male", "Young")
    by_name = model.translate(x[:1], target=dict(zip(names, c[0].tolist(), strict=True)))
    assert torch.allclose(by_name, expected[:1], atol=1e-6)


def test_files_from_before_pytorch_0_4_1_get_their_step_counters(tmp_path):
    shapes = {k: s for k, s in published_shapes().items() if not k.endswith("num_batches_tracked")}
    converted = convert(published_zip(tmp_path, random_state(shapes)), {})
    counters = [k for k in converted if k.endswith("num_batches_tracked")]
    assert len(counters) == 17 and all(int(converted[k]) == 0 for k in counters)


def test_a_wrong_layout_fails_the_strict_check(tmp_path, monkeypatch):
    state = random_state(published_shapes())
    state["main.0.weight"] = torch.zeros(64, 3 + 7, 7, 7)  # a G built for 7 attributes, not 5
    name = add_entry(monkeypatch, published_zip(tmp_path, state))
    with pytest.raises(StateDictMismatchError, match=r"generator\.main\.0\.weight"):
        ganzoo.load(name)
    assert not pin_path(name).exists()  # a file that failed to load is never pinned


def test_archives_without_one_generator_and_pickled_objects_are_refused(tmp_path):
    empty = tmp_path / "empty.zip"
    with zipfile.ZipFile(empty, "w") as archive:
        archive.writestr("200000-D.ckpt", b"")
    with pytest.raises(
        ValueError, match=r"should hold one StarGAN generator .* it holds \['200000-D.ckpt'\]"
    ):
        convert(empty, {})
    pickled = tmp_path / "200000-G.ckpt"
    with open(pickled, "wb") as f:
        pickle.dump({"main": collections.Counter()}, f)
    with pytest.raises(UnsafeCheckpointError, match="never unpickles"):
        convert(pickled, {})


def test_catalog_has_the_authors_celeba_generators():
    for size, dropbox in ((128, "7e966qq0nlxwte4"), (256, "zdq6roqf63m0v5f")):
        entry = CATALOG[f"stargan-celeba-{size}"]
        assert entry.sources == (
            URL(f"https://www.dropbox.com/s/{dropbox}/celeba-{size}x{size}-5attrs.zip?dl=1"),
        )
        assert (entry.format, entry.init_args["image_size"], entry.model) == (
            "stargan",
            size,
            "ganzoo.models.StarGAN",
        )
