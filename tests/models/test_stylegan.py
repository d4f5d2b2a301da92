"""StyleGAN (2019): AdaIN and noise injection against their formulas, truncation in W, style mixing, and the
paper's training terms on StyleGAN2's loop."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from ganzoo.models import StyleGAN, StyleGAN2
from ganzoo.nn.stylegan import AdaIN, NoiseInjection, StyleGANGenerator

SMALL = {"channel_base": 256, "channel_max": 16}


def tiny(**kwargs: object) -> StyleGAN:
    return StyleGAN(
        z_dim=8,
        w_dim=8,
        img_resolution=16,
        synthesis_kwargs=SMALL,
        discriminator_kwargs=SMALL,
        **kwargs,
    )


def test_adain_normalises_each_map_then_applies_the_style_of_w() -> None:
    torch.manual_seed(0)
    adain = AdaIN(channels=4, w_dim=6)
    torch.nn.init.normal_(adain.style.bias)
    x, w = torch.randn(3, 4, 5, 5) * 3 + 1, torch.randn(3, 6)
    style = F.linear(w, adain.style.weight * adain.style.weight_gain, adain.style.bias)
    scale, shift = style[:, :4, None, None], style[:, 4:, None, None]
    expected = F.instance_norm(x, eps=1e-8) * (scale + 1) + shift
    torch.testing.assert_close(adain(x, w), expected, atol=1e-5, rtol=1e-5)


def test_noise_is_scaled_per_feature_map_and_its_modes() -> None:
    noise = NoiseInjection(channels=3, resolution=4)
    x = torch.zeros(2, 3, 4, 4)
    assert torch.equal(noise(x, "random"), x)  # the weights start at zero
    noise.weight.data = torch.tensor([0.0, 1.0, 2.0])
    const = noise(x, "const")
    torch.testing.assert_close(const[:, 2], 2 * noise.noise_const.expand(2, 4, 4))
    assert torch.equal(const[:, 0], x[:, 0]) and torch.equal(noise(x, "const"), const)
    assert torch.equal(noise(x, "none"), x)
    first, second = noise(x, "random"), noise(x, "random")
    assert not torch.equal(first, second) and not torch.equal(first[0], first[1])


def test_one_w_per_layer_and_truncation_moves_them_towards_w_avg() -> None:
    torch.manual_seed(0)
    g = StyleGANGenerator(8, 0, 8, 32, 3, **SMALL)
    assert g.num_ws == 8  # two layers per resolution, 4 to 32
    g.mapping.w_avg.normal_()
    z = torch.randn(2, 8)
    ws = g.mapping(z)
    torch.testing.assert_close(g.mapping(z, truncation_psi=0.0), g.mapping.w_avg.expand_as(ws))
    cut = g.mapping(z, truncation_psi=0.5, truncation_cutoff=4)
    torch.testing.assert_close(cut[:, :4], g.mapping.w_avg + 0.5 * (ws[:, :4] - g.mapping.w_avg))
    torch.testing.assert_close(cut[:, 4:], ws[:, 4:])


def test_style_mixing_takes_the_given_layers_from_the_column_seed() -> None:
    model = tiny().eval()
    mixed = model.mix([0, 1], [2], layers=[4, 5])
    z = model.seed_latents([0, 1, 2])  # the z NVIDIA's style_mixing.py draws for these seeds
    ws = model.mapping(z)
    by_hand = ws[:2].clone()
    by_hand[:, 4:6] = ws[2, 4:6]
    torch.testing.assert_close(mixed[:, 0], model.synthesis(by_hand), atol=1e-5, rtol=1e-5)
    assert not torch.allclose(mixed[:, 0], model.synthesis(ws[:2]))


def test_the_papers_training_terms_on_stylegan2s_loop() -> None:
    model = tiny()
    assert model.training_step.__func__ is StyleGAN2.training_step
    terms = {t.name: (t.network, t.every) for t in model.lazy_regularizers()}
    assert terms == {"r1": ("discriminator", 1)}  # R1 at every D step; no path length term
    assert model.hparams.r1_gamma == 10.0 and model.hparams.style_mixing_prob == 0.9
    assert model.hparams.lr_g == model.hparams.lr_d == 0.001
    assert model.discriminator.b16.architecture == "orig"
    real = torch.rand(4, 3, 16, 16) * 2 - 1
    out = model.d_loss(real)
    assert torch.isfinite(out["loss"]) and model.sample(2, seed=0, truncation=0.7).shape == (2, 3, 16, 16)
