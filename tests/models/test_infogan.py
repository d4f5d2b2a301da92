"""InfoGAN: the latent layout, the mutual-information terms and where their gradients go."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from ganzoo import losses
from ganzoo.data import Toy2D
from ganzoo.models import InfoGAN

from .helpers import changed, optimizer_of, quiet_trainer, snapshot


def tiny(**kwargs) -> InfoGAN:
    torch.manual_seed(0)
    args = {"data_shape": (2,), "latent_dim": 3, "categories": 4, "continuous_codes": 2, "hidden": (8,)}
    return InfoGAN(**{**args, "q_hidden": 8, **kwargs})


def test_code_nlls_match_the_distributions() -> None:
    logits, codes = torch.randn(10, 4), torch.randint(4, (10,))
    expected = -torch.distributions.Categorical(logits=logits).log_prob(codes).mean()
    torch.testing.assert_close(losses.categorical_code_nll(logits, codes), expected)
    mean, log_std, c = torch.randn(10, 2), torch.randn(10, 2), torch.rand(10, 2) * 2 - 1
    normal = torch.distributions.Normal(mean, log_std.exp())
    torch.testing.assert_close(losses.gaussian_code_nll(mean, c, log_std), -normal.log_prob(c).sum(1).mean())
    fixed = 0.5 * (c - mean).pow(2).sum(1).mean() + math.log(2 * math.pi)  # std 1: half the squared error
    torch.testing.assert_close(losses.gaussian_code_nll(mean, c), fixed)


def test_defaults_are_the_papers_mnist_model() -> None:
    model = InfoGAN()
    assert model.generator.net[0].in_features == 62 + 10 + 2
    logits, q = model.discriminator(torch.randn(3, 1, 28, 28))
    assert logits.shape == (3,) and q.shape == (3, 12)
    assert model.sample(2, category=7, seed=0).shape == (2, 1, 28, 28)
    hp = model.hparams
    assert (
        hp.lr_g,
        hp.lr_d,
        optimizer_of(model).defaults["betas"],
        hp.lambda_categorical,
        hp.lambda_continuous,
    ) == (
        1e-3,
        2e-4,
        (0.5, 0.999),
        1.0,
        1.0,
    )
    assert model.discriminator.body[1].negative_slope == 0.1
    assert isinstance(model.discriminator.q[1], torch.nn.BatchNorm1d)


def test_latent_is_noise_then_one_hot_category_then_continuous_codes() -> None:
    model = tiny()
    latent = model.sample_latent(500, torch.Generator().manual_seed(0), category=2, continuous=[0.5, -0.25])
    assert latent.shape == (500, 3 + 4 + 2)
    noise = latent[:, :3]
    assert noise.min() >= -1 and noise.max() <= 1 and noise.min() < -0.9 and noise.max() > 0.9
    assert torch.equal(latent[:, 3:7], F.one_hot(torch.full((500,), 2), 4).float())
    assert torch.equal(latent[:, 7:], torch.tensor([[0.5, -0.25]]).expand(500, 2))
    category, continuous = model.codes_of(latent)
    assert (category == 2).all() and torch.equal(continuous, latent[:, 7:])
    free = model.sample_latent(2000, torch.Generator().manual_seed(1))
    assert set(model.codes_of(free)[0].tolist()) == {0, 1, 2, 3}
    assert free[:, 7:].min() >= -1 and free[:, 7:].max() <= 1
    per_sample = model.sample_latent(3, category=[3, 0, 1], continuous=torch.zeros(3, 2))
    assert model.codes_of(per_sample)[0].tolist() == [3, 0, 1]


def test_bad_codes_are_explained() -> None:
    model = tiny()
    with pytest.raises(ValueError, match=r"category must be in \[0, 4\)"):
        model.sample(2, category=4)
    with pytest.raises(ValueError, match="got 3 values of continuous for 2 samples"):
        model.sample(2, continuous=torch.zeros(3, 2))
    with pytest.raises(ValueError, match="needs at least one latent code"):
        tiny(categories=0, continuous_codes=0)
    with pytest.raises(ValueError, match="at least 2 categories"):
        tiny(categories=1)
    with pytest.raises(ValueError, match="has no categorical code"):
        tiny(categories=0).sample(1, category=0)
    with pytest.raises(ValueError, match=r"square \(C, H, W\)"):
        tiny(data_shape=(1, 28, 24))


@pytest.mark.parametrize("learn_std", [False, True])
def test_losses_add_the_information_terms(learn_std: bool) -> None:
    """Both players' losses: the GAN loss + lambda_cat * CE(Q_cat, c) + lambda_cont * NLL(Q_cont, c')."""
    model = tiny(learn_std=learn_std, lambda_categorical=0.7, lambda_continuous=0.3)
    real = torch.randn(16, 2)
    d, g = model.discriminator, model.generator

    def latent() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        noise, category = torch.rand(16, 3) * 2 - 1, torch.randint(4, (16,))
        continuous = torch.rand(16, 2) * 2 - 1
        return torch.cat([noise, F.one_hot(category, 4).float(), continuous], 1), category, continuous

    def info(q: torch.Tensor, category: torch.Tensor, continuous: torch.Tensor) -> torch.Tensor:
        ce = -F.log_softmax(q[:, :4], 1).gather(1, category[:, None]).mean()
        std = q[:, 6:8].exp() if learn_std else torch.ones(16, 2)
        nll = -torch.distributions.Normal(q[:, 4:6], std).log_prob(continuous).sum(1).mean()
        return 0.7 * ce + 0.3 * nll

    torch.manual_seed(5)
    d_out, g_out = model.d_loss((real,)), model.g_loss((real,))
    torch.manual_seed(5)
    z, category, continuous = latent()
    (real_logit, _), (fake_logit, q) = d(real), d(g(z))
    expected_d = (
        F.softplus(-real_logit).mean() + F.softplus(fake_logit).mean() + info(q, category, continuous)
    )
    torch.testing.assert_close(d_out["loss"], expected_d)
    torch.testing.assert_close(
        d_out["mi_categorical"], math.log(4) + F.log_softmax(q[:, :4], 1).gather(1, category[:, None]).mean()
    )
    z, category, continuous = latent()
    fake_logit, q = d(g(z))
    torch.testing.assert_close(g_out["loss"], F.softplus(-fake_logit).mean() + info(q, category, continuous))


def test_the_information_loss_reaches_g_q_and_the_shared_body_but_not_d_head() -> None:
    model = tiny()
    latent = model.sample_latent(16)
    model.information_loss(model.discriminator(model.generator(latent))[1], latent)["info"].backward()
    d = model.discriminator
    for name, net in (("G", model.generator), ("Q", d.q), ("D's body", d.body)):
        assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in net.parameters()), name
    assert all(p.grad is None for p in d.head.parameters())


def test_training_updates_g_q_body_and_head() -> None:
    model = tiny()
    before = {name: snapshot(m) for name, m in model.discriminator.named_children()}
    g_before = snapshot(model.generator)
    quiet_trainer(max_steps=4).fit(model, Toy2D(num_samples=64, batch_size=32))
    assert changed(g_before, model.generator)
    for name, module in model.discriminator.named_children():
        assert changed(before[name], module), name


def test_sample_fixes_codes_and_q_reads_them_back() -> None:
    model = tiny()
    model.discriminator.train()
    a = model.sample(5, category=1, continuous=[0.2, 0.3], seed=0)
    assert torch.equal(
        a,
        model.generator(
            model.sample_latent(5, torch.Generator().manual_seed(0), category=1, continuous=[0.2, 0.3])
        ),
    )
    assert not torch.equal(a, model.sample(5, category=2, continuous=[0.2, 0.3], seed=0))
    category, continuous = model.predict_codes(a)
    _, q = model.discriminator(a)
    assert torch.equal(category, q[:, :4].argmax(1)) and torch.equal(continuous, q[:, 4:6])
    assert model.discriminator.training
    with_only_continuous = tiny(categories=0)
    assert with_only_continuous.predict_codes(a)[0] is None
