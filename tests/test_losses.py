"""Each loss and penalty against its formula, written out independently here."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from ganzoo import losses

torch.manual_seed(0)
REAL, FAKE = torch.randn(64) * 2, torch.randn(64) * 2


def sigmoid(x: torch.Tensor) -> torch.Tensor:
    return 1.0 / (1.0 + torch.exp(-x.double()))


def test_minimax_and_nonsaturating_match_the_log_formulas() -> None:
    d_real, d_fake = sigmoid(REAL), sigmoid(FAKE)
    expected_d = -(torch.log(d_real).mean() + torch.log(1 - d_fake).mean())
    torch.testing.assert_close(losses.minimax_d(REAL, FAKE).double(), expected_d, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(losses.nonsaturating_d(REAL, FAKE).double(), expected_d, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(
        losses.minimax_g(FAKE).double(), torch.log(1 - d_fake).mean(), rtol=1e-5, atol=1e-6
    )
    torch.testing.assert_close(
        losses.nonsaturating_g(FAKE).double(), -torch.log(d_fake).mean(), rtol=1e-5, atol=1e-6
    )


def test_minimax_is_stable_for_confident_logits() -> None:
    assert torch.isfinite(losses.minimax_d(torch.tensor([100.0]), torch.tensor([-100.0])))
    assert losses.nonsaturating_g(torch.tensor([-100.0])).item() == pytest.approx(100.0)


def test_minimax_optimum_is_log4() -> None:
    # At D(x) = D(G(z)) = 1/2 the discriminator loss is log 4 (Goodfellow et al., Theorem 1).
    zero = torch.zeros(8)
    assert losses.minimax_d(zero, zero).item() == pytest.approx(math.log(4.0))


def test_wasserstein_and_hinge() -> None:
    assert losses.wasserstein_d(REAL, FAKE).item() == pytest.approx(
        (FAKE.mean() - REAL.mean()).item(), rel=1e-6
    )
    assert losses.wasserstein_g(FAKE).item() == pytest.approx(-FAKE.mean().item(), rel=1e-6)
    expected = (
        sum(max(0.0, 1 - r) for r in REAL.tolist()) / 64 + sum(max(0.0, 1 + f) for f in FAKE.tolist()) / 64
    )
    assert losses.hinge_d(REAL, FAKE).item() == pytest.approx(expected, rel=1e-5)
    assert losses.hinge_g(FAKE).item() == pytest.approx(-FAKE.mean().item(), rel=1e-6)


def test_least_squares() -> None:
    expected_d = (
        0.5 * sum((r - 1) ** 2 for r in REAL.tolist()) / 64 + 0.5 * sum(f**2 for f in FAKE.tolist()) / 64
    )
    assert losses.least_squares_d(REAL, FAKE).item() == pytest.approx(expected_d, rel=1e-5)
    assert losses.least_squares_g(FAKE).item() == pytest.approx(
        0.5 * sum((f - 1) ** 2 for f in FAKE.tolist()) / 64, rel=1e-5
    )
    a, b = -1.0, 1.0
    expected = (
        0.5 * sum((r - b) ** 2 for r in REAL.tolist()) / 64
        + 0.5 * sum((f - a) ** 2 for f in FAKE.tolist()) / 64
    )
    assert losses.least_squares_d(REAL, FAKE, a=a, b=b).item() == pytest.approx(expected, rel=1e-5)


class Quadratic(nn.Module):
    """D(x) = sum(w * x^2): its input gradient 2 w x is known in closed form."""

    def __init__(self, dim: int) -> None:
        super().__init__()
        self.w = nn.Parameter(torch.linspace(0.5, 1.5, dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (self.w * x.flatten(1) ** 2).sum(1)


def test_gradient_penalty_matches_closed_form_and_is_trainable() -> None:
    d = Quadratic(6)
    real, fake = torch.randn(5, 6), torch.randn(5, 6)
    alpha = torch.rand(5, 1)
    x_hat = alpha * real + (1 - alpha) * fake
    expected = ((2 * d.w.detach() * x_hat).norm(dim=1) - 1).pow(2).mean()
    gp = losses.gradient_penalty(d, real, fake, alpha=alpha)
    torch.testing.assert_close(gp, expected)
    gp.backward()  # create_graph=True: the penalty reaches D's parameters
    assert d.w.grad is not None and d.w.grad.abs().sum() > 0


def test_gradient_penalty_matches_direct_autograd_on_a_network() -> None:
    torch.manual_seed(1)
    d = nn.Sequential(nn.Flatten(), nn.Linear(12, 16), nn.Tanh(), nn.Linear(16, 1))
    real, fake = torch.randn(4, 3, 2, 2), torch.randn(4, 3, 2, 2)
    alpha = torch.rand(4, 1, 1, 1)
    norms = []
    for i in range(4):  # one sample at a time, with torch.autograd.functional
        x = (alpha[i] * real[i] + (1 - alpha[i]) * fake[i]).unsqueeze(0)
        g = torch.autograd.functional.jacobian(lambda v: d(v).sum(), x)
        norms.append(g.flatten().norm())
    expected = ((torch.stack(norms) - 1) ** 2).mean()
    torch.testing.assert_close(
        losses.gradient_penalty(d, real, fake, alpha=alpha), expected, rtol=1e-5, atol=1e-6
    )


def test_dragan_penalty_perturbs_around_real_data() -> None:
    d = Quadratic(6)
    real = torch.randn(5, 6)
    noise, alpha = torch.rand(5, 6), torch.rand(5, 1)
    x_hat = real + alpha * (0.5 * real.std() * noise)
    expected = ((2 * d.w.detach() * x_hat).norm(dim=1) - 1).pow(2).mean()
    torch.testing.assert_close(losses.dragan_penalty(d, real, c=0.5, noise=noise, alpha=alpha), expected)


def test_r1_penalty() -> None:
    d = Quadratic(6)
    real = torch.randn(5, 6)
    expected = (2 * d.w.detach() * real).pow(2).sum(1).mean()
    torch.testing.assert_close(losses.r1_penalty(d, real), expected)


def test_clip_weights() -> None:
    net = nn.Linear(10, 10)
    nn.init.normal_(net.weight, std=1.0)
    losses.clip_weights_(net, 0.01)
    assert all(p.abs().max() <= 0.01 for p in net.parameters())


def test_began_equilibrium_and_convergence() -> None:
    k = torch.tensor(0.5)
    updated = losses.began_equilibrium_update(
        k, torch.tensor(0.2), torch.tensor(0.05), gamma=0.5, lambda_k=0.1
    )
    assert updated.item() == pytest.approx(0.5 + 0.1 * (0.5 * 0.2 - 0.05))
    assert (
        losses.began_equilibrium_update(
            torch.tensor(0.99), torch.tensor(10.0), torch.tensor(0.0), 1.0, 1.0
        ).item()
        == 1.0
    )
    assert (
        losses.began_equilibrium_update(
            torch.tensor(0.01), torch.tensor(0.0), torch.tensor(10.0), 1.0, 1.0
        ).item()
        == 0.0
    )
    m = losses.began_convergence(torch.tensor(0.2), torch.tensor(0.3), gamma=0.5)
    assert m.item() == pytest.approx(0.2 + abs(0.5 * 0.2 - 0.3))


def test_loss_table_pairs() -> None:
    assert set(losses.LOSSES) == {"minimax", "nonsaturating", "wasserstein", "hinge", "least_squares"}
    for d_loss, g_loss in losses.LOSSES.values():
        assert d_loss(REAL, FAKE).dim() == 0 and g_loss(FAKE).dim() == 0
