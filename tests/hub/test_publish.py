"""save_pretrained writes what load reads plus a model card; push_to_hub uploads exactly that folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

import ganzoo
from ganzoo.hub import publish as hub_publish
from ganzoo.hub.catalog import Metric
from ganzoo.hub.folder import read_header
from ganzoo.models import BEGAN, DCGAN, GAN, VAE, LatentGANModule
from ganzoo.nn.dcgan import DCGANDiscriminator, DCGANGenerator

FILES = ["README.md", "config.json", "model.safetensors", "samples.png"]


def test_save_pretrained_writes_weights_config_card_and_samples(trained, tmp_path):
    model, _ = trained
    fid = Metric("FID", 12.345, "standard Inception, 1000 samples vs MNIST test")
    folder = model.save_pretrained(tmp_path / "out", dataset="mnist", metrics=[fid], license="Apache-2.0")
    assert sorted(p.name for p in folder.iterdir()) == FILES
    config = json.loads((folder / "config.json").read_text())
    assert config["class_path"] == "ganzoo.models.dcgan.DCGAN"
    assert config["init_args"]["image_size"] == 8
    card = (folder / "README.md").read_text()
    assert "Radford et al." in card  # the paper, taken from the paper module
    assert "- mnist" in card and "license: apache-2.0" in card
    assert "| FID | 12.35 | standard Inception, 1000 samples vs MNIST test |" in card
    assert "![64 samples, seed 0](samples.png)" in card


def test_save_pretrained_refuses_a_model_its_arguments_cannot_rebuild(tmp_path):
    model = LatentGANModule(DCGANGenerator(4, 8, 1, 4), DCGANDiscriminator(8, 1, 4), latent_dim=4)
    with pytest.raises(ValueError, match="cannot be rebuilt from its hyperparameters"):
        model.save_pretrained(tmp_path / "out")


@pytest.mark.parametrize(
    "model",
    [
        pytest.param(
            lambda: DCGAN(architecture="lucic2018", image_size=16, channels=1, latent_dim=8), id="dcgan"
        ),
        pytest.param(
            lambda: BEGAN(architecture="lucic2018", image_size=16, channels=1, latent_dim=8), id="began"
        ),
        pytest.param(lambda: VAE(latent_dim=8, image_size=16, channels=1), id="vae"),
    ],
)
def test_the_generator_only_form_keeps_the_samples_in_fewer_bytes(model, tmp_path):
    torch.manual_seed(0)
    model = model().eval()
    whole = model.save_pretrained(tmp_path / "whole")
    small = model.save_pretrained(tmp_path / "small", generator_only=True, dtype=torch.float16)
    config = json.loads((small / "config.json").read_text())
    assert config["init_args"]["generator_only"] is True
    header = read_header(small / "model.safetensors")
    kept = {k for k in model.state_dict() if not k.startswith(("discriminator.", "encoder."))}
    assert set(header) == kept, "the sampling form holds all but the discriminator's (encoder's) tensors"
    assert {dtype for dtype, _ in header.values() if dtype.is_floating_point} == {torch.float16}
    ratio = (small / "model.safetensors").stat().st_size / (whole / "model.safetensors").stat().st_size
    assert ratio < 0.5, f"a part of the tensors at half the bytes each should be under half, got {ratio:.2f}"
    loaded = ganzoo.load(small)
    assert loaded.generator_only if hasattr(loaded, "discriminator") else loaded.encoder is None
    # the stored weights are rounded to float16: the samples agree to its precision
    torch.testing.assert_close(loaded.sample(4, seed=1), model.sample(4, seed=1), atol=2e-2, rtol=0)
    assert not torch.equal(loaded.sample(4, seed=1), loaded.sample(4, seed=2))


def test_the_generator_only_form_is_refused_where_a_class_has_none(tmp_path):
    model = GAN(data_shape=(1, 8, 8), latent_dim=4, g_hidden=(8,), d_hidden=(8,))
    with pytest.raises(ValueError, match="GAN has no generator_only form"):
        model.save_pretrained(tmp_path / "out", generator_only=True)
    assert not (tmp_path / "out").exists(), "nothing is written for a refused form"


class _RecordingApi:
    """Stands in for huggingface_hub.HfApi: records the calls and the uploaded folder's files."""

    calls: list[tuple[str, object]]

    def __init__(self, token: str | None = None) -> None:
        self.token = token
        _RecordingApi.calls = [("token", token)]

    def create_repo(self, repo_id: str, **kwargs: object) -> None:
        self.calls.append(("create_repo", repo_id))

    def upload_folder(self, *, repo_id: str, folder_path: str, commit_message: str) -> object:
        files = {p.name: p.read_bytes() for p in Path(folder_path).iterdir()}
        self.calls.append(("upload_folder", (repo_id, files)))
        return type("CommitInfo", (), {"commit_url": f"https://huggingface.co/{repo_id}/commit/abc"})()


def test_push_to_hub_uploads_the_saved_folder_to_the_repo(trained, monkeypatch, tmp_path):
    model, _ = trained
    monkeypatch.setattr(hub_publish, "HfApi", _RecordingApi)
    url = model.push_to_hub("someone/tiny-dcgan", token="hf_test", dataset="noise")
    assert url == "https://huggingface.co/someone/tiny-dcgan/commit/abc"
    calls = dict(_RecordingApi.calls)
    assert calls["token"] == "hf_test"
    assert calls["create_repo"] == "someone/tiny-dcgan"
    repo_id, files = calls["upload_folder"]
    assert repo_id == "someone/tiny-dcgan"
    assert sorted(files) == FILES
    assert b'ganzoo.load("hf://someone/tiny-dcgan")' in files["README.md"]
    (tmp_path / "pulled").mkdir()
    for name, data in files.items():
        (tmp_path / "pulled" / name).write_bytes(data)
    assert torch.equal(ganzoo.load(tmp_path / "pulled").sample(4, seed=1), model.sample(4, seed=1))
