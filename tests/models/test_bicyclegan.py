"""BicycleGAN: the authors' objective term by term, z changes the output, and the encoder recovers z."""

from __future__ import annotations

import pytest
import torch
from torch.utils.data import DataLoader

from ganzoo.models import BicycleGAN, MultimodalTranslator

from .helpers import changed, optimizer_of, quiet_trainer, snapshot
from .translation_data import PERMUTATION, coloured_squares, smooth_images


def tiny(**kwargs) -> BicycleGAN:
    defaults = dict(net_g="unet_64", ngf=4, ndf=4, nef=4, image_size=64)
    return BicycleGAN(**{**defaults, **kwargs})


def _batch(n: int = 2, size: int = 64) -> dict[str, torch.Tensor]:
    a = smooth_images(n, size)
    return {"A": a, "B": a[:, PERMUTATION]}


def test_defaults_are_the_authors():
    with torch.device("meta"):
        model = BicycleGAN()
    hp = model.hparams
    assert (hp.nz, hp.net_g, hp.norm, hp.loss, hp.num_ds) == (8, "unet_256", "instance", "least_squares", 2)
    assert (hp.lambda_l1, hp.lambda_kl, hp.lambda_z, hp.lambda_gan, hp.lambda_gan2) == (10.0, 0.01, 0.5, 1, 1)
    assert (hp.lr_g, hp.lr_d, optimizer_of(model).defaults["betas"]) == (2e-4, 2e-4, (0.5, 0.999))
    assert isinstance(model, MultimodalTranslator)
    d = model.discriminator["cvae"]
    assert [s.model[0].out_channels for s in d.scales] == [64, 32]  # the coarser scale is half as wide
    assert d.scales[0].model[0].in_channels == 3  # D judges B alone (no --conditional_D)
    assert len(model.encoder.conv) == 1 + 4 + 2  # resnet_256: a conv, 4 blocks, activation and pooling


def test_encoder_trains_with_the_generator():
    model = tiny()
    _, opt_g = model.configure_optimizers()[0]
    g_params = {id(p) for group in opt_g.param_groups for p in group["params"]}
    assert {id(p) for p in model.encoder.parameters()} <= g_params
    assert {id(p) for p in model.generator.parameters()} <= g_params
    assert not g_params & {id(p) for p in model.discriminator.parameters()}


def test_generator_loss_is_the_authors_sum():
    torch.manual_seed(0)
    model = tiny()
    batch = _batch(4)
    torch.manual_seed(1)
    out = model.g_loss(batch)
    torch.manual_seed(1)  # the same draws of the reparameterisation noise and of the random z
    a, b = batch["A"][:2], batch["B"][:2]
    mu, logvar = model.encoder(b)
    z_enc = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
    z_rand = torch.randn_like(mu)
    fake_enc, fake_rand = model.generator(a, z_enc), model.generator(a, z_rand)
    mse1 = lambda scores: sum(((s - 1) ** 2).mean() for s in scores)  # noqa: E731  (GANLoss lsgan, summed)
    gan = mse1(model.discriminator["cvae"](fake_enc))
    gan2 = mse1(model.discriminator["clr"](fake_rand))
    kl = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp()) * 0.01
    l1 = (fake_enc - b).abs().mean() * 10
    z_l1 = (model.encoder(fake_rand)[0] - z_rand).abs().mean() * 0.5
    for key, value in dict(g_gan=gan, g_gan2=gan2, kl=kl, g_l1=l1, z_l1=z_l1).items():
        torch.testing.assert_close(out[key], value, rtol=1e-5, atol=1e-6, msg=key)
    torch.testing.assert_close(out["loss"], gan + gan2 + kl + l1 + z_l1, rtol=1e-5, atol=1e-6)


def test_discriminator_loss_sees_the_second_half_as_real():
    torch.manual_seed(0)
    model = tiny()
    batch = _batch(4)
    torch.manual_seed(1)
    out = model.d_loss(batch)
    torch.manual_seed(1)
    fake = model.fakes(batch)
    d2 = model.discriminator["clr"]
    real_scores, fake_scores = d2(batch["B"][2:]), d2(fake["random"].detach())
    expected = sum(
        ((r - 1) ** 2).mean() + (f**2).mean() for r, f in zip(real_scores, fake_scores, strict=True)
    )
    torch.testing.assert_close(out["d_clr"], expected, rtol=1e-5, atol=1e-6)


def test_latent_regression_trains_the_generator_alone():
    torch.manual_seed(0)
    model = tiny(lambda_l1=0, lambda_kl=0, lambda_gan=0, lambda_gan2=0)
    model.g_loss(_batch())["loss"].backward()
    assert all(p.grad is None or not p.grad.any() for p in model.encoder.parameters())
    assert any(p.grad is not None and p.grad.abs().sum() > 0 for p in model.generator.parameters())


