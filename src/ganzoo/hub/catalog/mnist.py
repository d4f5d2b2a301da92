"""The MNIST checkpoints trained by ganzoo itself; they ship inside the package, so they load offline."""

from __future__ import annotations

from ganzoo.hub.catalog.entry import Metric, Pretrained, packaged
from ganzoo.registry import WEIGHTS


def mnist_fid_protocol(n: int, size: int = 32) -> str:
    """The FID protocol of the shipped MNIST checkpoints (tests/hub/test_shipped.py re-measures n=500), at
    the model's ``size`` (28: MNIST's own, 32: resized from it).

    FID is biased upwards below ~2048 samples, so compare these numbers only with ones measured the same way.
    """
    return (
        f"standard FID Inception (TF 2015-12-05 weights, 2048-d pool3), 8-bit quantised, {size}->299 TF1 "
        f"bilinear resize, grey replicated to RGB; {n} samples (model.sample, seed 0, batches of 50) vs {n} "
        f"images of the MNIST test split (random subset, seed 0) at {size}x{size}"
    )


def lucic_fid_protocol() -> str:
    """The FID protocol of ``benchmarks/lucic2018.py`` (the MNIST column of Lucic et al. 2018), measured there
    on the run's float32 weights; the shipped float16 file differs from them far below 8-bit pixels."""
    return (
        "Lucic et al. 2018's MNIST protocol as benchmarks/lucic2018.py runs it: standard FID Inception "
        "(TF 2015-12-05 weights, 2048-d pool3), 8-bit quantised, 28->299 TF1 bilinear resize, grey "
        "replicated to RGB; 10,000 samples (model.sample, seed 0) vs the 10,000 images of the MNIST test "
        "split at 28x28"
    )


_DCGAN_TRAINING = (
    "`ganzoo fit -c zoo_cards/dcgan_mnist.yaml -c benchmarks/configs/fid500_best_checkpoint.yaml "
    "--data.init_args.data_dir <MNIST folder> --trainer.max_time 00:00:35:00` on 2 CPU cores: 6 of the "
    "card's 25 epochs in 35 minutes (5,622 generator steps, batch 64), the best epoch by FID-500 (128.1, "
    "79.5, 54.0, 58.5, 58.2, 50.6 after epochs 1-6; 52.1 in the part of epoch 7 the time allowed)"
)

_WGAN_GP_TRAINING = (
    "`ganzoo fit -c zoo_cards/wgan_gp_mnist.yaml -c benchmarks/configs/fid500_best_checkpoint.yaml "
    "--data.init_args.data_dir <MNIST folder> --trainer.max_time 00:00:35:00` on 2 CPU cores: 7 of the "
    "card's 100 epochs in 35 minutes (1,311 generator steps at 5 critic steps each, batch 64), the best"
    " epoch by FID-500 (353.9, 298.4, 254.8, 175.4, 112.6, 95.3, 85.0 after epochs 1-7)"
)

ENTRIES: tuple[Pretrained, ...] = (
    Pretrained(
        name="dcgan-mnist",
        model="ganzoo.models.DCGAN",
        init_args={"latent_dim": 100, "image_size": 32, "channels": 1, "g_width": 64, "d_width": 64},
        sha256="44600984372eb2df6b604b3427fbdeb4932ae92fed12c75c7a041192dc5b7b54",
        sources=(packaged("dcgan-mnist"),),
        format="ganzoo",
        filename="model.safetensors",
        license="Apache-2.0",
        paper='Radford et al., "Unsupervised Representation Learning with Deep Convolutional GANs", '
        "ICLR 2016",
        dataset="mnist",
        metrics=(
            Metric("FID", 50.58, mnist_fid_protocol(500)),
            Metric("FID", 35.27, mnist_fid_protocol(10_000)),
        ),
        zoo_card="zoo_cards/dcgan_mnist.yaml",
        training=_DCGAN_TRAINING,
    ),
    Pretrained(
        name="wgan-gp-mnist",
        model="ganzoo.models.WGANGP",
        init_args={"image_size": 32, "channels": 1, "penalty_weight": 10.0, "d_steps": 5},
        sha256="0110557e624d2d7f0386ddb7573ba6f7cedb0e30d32be1650430ad27834e5509",
        sources=(packaged("wgan-gp-mnist"),),
        format="ganzoo",
        filename="model.safetensors",
        license="Apache-2.0",
        paper='Gulrajani et al., "Improved Training of Wasserstein GANs", NeurIPS 2017',
        dataset="mnist",
        metrics=(
            Metric("FID", 84.96, mnist_fid_protocol(500)),
            Metric("FID", 60.54, mnist_fid_protocol(10_000)),
        ),
        zoo_card="zoo_cards/wgan_gp_mnist.yaml",
        training=_WGAN_GP_TRAINING,
    ),
)

