"""torch.hub reaches the same catalog entries as ganzoo.load."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import torch

import ganzoo

from .hub_testing import assert_same_weights

REPO = Path(__file__).resolve().parents[2]


def test_hubconf_has_one_entry_point_per_published_checkpoint():
    spec = importlib.util.spec_from_file_location("ganzoo_hubconf", REPO / "hubconf.py")
    hubconf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hubconf)
    entries = {name for name in dir(hubconf) if callable(getattr(hubconf, name)) and not name.startswith("_")}
    assert entries == {n.replace("-", "_") for n in ganzoo.list_models(pretrained=True)}


def test_torch_hub_load_gives_the_catalog_model():
    via_hub = torch.hub.load(str(REPO), "dcgan_mnist", source="local", trust_repo=True)
    assert_same_weights(via_hub, ganzoo.load("dcgan-mnist"))
    assert not via_hub.training
