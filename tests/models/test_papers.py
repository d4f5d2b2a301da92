"""Every paper trains: both networks change, D steps d_steps times per G step, the other network is frozen."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from ganzoo.cli import run_cli
from ganzoo.data import MNIST
from ganzoo.models import GAN, WGAN

from .helpers import TINY_PAPERS, StepRecorder, changed, optimizer_of, quiet_trainer, snapshot

CARDS = Path(__file__).resolve().parents[2] / "zoo_cards"


@pytest.mark.parametrize("name", sorted(TINY_PAPERS))
def test_paper_trains_with_its_d_steps_schedule(name: str, mnist_dir) -> None:
    torch.manual_seed(0)
    model = TINY_PAPERS[name]()
    g_before, d_before = snapshot(model.generator), snapshot(model.discriminator)
    recorder = StepRecorder()
    cycles = 2
    trainer = quiet_trainer(max_steps=cycles * (model.d_steps + 1), callbacks=[recorder])
    trainer.fit(model, MNIST(data_dir=mnist_dir, image_size=16, batch_size=8, download=False))

    assert recorder.sequence == (["D"] * model.d_steps + ["G"]) * cycles
    assert all(recorder.other_frozen), "the network not being updated must have requires_grad=False"
    assert int(model.num_d_steps) == cycles * model.d_steps and int(model.num_g_steps) == cycles
    assert changed(g_before, model.generator), "generator weights did not change"
    assert changed(d_before, model.discriminator), "discriminator weights did not change"
    samples = model.sample(4, seed=0)
    assert torch.isfinite(samples).all() and samples.min() >= -1 and samples.max() <= 1


@pytest.mark.parametrize("name", ["DCGAN", "LSGAN", "WGAN", "WGANGP", "DRAGAN", "BEGAN", "NSGAN-lucic2018"])
def test_generator_only_form_samples_as_the_whole_model_does_but_cannot_train(name: str) -> None:
    torch.manual_seed(0)
    whole = TINY_PAPERS[name]().eval()
    form = type(whole)(**{**whole.hparams, "generator_only": True}).eval()
    assert form.discriminator is None and not any(k.startswith("discriminator.") for k in form.state_dict())
    form.load_state_dict({k: v for k, v in whole.state_dict().items() if k in form.state_dict()})
    torch.testing.assert_close(form.sample(3, seed=5), whole.sample(3, seed=5), atol=0, rtol=0)
    with pytest.raises(RuntimeError, match="without generator_only to train"):
        form.configure_optimizers()


def test_paper_defaults_follow_the_papers() -> None:
    wgan = WGAN()
    assert (
        wgan.d_steps,
        wgan.hparams.weight_clip,
        type(optimizer_of(wgan)).__name__.lower(),
        wgan.hparams.lr_d,
    ) == (
        5,
        0.01,
        "rmsprop",
        5e-5,
    )
    gp = TINY_PAPERS["WGANGP"]()
    assert (
        gp.d_steps,
        gp.hparams.penalty,
        gp.hparams.penalty_weight,
        optimizer_of(gp).defaults["betas"],
    ) == (
        5,
        "gradient",
        10.0,
        (0.0, 0.9),
    )
    assert not any(isinstance(m, torch.nn.BatchNorm2d) for m in gp.discriminator.modules())
    dc = TINY_PAPERS["DCGAN"]()
    assert (dc.hparams.lr_g, optimizer_of(dc).defaults["betas"], dc.hparams.loss) == (
        2e-4,
        (0.5, 0.999),
        "nonsaturating",
    )
    assert TINY_PAPERS["LSGAN"]().hparams.loss == "least_squares"
    assert TINY_PAPERS["DRAGAN"]().hparams.penalty == "dragan"


def test_wgan_critic_weights_stay_in_the_clip_range(mnist_dir) -> None:
    model = TINY_PAPERS["WGAN"]()
    torch.nn.init.normal_(next(model.discriminator.parameters()), std=1.0)  # start far outside the range
    quiet_trainer(max_steps=12).fit(
        model, MNIST(data_dir=mnist_dir, image_size=16, batch_size=8, download=False)
    )
    clip = model.hparams.weight_clip
    assert max(p.abs().max().item() for p in model.discriminator.parameters()) <= clip


def test_began_updates_k_after_each_discriminator_step() -> None:
    model = TINY_PAPERS["BEGAN"]()
    model.k.fill_(0.5)
    model.after_d_step({"loss_real": torch.tensor(0.2), "loss_fake": torch.tensor(0.05)})
    assert model.k.item() == pytest.approx(0.5 + model.lambda_k * (model.gamma * 0.2 - 0.05))
    assert "k" in dict(model.named_buffers()), "k_t must be checkpointed with the weights"


def test_began_discriminator_is_an_autoencoder() -> None:
    model = TINY_PAPERS["BEGAN"]()
    x = torch.rand(2, 1, 16, 16) * 2 - 1
    assert model.discriminator(x).shape == x.shape
    z = model.sample_latent(1000)
    assert z.min() >= -1 and z.max() <= 1 and z.mean().abs() < 0.05, "BEGAN samples z ~ U[-1, 1]"


def test_gan_discriminator_reads_pixels_in_the_papers_unit_range() -> None:
    """D(x) is the same network applied to (x + 1) / 2: the papers' MNIST pixels lie in [0, 1]."""
    image_gan = TINY_PAPERS["GAN"]()
    d = image_gan.discriminator.eval()  # no dropout: the same network both times
    x = torch.rand(6, 1, 16, 16) * 2 - 1
    d.unit_range = False
    plain = d((x + 1) / 2)
    d.unit_range = True
    torch.testing.assert_close(d(x), plain)
    assert not torch.allclose(d(x), d((x + 1) / 2)), "the rescaling must change what D sees"
    toy = GAN(data_shape=(2,), g_hidden=(8,), d_hidden=(8,), maxout_pieces=1, tanh=False)
    assert not toy.discriminator.unit_range, "unbounded data (no tanh) must reach D unchanged"


@pytest.mark.slow
@pytest.mark.parametrize("card", ["gan_mnist", "cgan_mnist"])
def test_mnist_cards_stay_finite_on_real_mnist(card: str, real_mnist, tmp_path) -> None:
    """Regression: with [-1, 1] pixels both cards' SGD went NaN on real MNIST at global steps ~150-260."""
    steps = 300
    cli = run_cli(
        [
            "fit",
            "-c",
            str(CARDS / f"{card}.yaml"),
            "--data.data_dir",
            str(real_mnist),
            "--data.download",
            "false",
            "--data.num_workers",
            "0",
            "--trainer.max_steps",
            str(steps),
            "--trainer.logger",
            "false",
            "--trainer.enable_checkpointing",
            "false",
            "--trainer.default_root_dir",
            str(tmp_path),
        ]
    )
    assert cli.trainer.global_step == steps
    assert all(torch.isfinite(p).all() for p in cli.model.parameters())
    assert torch.isfinite(cli.model.sample(8, seed=0)).all()
