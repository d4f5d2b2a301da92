"""Sample grids land on disk and in TensorBoard / W&B / CSV runs; the progress bar shows both losses."""

from __future__ import annotations

from pathlib import Path

import lightning as L
import pytest
import torch
from lightning.pytorch.loggers import CSVLogger, TensorBoardLogger, WandbLogger
from PIL import Image

from ganzoo.callbacks import GANProgressBar, SampleGrid
from ganzoo.data import MNIST
from ganzoo.models import DCGAN


def fit_with(logger, tmp_path: Path, mnist_dir: Path, grid: SampleGrid) -> L.Trainer:
    trainer = L.Trainer(
        accelerator="cpu",
        max_epochs=2,
        limit_train_batches=2,
        logger=logger,
        callbacks=[grid],
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        default_root_dir=tmp_path,
    )
    model = DCGAN(image_size=16, channels=1, g_width=8, d_width=8)
    trainer.fit(model, MNIST(data_dir=mnist_dir, image_size=16, batch_size=8, download=False))
    return trainer


def test_grid_png_per_epoch_from_fixed_noise(tmp_path, mnist_dir) -> None:
    grid = SampleGrid(num_samples=16, every_n_epochs=1, seed=3)
    trainer = fit_with(CSVLogger(tmp_path), tmp_path, mnist_dir, grid)
    pngs = sorted((Path(trainer.log_dir) / "samples").glob("*.png"))
    assert [p.name for p in pngs] == ["epoch=000-step=4.png", "epoch=001-step=8.png"]
    assert grid.last_path == pngs[-1]
    with Image.open(pngs[-1]) as img:
        assert img.size == (4 * 16 + 5 * 2,) * 2
    # fixed noise: the same seed gives the same latents on every call
    module = trainer.lightning_module
    torch.testing.assert_close(module.sample(16, seed=3), module.sample(16, seed=3))


def test_grid_is_logged_to_tensorboard(tmp_path, mnist_dir) -> None:
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    trainer = fit_with(TensorBoardLogger(tmp_path), tmp_path, mnist_dir, SampleGrid(num_samples=4))
    events = EventAccumulator(trainer.log_dir, size_guidance={"images": 0})
    events.Reload()
    assert "samples" in events.Tags()["images"]
    assert [e.step for e in events.Images("samples")] == [4, 8]


def test_grid_is_logged_to_wandb_offline(tmp_path, mnist_dir, monkeypatch) -> None:
    monkeypatch.setenv("WANDB_MODE", "offline")
    monkeypatch.setenv("WANDB_SILENT", "true")
    logger = WandbLogger(project="ganzoo-test", save_dir=str(tmp_path), offline=True)
    fit_with(logger, tmp_path, mnist_dir, SampleGrid(num_samples=4))
    import wandb

    wandb.finish()
    media = list((tmp_path / "wandb").rglob("media/images/samples_*.png"))
    assert len(media) == 2, f"expected one W&B image per epoch, found {media}"


def test_progress_bar_shows_d_and_g(tmp_path, mnist_dir) -> None:
    bar = GANProgressBar()
    trainer = L.Trainer(
        accelerator="cpu",
        max_steps=4,
        logger=False,
        callbacks=[bar],
        enable_checkpointing=False,
        enable_model_summary=False,
        default_root_dir=tmp_path,
    )
    trainer.fit(
        DCGAN(image_size=16, channels=1, g_width=8, d_width=8),
        MNIST(data_dir=mnist_dir, image_size=16, batch_size=8, download=False),
    )
    items = bar.get_metrics(trainer, trainer.lightning_module)
    assert set(items) >= {"D", "G"} and "v_num" not in items
    assert float(items["D"]) == pytest.approx(trainer.callback_metrics["train/d_loss"].item(), abs=1e-3)
