"""Pix2Pix: the authors' objective term by term, both networks train, and a tiny model learns a mapping."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from ganzoo.models import Pix2Pix

from .helpers import StepRecorder, changed, optimizer_of, quiet_trainer, snapshot
from .translation_data import PERMUTATION, loader, smooth_images


def tiny(**kwargs) -> Pix2Pix:
    defaults = dict(net_g="unet_32", ngf=4, ndf=4, image_size=32)
    return Pix2Pix(**{**defaults, **kwargs})


def _batch(size: int = 32) -> dict[str, torch.Tensor]:
    a = smooth_images(2, size)
    return {"A": a, "B": a[:, PERMUTATION]}


def test_defaults_are_the_authors():
    with torch.device("meta"):
        model = Pix2Pix()
    hp = model.hparams
    assert (hp.net_g, hp.net_d, hp.norm, hp.dropout, hp.loss) == (
        "unet_256",
        "basic",
        "batch",
        True,
        "nonsaturating",
    )
    assert (hp.lambda_l1, hp.lr_g, hp.lr_d, optimizer_of(model).defaults["betas"]) == (
        100.0,
        2e-4,
        2e-4,
        (0.5, 0.999),
    )
    assert (hp.n_epochs, hp.n_epochs_decay) == (100, 100)
    assert model.discriminator.model[0].in_channels == 6  # D sees concat(input, output)


def test_generator_loss_is_gan_plus_100_l1():
    torch.manual_seed(0)
    model = tiny(dropout=False)
    batch = _batch()
    out = model.g_loss(batch)
    x, y = batch["A"], batch["B"]
    fake = model.generator(x)
    scores = model.discriminator(torch.cat([x, fake], 1))
    gan = -torch.log(torch.sigmoid(scores)).mean()  # BCE against "real"
    l1 = (fake - y).abs().mean()
    assert torch.allclose(out["g_gan"], gan, rtol=1e-5)
    assert torch.allclose(out["g_l1"], l1)
    assert torch.allclose(out["loss"], gan + 100 * l1, rtol=1e-5)


def test_discriminator_loss_is_halved_bce_on_conditioned_pairs():
    torch.manual_seed(0)
    model = tiny(dropout=False)
    batch = _batch()
    out = model.d_loss(batch)
    x, y = batch["A"], batch["B"]
    with torch.no_grad():
        fake = model.generator(x)
    real_p = torch.sigmoid(model.discriminator(torch.cat([x, y], 1)))
    fake_p = torch.sigmoid(model.discriminator(torch.cat([x, fake], 1)))
    expected = 0.5 * (-torch.log(real_p).mean() - torch.log(1 - fake_p).mean())
    assert torch.allclose(out["loss"], expected, rtol=1e-5)


def test_lsgan_variant_uses_squared_errors():
    torch.manual_seed(0)
    model = tiny(dropout=False, loss="least_squares")
    batch = _batch()
    x = batch["A"]
    fake = model.generator(x)
    scores = model.discriminator(torch.cat([x, fake], 1))
    expected = ((scores - 1) ** 2).mean() + 100 * F.l1_loss(fake, batch["B"])
    assert torch.allclose(model.g_loss(batch)["loss"], expected, rtol=1e-5)


def test_one_d_and_one_g_step_per_batch_and_both_networks_change():
    torch.manual_seed(0)
    model = tiny()
    g0, d0 = snapshot(model.generator), snapshot(model.discriminator)
    recorder = StepRecorder()
    quiet_trainer(max_steps=6, callbacks=[recorder]).fit(model, loader(n=6, batch_size=2))
    assert recorder.sequence == ["D", "G"] * 3
    assert all(recorder.other_frozen)
    assert (int(model.num_d_steps), int(model.num_g_steps)) == (3, 3)
    assert changed(g0, model.generator) and changed(d0, model.discriminator)


def test_generator_only_model_refuses_to_train():
    model = tiny(generator_only=True)
    assert model.discriminator is None and not any(k.startswith("discriminator") for k in model.state_dict())
    with pytest.raises(RuntimeError, match="generator_only"):
        quiet_trainer(max_steps=1).fit(model, loader(n=2, batch_size=2))


def test_non_dict_batches_are_refused_clearly():
    with pytest.raises(TypeError, match="'paired' or 'unpaired' DataModule"):
        tiny().g_loss(torch.zeros(2, 3, 32, 32))


def test_tiny_pix2pix_learns_a_channel_permutation():
    """L1 to the target falls far below the identity baseline (output = input) within 100 G updates."""
    torch.manual_seed(0)
    model = tiny(ngf=8, ndf=8, dropout=False, lr_g=1e-3, lr_d=1e-3)
    test = smooth_images(16, 32, seed=1)
    baseline = F.l1_loss(test, test[:, PERMUTATION])  # about 0.40
    quiet_trainer(max_steps=2 * 100).fit(model, loader(n=64, batch_size=8))
    with torch.no_grad():
        l1 = F.l1_loss(model.translate(test, eval_mode=True), test[:, PERMUTATION])
    assert l1 < 0.4 * baseline, (float(l1), float(baseline))  # measured: 0.12
