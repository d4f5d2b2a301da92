"""The VAE baseline of Lucic et al. 2018: its ELBO is the formula, its KL the closed form, it samples,
trains, and saves / loads like every model in the zoo."""

from __future__ import annotations

import math

import pytest
import torch
from torch.distributions import Bernoulli, Normal

import ganzoo
from ganzoo import losses
from ganzoo.data import MNIST
from ganzoo.models import VAE, Sampler

from .helpers import quiet_trainer


def tiny_vae() -> VAE:
    torch.manual_seed(0)
    return VAE(latent_dim=4, image_size=16, channels=1)


def test_gaussian_kl_is_the_closed_form_of_a_monte_carlo_estimate() -> None:
    torch.manual_seed(0)
    mean, std = torch.randn(3, 5), torch.rand(3, 5) + 0.3
    q, p = Normal(mean, std), Normal(torch.zeros(5), torch.ones(5))
    z = q.sample((200_000,))  # (S, 3, 5)
    log_ratio = (q.log_prob(z) - p.log_prob(z)).sum(-1)  # (S, 3)
    estimate, stderr = log_ratio.mean(0), log_ratio.std(0) / math.sqrt(len(z))
    closed = losses.gaussian_kl(mean, std)
    assert closed.shape == (3,)
    assert (closed - estimate).abs().max() < 4 * stderr.max(), (closed, estimate, stderr)
    torch.testing.assert_close(closed, torch.distributions.kl_divergence(q, p).sum(-1))


def test_bernoulli_nll_is_the_negative_log_likelihood() -> None:
    torch.manual_seed(0)
    probs, target = torch.rand(4, 1, 3, 3) * 0.98 + 0.01, torch.rand(4, 1, 3, 3)
    expected = -(target * probs.log() + (1 - target) * (1 - probs).log()).flatten(1).sum(1)
    torch.testing.assert_close(losses.bernoulli_nll(probs, target), expected)
    binary = (target > 0.5).float()
    torch.testing.assert_close(
        losses.bernoulli_nll(probs, binary), -Bernoulli(probs).log_prob(binary).sum((1, 2, 3))
    )
    assert torch.isfinite(losses.bernoulli_nll(torch.ones(1, 4), torch.zeros(1, 4))).all()  # clipped, finite


def test_the_loss_is_the_negative_elbo_of_one_reparameterised_sample() -> None:
    model = tiny_vae().eval()
    images = torch.rand(6, 1, 16, 16) * 2 - 1
    eps = torch.randn(6, 4)
    terms = model.elbo_terms(images, eps)
    mean, std = model.encoder(images)
    probs = (model.decoder(mean + std * eps) + 1) / 2
    log_likelihood = Bernoulli(probs.clamp(1.2e-7, 1 - 1.2e-7), validate_args=False).log_prob(
        (images + 1) / 2
    )  # continuous x
    kl = torch.distributions.kl_divergence(Normal(mean, std), Normal(0.0, 1.0)).sum(1)
    elbo = log_likelihood.flatten(1).sum(1) - kl
    torch.testing.assert_close(terms["nll"] + terms["kl"], -elbo)
    torch.manual_seed(1)
    loss = model.loss(images)
    torch.manual_seed(1)
    again = model.elbo_terms(images)
    torch.testing.assert_close(loss["loss"], (again["nll"] + again["kl"]).mean())


def test_it_samples_like_every_model() -> None:
    model = tiny_vae()
    assert isinstance(model, Sampler)
    a, b = model.sample(5, seed=3), model.sample(5, seed=3)
    assert a.shape == (5, 1, 16, 16) and torch.equal(a, b) and a.min() >= -1 and a.max() <= 1
    assert not torch.equal(a, model.sample(5, seed=4))
    assert model.training, "sampling must leave the model in the mode it was in"
    with pytest.raises(TypeError, match="unconditional"):
        model.sample(2, classes=1)
    with pytest.raises(ValueError, match="shape"):
        model.sample(2, z=torch.zeros(3, 4))


def test_it_trains_and_loads_by_folder(tmp_path, mnist_dir) -> None:
    model = tiny_vae()
    data = MNIST(data_dir=mnist_dir, image_size=16, batch_size=16, download=False)
    batch = next(iter(torch.utils.data.DataLoader(data.dataset("train"), batch_size=32)))[0]
    with torch.no_grad():
        torch.manual_seed(0)
        before = model.loss(batch)["loss"]
    quiet_trainer(max_steps=20).fit(model, data)
    with torch.no_grad():
        torch.manual_seed(0)
        after = model.loss(batch)["loss"]
    assert after < before, f"the negative ELBO did not fall in 20 steps: {before:.1f} -> {after:.1f}"
    folder = model.save_pretrained(tmp_path / "vae")
    loaded = ganzoo.load(folder)
    assert isinstance(loaded, VAE) and not loaded.training
    torch.testing.assert_close(loaded.sample(4, seed=0), model.eval().sample(4, seed=0))


def test_the_generator_only_form_is_the_decoder_alone() -> None:
    whole = tiny_vae().eval()
    form = VAE(**{**whole.hparams, "generator_only": True}).eval()
    assert form.encoder is None and all(k.startswith("decoder.") for k in form.state_dict())
    form.load_state_dict({k: v for k, v in whole.state_dict().items() if k.startswith("decoder.")})
    torch.testing.assert_close(form.sample(3, seed=2), whole.sample(3, seed=2), atol=0, rtol=0)
    with pytest.raises(RuntimeError, match="no encoder"):
        form.loss(torch.zeros(2, 1, 16, 16))
