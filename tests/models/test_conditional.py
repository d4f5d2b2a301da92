"""The class-conditional base: truncated noise, class names and indices, seeded class-conditional sampling."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from scipy import stats
from torch import Tensor, nn

from ganzoo.data.class_names import CIFAR10, class_index, imagenet, resolve_names
from ganzoo.models.conditional import ConditionalGANModule
from ganzoo.nn.cgan import CGANDiscriminator
from ganzoo.nn.conditioning import OneHotConcat
from ganzoo.nn.mlp import MLPGenerator
from ganzoo.nn.truncation import truncated_normal

NAMES = ["cat", "dog", "golden retriever"]


class LabelEcho(nn.Module):
    """A 'generator' whose sample is its label, so routing of classes through sample() is visible."""

    def forward(self, z: Tensor, labels: Tensor) -> Tensor:
        return labels.to(z.dtype)[:, None] + 0 * z[:, :1]


def tiny(generator: nn.Module | None = None, **kwargs) -> ConditionalGANModule:
    torch.manual_seed(0)
    g = generator or OneHotConcat(MLPGenerator(4 + 3, (2,), (8,), tanh=False), 3)
    d = CGANDiscriminator((2,), 3, 8, 4, (8,), pieces=1, joint_pieces=1, dropout=0.0)
    return ConditionalGANModule(
        g, d, num_classes=3, class_names=kwargs.pop("class_names", NAMES), latent_dim=4
    )


# --- truncated normal ------------------------------------------------------------------------------


@pytest.mark.parametrize("truncation", [1.0, 0.4])
def test_truncated_normal_matches_scipy_truncnorm(truncation: float) -> None:
    z = truncated_normal((20_000,), truncation, generator=torch.Generator().manual_seed(0))
    reference = stats.truncnorm(-2.0, 2.0, scale=truncation)
    assert z.abs().max() <= 2.0 * truncation
    assert stats.kstest(z.numpy(), reference.cdf).pvalue > 0.01
    assert z.std().item() == pytest.approx(reference.std(), rel=0.03)


def test_the_scipy_check_rejects_a_clipped_normal() -> None:
    """Clipping (not redrawing) piles mass on the bounds; the comparison above must notice that."""
    clipped = torch.randn(20_000, generator=torch.Generator().manual_seed(0)).clamp(-2, 2)
    assert stats.kstest(clipped.numpy(), stats.truncnorm(-2.0, 2.0).cdf).pvalue < 1e-6


def test_truncated_normal_is_seeded_and_validates_arguments() -> None:
    a = truncated_normal((3, 5), 0.5, generator=torch.Generator().manual_seed(1))
    b = truncated_normal((3, 5), 0.5, generator=torch.Generator().manual_seed(1))
    assert a.shape == (3, 5) and torch.equal(a, b)
    for bad in (0.0, -0.5, 1.5):
        with pytest.raises(ValueError, match=r"truncation must be in \(0, 1\]"):
            truncated_normal((2,), bad)
    with pytest.raises(ValueError, match="bound must be positive"):
        truncated_normal((2,), 0.5, bound=0.0)


# --- class names ---------------------------------------------------------------------------------


def test_named_class_sets() -> None:
    assert resolve_names("digits") == tuple("0123456789")
    assert resolve_names("cifar10") == CIFAR10 and CIFAR10[3] == "cat"
    names = imagenet()
    assert len(names) == 1000 and len(set(names)) >= 999
    assert class_index("golden retriever", names) == 207  # ILSVRC-2012 index of n02099601
    assert class_index("  Golden Retriever ", names) == 207
    assert resolve_names(["a", "b"]) == ("a", "b") and resolve_names(None) is None
    with pytest.raises(ValueError, match="unknown class-name set 'mnist'"):
        resolve_names("mnist")


def test_unknown_class_name_suggests_close_names() -> None:
    with pytest.raises(ValueError, match=r"unknown class name 'golden retreiver'.*'golden retriever'"):
        class_index("golden retreiver", imagenet())
    with pytest.raises(ValueError, match="Pass a name from the model's class_names or an index"):
        class_index("zebra", NAMES)


# --- the module ----------------------------------------------------------------------------------


def test_constructor_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="class_names has 2 names for 3 classes"):
        tiny(class_names=["a", "b"])
    g, d = LabelEcho(), nn.Linear(1, 1)
    with pytest.raises(ValueError, match="num_classes must be >= 1"):
        ConditionalGANModule(g, d, num_classes=0, latent_dim=2)


def test_gradient_penalty_goes_through_the_critic_under_the_real_labels() -> None:
    """WGAN-GP on a conditional model: lambda E[(||grad_x D(x_hat, y)||_2 - 1)^2] with the real labels y."""
    model = tiny()
    model = ConditionalGANModule(
        model.generator,
        model.discriminator,
        num_classes=3,
        latent_dim=4,
        penalty="gradient",
        penalty_weight=3.0,
    )
    real, labels = torch.randn(6, 2), torch.tensor([0, 1, 2, 2, 1, 0])
    torch.manual_seed(1)
    penalty = model.d_loss((real, labels))["penalty"]
    torch.manual_seed(1)
    fake_labels = torch.randint(3, (6,))
    fake = model.generator(torch.randn(6, 4), fake_labels).detach()
    alpha = torch.rand(6, 1)
    x_hat = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
    (grad,) = torch.autograd.grad(model.discriminator(x_hat, labels).sum(), x_hat)
    torch.testing.assert_close(penalty, 3.0 * (grad.norm(dim=1) - 1).pow(2).mean())


def test_resolve_classes_by_index_name_list_and_tensor() -> None:
    model = tiny()
    assert model.resolve_classes(2, 3).tolist() == [2, 2, 2]
    assert model.resolve_classes("DOG", 2).tolist() == [1, 1]
    assert model.resolve_classes(["cat", 2, "dog"], 3).tolist() == [0, 2, 1]
    assert model.resolve_classes(torch.tensor([[1], [0]]), 2).tolist() == [1, 0]
    rng = torch.Generator().manual_seed(0)
    random = model.resolve_classes(None, 500, rng)
    assert set(random.tolist()) == {0, 1, 2}
    assert torch.equal(random, model.resolve_classes(None, 500, torch.Generator().manual_seed(0)))


def test_resolve_classes_errors_say_what_to_do() -> None:
    model = tiny()
    with pytest.raises(ValueError, match="got 2 classes for 3 samples; pass one class or one per sample"):
        model.resolve_classes([0, 1], 3)
    with pytest.raises(ValueError, match=r"class indices must be in \[0, 3\)"):
        model.resolve_classes(3, 1)
    with pytest.raises(ValueError, match="unknown class name 'cow'"):
        model.resolve_classes("cow", 1)
    unnamed = tiny(class_names=None)
    with pytest.raises(ValueError, match="given by name, but this model has no class_names; pass an index"):
        unnamed.resolve_classes("cat", 1)


def test_sample_puts_each_requested_class_through_the_generator() -> None:
    model = tiny(LabelEcho())
    assert model.sample(3, classes=["golden retriever", "cat", 1]).flatten().tolist() == [2.0, 0.0, 1.0]
    assert model.sample(4, classes="dog").flatten().tolist() == [1.0] * 4


def test_seeded_sampling_is_reproducible_and_truncation_bounds_z() -> None:
    model = tiny()
    a, b = model.sample(64, seed=3), model.sample(64, seed=3)
    assert torch.equal(a, b)
    assert not torch.equal(a, model.sample(64, seed=4))
    assert torch.equal(model.sample(8, classes=1, seed=5), model.sample(8, classes=1, seed=5))
    z = model.sample_latent(1000, torch.Generator().manual_seed(0), truncation=0.3)
    assert z.shape == (1000, 4) and z.abs().max() <= 0.6
    assert model.sample_latent(1000, torch.Generator().manual_seed(0)).abs().max() > 2.0
    fixed = torch.zeros(2, 4)
    g = model.generator
    assert torch.equal(model.sample(2, classes=[0, 1], z=fixed), g.eval()(fixed, torch.tensor([0, 1])))


def test_sample_restores_training_mode_and_runs_the_generate_hook() -> None:
    calls = []

    class Hooked(ConditionalGANModule):
        def generate(self, net, z, labels, truncation):
            calls.append(truncation)
            return super().generate(net, z, labels, truncation)

    model = Hooked(LabelEcho(), nn.Linear(1, 1), num_classes=3, latent_dim=4)
    model.generator.train()
    model.sample(2, classes=0, truncation=0.5, seed=0)
    assert calls == [0.5] and model.generator.training


def test_default_losses_follow_the_formulas() -> None:
    """D: softplus(-D(x, y)) + softplus(D(G(z, y'), y')) for random y'; G: softplus(-D(G(z, y'), y'))."""
    model = tiny()
    real, labels = torch.randn(16, 2), torch.randint(3, (16,))
    torch.manual_seed(7)
    out = model.d_loss((real, labels))
    torch.manual_seed(7)
    fake_labels = torch.randint(3, (16,))
    fake = model.generator(torch.randn(16, 4), fake_labels)
    d = model.discriminator
    expected = F.softplus(-d(real, labels)).mean() + F.softplus(d(fake, fake_labels)).mean()
    torch.testing.assert_close(out["loss"], expected)
    torch.manual_seed(8)
    g_out = model.g_loss((real, labels))
    torch.manual_seed(8)
    fake_labels = torch.randint(3, (16,))
    fake = model.generator(torch.randn(16, 4), fake_labels)
    torch.testing.assert_close(g_out["loss"], F.softplus(-d(fake, fake_labels)).mean())
    assert np.isfinite(out["d_real"].item()) and np.isfinite(out["d_fake"].item())
