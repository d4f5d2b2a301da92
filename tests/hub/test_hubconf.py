"""torch.hub reaches the same catalog entries as ganzoo.load."""

from __future__ import annotations

from pathlib import Path

import torch
from hub_testing import assert_same_weights

import ganzoo

REPO = Path(__file__).resolve().parents[2]


def test_torch_hub_lists_and_loads_the_catalog_entries():
    names = torch.hub.list(str(REPO), source="local", trust_repo=True)
    assert set(names) >= {n.replace("-", "_") for n in ganzoo.list_models(pretrained=True)}
    via_hub = torch.hub.load(str(REPO), "dcgan_mnist", source="local", trust_repo=True)
    assert_same_weights(via_hub, ganzoo.load("dcgan-mnist"))
    assert not via_hub.training