def test_odd_batches_are_refused():
    with pytest.raises(ValueError, match="even size"):
        tiny().g_loss(_batch(3))


def test_outputs_differ_across_z_and_a_seed_fixes_them():
    torch.manual_seed(0)
    model = tiny().eval()
    x = smooth_images(1, 64)[0]
    samples = model.translate_samples(x, 4, seed=0)
    assert samples.shape == (4, 3, 64, 64)
    spread = (samples[:, None] - samples[None]).abs().flatten(2).mean(-1)
    assert spread[~torch.eye(4, dtype=torch.bool)].min() > 1e-4
    torch.testing.assert_close(model.translate_samples(x, 4, seed=0), samples)
    z = model.latent(1, seed=3)
    torch.testing.assert_close(model.translate(x, z=z[0]), model.translate(x, seed=3))
    with pytest.raises(ValueError, match="either z or seed"):
        model.translate(x, z=z, seed=3)


def test_pil_images_are_translated_and_encoded_at_image_size():
    from PIL import Image

    model = tiny(in_channels=1).eval()
    edges = Image.new("L", (100, 80), 255)
    out = model.translate(edges, seed=0)
    assert isinstance(out, Image.Image) and out.size == (64, 64) and out.mode == "RGB"
    assert model.encode(Image.new("RGB", (70, 70))).shape == (8,)


def latent_regression_run(
    seed: int, steps: int = 600, batch_size: int = 16, **kwargs
) -> dict[str, float | bool]:
    """Trains a small BicycleGAN on ``coloured_squares`` for ``steps`` G updates through the Lightning loop
    and measures |E(G(A, z)) - z|_1 (E's mean, G and E in eval mode) on held-out squares and codes, before
    and after; ``kwargs`` override the test's configuration (e.g. ``init_gain=0.02``, the authors')."""
    torch.manual_seed(seed)
    model = tiny(**{**dict(nz=3, ngf=8, nef=8, init_gain=1.0, lr_g=1e-3, lr_d=1e-3), **kwargs})
    a, b = coloured_squares(256, seed=seed + 1)
    data = [{"A": a[i : i + batch_size], "B": b[i : i + batch_size]} for i in range(0, 256, batch_size)]
    test_a, _ = coloured_squares(64, seed=1000)
    z = torch.randn(64, 3, generator=torch.Generator().manual_seed(1001))

    def recovered() -> torch.Tensor:
        return model.encode(model.translate(test_a, z=z))

    before, g0, e0 = (recovered() - z).abs().mean(), snapshot(model.generator), snapshot(model.encoder)
    loop = quiet_trainer(max_steps=2 * steps)  # max_steps counts D and G updates
    loop.fit(model, DataLoader(data, batch_size=None, shuffle=True))
    mu = recovered()
    to_own, to_other = (mu - z).abs().mean(1), (mu - z.roll(1, 0)).abs().mean(1)
    return {
        "before": float(before),
        "after": float(to_own.mean()),
        "trivial": float(z.abs().mean()),  # the error of predicting 0, about sqrt(2 / pi) = 0.80
        "nearer_own": float((to_own < to_other).float().mean()),
        "g_changed": changed(g0, model.generator),
        "e_changed": changed(e0, model.encoder),
    }


@pytest.mark.slow
def test_training_makes_the_encoder_recover_z(single_thread):
    """Trained on squares whose colour A does not fix (so only z can carry it), the latent regression
    error |E(G(A, z)) - z|_1 on held-out squares and codes falls well below its value at initialisation
    and below that of predicting 0 (0.74 on these codes), and E(G(A, z1)) is nearer z1 than z2 for most
    pairs. Measured, 600 G updates on batches of 16 (1.5-2 minutes at a load of 3 on two CPU cores): error
    0.73 -> 0.26 for seed 0, nearer its own code for 92% (seeds 1, 2, 3: 0.80 -> 0.21, 0.75 -> 0.24,
    0.85 -> 0.34; 91-97%). The bars, under 0.6x the start and under 0.45 (0.6x predicting 0), leave room
    over the worst seed (0.40x, 0.34); after 400 updates the error is only down to 0.35-0.57, hence 600.
    Unlike the authors, the initialisation gain is 1 and lr 1e-3: in this run their gain 0.02 gives
    0.74 -> 0.70 (seed 0) and 0.74 -> 0.56 (seed 1), their lr 2e-4 gives 0.73 -> 0.96 and 0.80 -> 0.70.
    Narrow networks started that small learn slowly to put z into the colour (G) and to read it back (E)."""
    run = latent_regression_run(seed=0)
    print(run)
    assert run["g_changed"] and run["e_changed"]
    assert run["after"] < 0.6 * run["before"], run
    assert run["after"] < 0.6 * run["trivial"], run
    assert run["nearer_own"] >= 0.75, run  # chance: half
