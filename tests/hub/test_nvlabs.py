"""NVIDIA's pix2pixHD and SPADE generators: files behind Google Drive links are never fetched, the offline
error says what to take from the link and where to put it, and a SPADE file in the published layout loads."""

from __future__ import annotations

import pytest
import torch

import ganzoo
from ganzoo.hub.catalog import CATALOG, ManualDownload, Pretrained
from ganzoo.hub.errors import WeightsNotFoundError
from ganzoo.hub.fetch import manual_path
from ganzoo.models import SPADE


def test_a_drive_only_file_is_not_downloaded_and_the_error_says_how_to_place_it() -> None:
    entry = CATALOG["spade-ade20k"]
    (source,) = entry.sources
    assert isinstance(source, ManualDownload) and "drive.google.com" in source.page
    with pytest.raises(WeightsNotFoundError) as err:
        ganzoo.load("spade-ade20k")
    message = str(err.value)
    assert str(manual_path(entry.name, entry.filename)) in message
    assert "extract ade20k_pretrained/latest_net_G.pth from checkpoints.tar.gz" in message
    assert "pix2pixhd-label2city-1024" in ganzoo.list_models("pix2pixhd-*")


def test_a_spade_file_placed_by_hand_loads_with_its_batch_norm_statistics(monkeypatch) -> None:
    torch.manual_seed(0)
    args = {"generator_only": True, "in_channels": 12, "image_size": 64, "ngf": 2}
    model = SPADE(**args).eval()
    state = {
        k.removeprefix("generator."): v for k, v in model.state_dict().items() if k.startswith("generator.")
    }
    for k in [k for k in state if k.endswith("running_var")]:
        state[k] = torch.rand_like(state[k]) + 0.5
    state = {
        k: v for k, v in state.items() if not k.endswith("num_batches_tracked")
    }  # sync batch norm's layout
    source = ManualDownload("https://drive.google.com/file/d/test/view")
    entry = Pretrained(
        name="spade-test",
        model="ganzoo.models.SPADE",
        init_args=args,
        sha256=None,
        sources=(source,),
        format="nvlabs",
        filename="spade_test_latest_net_G.pth",
        license="test",
        paper="test",
        dataset="test",
    )
    monkeypatch.setitem(CATALOG, entry.name, entry)
    target = manual_path(entry.name, entry.filename)
    target.parent.mkdir(parents=True)
    torch.save(state, target)
    with pytest.warns(UserWarning, match="without a checksum"):
        loaded = ganzoo.load("spade-test")
    key = "norm_0.param_free_norm.running_var"
    torch.testing.assert_close(loaded.generator.head_0.state_dict()[key], state[f"head_0.{key}"])