LUCIC: tuple[Pretrained, ...] = (
    Pretrained(
        name="lucic-vae-mnist",
        model="ganzoo.models.VAE",
        init_args={"latent_dim": 64, "image_size": 28, "channels": 1, "generator_only": True},
        sha256="5384298d49355fa05d1db61c9a731a086e65fe8d88b889a197ce178a5ee323ca",
        sources=(packaged("lucic-vae-mnist"),),
        format="ganzoo",
        filename="model.safetensors",
        license="Apache-2.0",
        paper='Kingma & Welling, "Auto-Encoding Variational Bayes", ICLR 2014: the VAE baseline of Lucic '
        'et al. 2018, "Are GANs Created Equal?" (paper: FID 23.8 +- 0.6)',
        dataset="mnist",
        metrics=(
            Metric("FID", 33.45, lucic_fid_protocol()),
            Metric("FID", 51.14, mnist_fid_protocol(500, 28)),
        ),
        zoo_card="zoo_cards/lucic2018/vae_mnist.yaml",
        training="`benchmarks/lucic2018.py --protocol two-checkpoints` on 2 CPU cores: 20 epochs of 782 "
        "batches of 64 at the study's default setting (lr 5e-5, beta1 0.5, batch norm), seed 0; the "
        "checkpoint of epoch 20 (FID 43.01 at epoch 10), 139 CPU minutes. The decoder alone, stored in "
        "float16 (13 MB).",
    ),
    Pretrained(
        name="lucic-ns-gan-mnist",
        model="ganzoo.models.DCGAN",
        init_args={
            "architecture": "lucic2018",
            "latent_dim": 64,
            "prior": "uniform",
            "loss": "nonsaturating",
            "image_size": 28,
            "channels": 1,
            "generator_only": True,
        },
        sha256="a996273ee337ddb5394250d9912fa7d7b488d9bf13d9ef2eac3ced58a245ada0",
        sources=(packaged("lucic-ns-gan-mnist"),),
        format="ganzoo",
        filename="model.safetensors",
        license="Apache-2.0",
        paper='Goodfellow et al., "Generative Adversarial Nets", NeurIPS 2014 (the non-saturating loss) in '
        'the setting of Lucic et al. 2018, "Are GANs Created Equal?" (paper: FID 6.8 +- 0.5)',
        dataset="mnist",
        metrics=(
            Metric("FID", 23.28, lucic_fid_protocol()),
            Metric("FID", 41.23, mnist_fid_protocol(500, 28)),
        ),
        zoo_card="zoo_cards/lucic2018/ns_gan_mnist.yaml",
        training="`benchmarks/lucic2018.py --protocol two-checkpoints --screen` on 2 CPU cores: 20 epochs of"
        " 782 batches of 64 at the best of 2 screened settings (lr 1.9e-3, beta1 0.65, no batch "
        "norm in D, 1 D step), seed 1; the checkpoint of epoch 20 (FID 67.18 at epoch 10), 138 CPU "
        "minutes. The seed-0 run of the same setting scored 14.60, but its weights were not kept. "
        "The generator alone, stored in float16.",
    ),
)
"""Lucic et al. 2018's MNIST column as ``benchmarks/lucic2018.py`` reproduces it: ``lucic-<model>-mnist``, the
best run's sampling form (the decoder or generator alone)."""

WEIGHTS.register_all(ENTRIES + LUCIC)
