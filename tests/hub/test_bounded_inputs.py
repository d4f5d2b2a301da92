"""Files that are too large for what they claim, of the wrong dtypes, or malformed fail before they cost
memory, each with an error that names the file; no raw library error reaches the user."""

from __future__ import annotations

import json
import struct
import zipfile

import pytest
import torch
from safetensors.torch import load_file, save_file

import ganzoo
from ganzoo.hub.build import build_model
from ganzoo.hub.checkpoint_io import PickleFreeCheckpointIO
from ganzoo.hub.errors import StateDictMismatchError
from ganzoo.models import DCGAN
from ganzoo.registry import UnknownNameError


def test_a_huge_config_beside_a_tiny_weights_file_fails_on_the_meta_device(saved, monkeypatch):
    config = json.loads((saved / "config.json").read_text())
    config["init_args"]["latent_dim"] = 250_000  # a 1 GB generator
    (saved / "config.json").write_text(json.dumps(config))
    devices = []
    original = torch.nn.ConvTranspose2d.__init__

    def spy(self, in_channels, *args, **kwargs):
        if in_channels == 250_000:  # the generator's first layer: the default device it is built on
            devices.append(torch.empty(0).device.type)
        original(self, in_channels, *args, **kwargs)

    monkeypatch.setattr(torch.nn.ConvTranspose2d, "__init__", spy)
    with pytest.raises(StateDictMismatchError, match=r"generator\.net\.0\.weight: model has \(250000,"):
        ganzoo.load(saved)
    assert devices == ["meta"]  # never built for real


def test_an_oversized_safetensors_header_is_refused_unread(saved):
    weights = saved / "model.safetensors"
    weights.write_bytes(struct.pack("<Q", 1 << 40) + b"{}")
    with pytest.raises(
        ValueError, match=rf"{weights} is not a safetensors file: .* header of {1 << 40} bytes"
    ):
        ganzoo.load(saved)


def test_a_truncated_safetensors_file_is_named_not_a_raw_safetensor_error(saved):
    weights = saved / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:-100])
    with pytest.raises(ValueError, match=rf"{weights} is truncated or damaged: its header describes"):
        ganzoo.load(saved)


def test_a_deflated_ckpt_is_refused_by_its_expanded_size_before_loading(tmp_path):
    plain = tmp_path / "plain.ckpt"
    torch.save({"state_dict": {"w": torch.zeros(8 << 20)}, "hyper_parameters": {}}, plain)  # 32 MB of zeros
    bomb = tmp_path / "bomb.ckpt"
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as dst:
        for member in src.infolist():
            dst.writestr(member.filename, src.read(member))
    assert bomb.stat().st_size < 1 << 20
    with pytest.raises(ValueError, match=rf"refusing to load {bomb}: its [\d,]+ bytes expand to 33,55"):
        ganzoo.load(bomb, model_class=DCGAN)
    as_pth = bomb.rename(tmp_path / "bomb.pth")  # recognised by content: checked before it is read
    with pytest.raises(ValueError, match=rf"refusing to load {as_pth}: its [\d,]+ bytes expand to"):
        ganzoo.load(as_pth)


@pytest.mark.parametrize("dtype", [torch.int64, torch.bool, torch.uint8, torch.complex64])
def test_weights_of_a_non_float_dtype_are_refused(saved, dtype):
    weights = saved / "model.safetensors"
    tensors = load_file(weights)
    tensors["generator.net.0.weight"] = tensors["generator.net.0.weight"].to(dtype)
    save_file(tensors, weights)
    expected = (
        rf"wrong dtype \(1\): generator\.net\.0\.weight: model has torch.float32, checkpoint has {dtype}"
    )
    with pytest.raises(StateDictMismatchError, match=expected):
        ganzoo.load(saved)


def test_half_precision_weights_still_load(saved):
    weights = saved / "model.safetensors"
    tensors = {k: v.half() if v.is_floating_point() else v for k, v in load_file(weights).items()}
    save_file(tensors, weights)
    assert ganzoo.load(saved).generator.net[0].weight.dtype == torch.float32


def test_weights_full_of_nan_are_refused(saved):
    weights = saved / "model.safetensors"
    tensors = load_file(weights)
    tensors["discriminator.net.0.weight"] = torch.full_like(
        tensors["discriminator.net.0.weight"], float("nan")
    )
    save_file(tensors, weights)
    with pytest.raises(ValueError, match=rf"{weights} hold NaN or Inf in 1 tensors \(discriminator\.net\.0"):
        ganzoo.load(saved)


def test_an_unknown_class_suggests_the_close_names(saved):
    (saved / "config.json").write_text('{"class_path": "ganzoo.models.DCGAM", "init_args": {}}')
    with pytest.raises(
        UnknownNameError, match=r"'ganzoo\.models\.DCGAM' is not a registered paper.*Did you mean"
    ):
        ganzoo.load(saved)
    with pytest.raises(UnknownNameError, match=r"Did you mean 'ganzoo\.models\.DCGAN'"):
        ganzoo.load(saved)


@pytest.mark.parametrize("init_args", ["[1, 2]", '"latent_dim"', "null"])
def test_init_args_that_are_not_an_object_are_named(saved, init_args):
    (saved / "config.json").write_text(f'{{"class_path": "ganzoo.models.DCGAN", "init_args": {init_args}}}')
    with pytest.raises(ValueError, match=r"config\.json must be a JSON object with a 'class_path' string"):
        ganzoo.load(saved)
    with pytest.raises(
        ValueError, match="its init_args must be a mapping of argument names to values, not list"
    ):
        build_model("DCGAN", [1, 2])  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("contents", "message"),
    [
        (
            {"state_dict": {"w": [1, 2]}, "hyper_parameters": {}},
            r"holds 1 entries that are not tensors.*'w' \(list\)",
        ),
        ({"state_dict": {}, "hyper_parameters": [1, 2]}, "its 'hyper_parameters' is a list"),
        ({"state_dict": [1, 2]}, "it has no 'state_dict' mapping"),
        ({"state_dict": {}, "hyper_parameters": {"_class_path": 3}}, "records its model class as 3"),
    ],
    ids=["non-tensor", "hparams-list", "state-dict-list", "class-path-int"],
)
def test_a_ckpt_with_bad_contents_is_named(tmp_path, contents, message):
    ckpt = tmp_path / "bad.ckpt"
    torch.save(contents, ckpt)
    with pytest.raises(ValueError, match=message) as err:
        ganzoo.load(ckpt, model_class=None if "_class_path" in str(contents) else DCGAN)
    assert str(ckpt) in str(err.value)


@pytest.mark.parametrize("fraction", [0.02, 0.3, 0.6, 0.9, 0.99])
def test_a_truncated_ckpt_is_named_whichever_error_torch_raises(trained, tmp_path, fraction):
    """Cut at different points, torch raises RuntimeError, EOFError or OSError [Errno 22]; each is named."""
    data = trained[1].read_bytes()
    cut = tmp_path / "cut.ckpt"
    cut.write_bytes(data[: int(len(data) * fraction)])
    with pytest.raises(ValueError, match=rf"cannot read {cut}: it is truncated or damaged"):
        ganzoo.load(cut, model_class=DCGAN)
    with pytest.raises(ValueError, match=rf"cannot read checkpoint {cut}: it is truncated"):
        PickleFreeCheckpointIO().load_checkpoint(cut)
