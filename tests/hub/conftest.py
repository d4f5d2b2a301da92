"""Fixtures for the hub tests: an isolated cache per test and one small trained model per session."""

from __future__ import annotations

from pathlib import Path

import lightning as L
import pytest
import torch
from torch.utils.data import DataLoader

from ganzoo.models import DCGAN

from .hub_testing import TINY, Server


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point every cache at tmp_path so no test reads or writes the user's real caches."""
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf_home"))
    monkeypatch.setenv("GANZOO_CACHE", str(tmp_path / "ganzoo_cache"))
    for var in ("HF_HUB_CACHE", "HF_HUB_OFFLINE", "XDG_CACHE_HOME"):
        monkeypatch.delenv(var, raising=False)
    return tmp_path / "ganzoo_cache"


@pytest.fixture(scope="session")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[DCGAN, Path]:
    """A tiny DCGAN after a few real training steps, and the Lightning checkpoint of that state."""
    L.seed_everything(0)
    model = DCGAN(**TINY)
    data = DataLoader(torch.rand(32, 1, 8, 8) * 2 - 1, batch_size=8)
    trainer = L.Trainer(
        max_steps=8,
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        accelerator="cpu",
    )
    trainer.fit(model, data)
    ckpt = tmp_path_factory.mktemp("ckpt") / "tiny.ckpt"
    trainer.save_checkpoint(ckpt)
    return model.eval(), ckpt


@pytest.fixture
def saved(trained: tuple[DCGAN, Path], tmp_path: Path) -> Path:
    """``trained``'s model written with save_pretrained."""
    return trained[0].save_pretrained(tmp_path / "saved")


@pytest.fixture
def server():
    """A local HTTP server (``hub_testing.Server``), shut down after the test."""
    served = Server()
    yield served
    served.close()
