"""Under DDP each rank holds a share; the states reduce (sum / cat) to what one process would compute."""

import math

import pytest
import torch

from ganzoo.callbacks import GenerativeMetricsCallback
from ganzoo.metrics import FID, KID, FeatureMoments, FeatureStats, InceptionScore

from .helpers import SyntheticImages, quiet_trainer, tiny_extractor, tiny_gan


def _mean(value):
    """IS and KID return (mean, std); FID a scalar."""
    return value[0] if isinstance(value, tuple) else value


def reference(features):
    return FeatureStats.from_features(features, features=features)


@pytest.mark.parametrize("n", [30, 300], ids=["samples-kept", "moments-only"])
def test_two_shards_merge_to_the_single_process_value(n):
    g = torch.Generator().manual_seed(0)
    real, fake = torch.randn(400, 64, generator=g), torch.randn(n, 64, generator=g) * 1.2
    logits = torch.randn(n, 10, generator=g)
    makers = {
        "fid": (lambda: FID(reference(real)), fake),
        "is": (lambda: InceptionScore(splits=1), logits),
        # subsets of all n generated samples: the value does not depend on the order the shards arrive in
        "kid": (lambda: KID(reference(real), subsets=4, subset_size=n), fake),
    }
    for name, (make, data) in makers.items():
        whole, rank0, rank1 = make(), make(), make()
        whole.update(data)
        rank0.update(data[: n // 3])
        rank1.update(data[n // 3 :])
        rank0.merge_state(rank1)  # the reduction torchmetrics applies across processes
        expected, got = whole.compute(), rank0.compute()
        if name == "kid":  # rank 0's features come first, as in the gathered state: same set, same draws
            torch.testing.assert_close(got, expected, rtol=1e-9, atol=1e-12)
        else:
            torch.testing.assert_close(
                torch.as_tensor(got[0] if name == "is" else got),
                torch.as_tensor(expected[0] if name == "is" else expected),
            )


def test_moments_reduce_by_sum():
    x = torch.randn(100, 8, dtype=torch.float64)
    a, b = FeatureMoments(), FeatureMoments()
    a.update(x[:37])
    b.update(x[37:])
    a.merge_state(b)
    torch.testing.assert_close(a.compute().sigma, torch.cov(x.T))


@pytest.mark.slow
def test_callback_under_ddp_with_two_cpu_processes(tmp_path):
    cb = GenerativeMetricsCallback(
        extractor=tiny_extractor(),
        num_samples=40,
        batch_size=8,
        is_splits=2,
        kid_subsets=4,
        kid_subset_size=16,
    )
    trainer = quiet_trainer(
        strategy="ddp_spawn", devices=2, max_epochs=1, limit_train_batches=2, callbacks=[cb]
    )
    trainer.fit(tiny_gan(), datamodule=SyntheticImages(data_dir=tmp_path, image_size=8, batch_size=8))
    logged = trainer.callback_metrics
    for name in ("val/fid", "val/is", "val/kid"):
        assert name in logged and math.isfinite(float(logged[name])), name
