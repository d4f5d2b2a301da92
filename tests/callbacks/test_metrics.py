"""The training callback logs finite FID / IS / KID, by epoch or by generator step."""

import math

import pytest

from ganzoo.callbacks import GenerativeMetricsCallback
from ganzoo.metrics.stats import reference_stats

from ..metrics.helpers import SyntheticImages, quiet_trainer, tiny_extractor, tiny_gan


def callback(**kwargs):
    protocol = dict(num_samples=40, batch_size=16, is_splits=2, kid_subsets=4, kid_subset_size=20)
    return GenerativeMetricsCallback(extractor=tiny_extractor(), **{**protocol, **kwargs})


ONE_BATCH = {"max_epochs": 1, "limit_train_batches": 1}


def test_logs_finite_metrics_after_a_one_batch_epoch(tmp_path):
    trainer = quiet_trainer(**ONE_BATCH, callbacks=[callback()])
    trainer.fit(tiny_gan(), datamodule=SyntheticImages(data_dir=tmp_path, image_size=8, batch_size=16))
    logged = trainer.callback_metrics
    for name in ("val/fid", "val/is", "val/kid"):
        assert name in logged and math.isfinite(float(logged[name])), name
    assert float(logged["val/fid"]) > 0 and float(logged["val/is"]) >= 1


def test_every_n_steps_counts_generator_updates(tmp_path):
    cb = callback(every_n_epochs=0, every_n_steps=2, metrics=["fid"])
    trainer = quiet_trainer(max_epochs=1, limit_train_batches=4, callbacks=[cb])
    trainer.fit(tiny_gan(), datamodule=SyntheticImages(data_dir=tmp_path, image_size=8, batch_size=16))
    assert cb._last_step == 4 and set(trainer.callback_metrics) >= {"val/fid"}
    assert "val/is" not in trainer.callback_metrics


def test_reference_from_a_file_and_a_clear_error_without_one(tmp_path):
    dm = SyntheticImages(data_dir=tmp_path, image_size=8, batch_size=16)
    loader = dm.train_dataloader()
    with pytest.raises(ValueError, match="needs reference statistics"):
        quiet_trainer(**ONE_BATCH, callbacks=[callback()]).fit(tiny_gan(), train_dataloaders=loader)

    reference = reference_stats(dm, "test", extractor=tiny_extractor(), cache_dir=tmp_path)
    trainer = quiet_trainer(**ONE_BATCH, callbacks=[callback(reference=next(tmp_path.glob("*.npz")))])
    trainer.fit(tiny_gan(), train_dataloaders=loader)
    assert reference.meta["split"] == "test" and math.isfinite(float(trainer.callback_metrics["val/fid"]))


def test_a_fast_dev_run_measures_nothing(tmp_path):
    """A smoke test of a card must not spend hours on reference statistics (Lightning's fast_dev_run skips
    checkpointing for the same reason): nothing is computed, nothing is logged."""
    cb = callback()
    trainer = quiet_trainer(fast_dev_run=True, callbacks=[cb])
    trainer.fit(tiny_gan(), datamodule=SyntheticImages(data_dir=tmp_path, image_size=8, batch_size=16))
    assert trainer.state.finished and cb.suite is None and cb.reference is None
    assert not any(k.startswith("val/") for k in trainer.callback_metrics)
