"""CGAN: the paper's MNIST networks, labels reaching both players, the uniform prior, SGD's schedules."""

from __future__ import annotations

import pytest
import torch

from ganzoo.data import MNIST, Toy2D
from ganzoo.models import CGAN
from ganzoo.nn.mlp import Maxout

from .helpers import optimizer_of, quiet_trainer


def tiny(**kwargs) -> CGAN:
    torch.manual_seed(0)
    args = dict(
        data_shape=(2,),
        num_classes=3,
        class_names=None,
        latent_dim=4,
        g_z_hidden=8,
        g_y_hidden=8,
        g_hidden=(8,),
        g_dropout=0.0,
        d_x_hidden=8,
        d_y_hidden=4,
        d_hidden=(8,),
        maxout_pieces=1,
        joint_maxout_pieces=1,
        d_dropout=0.0,
        tanh=False,
    )
    return CGAN(**{**args, **kwargs})


def test_defaults_are_the_papers_mnist_model() -> None:
    model = CGAN()
    g, d = model.generator, model.discriminator
    linears = [m for m in g.modules() if isinstance(m, torch.nn.Linear)]
    assert [tuple(m.weight.shape) for m in linears] == [(200, 100), (1000, 10), (1200, 1200), (784, 1200)]
    maxouts = [m for m in d.modules() if isinstance(m, Maxout)]
    assert [(m.linear.in_features, m.out_features, m.pieces) for m in maxouts] == [
        (784, 240, 5),
        (10, 50, 5),
        (290, 240, 4),
    ]
    hp = model.hparams
    optimizer = type(optimizer_of(model)).__name__.lower()
    assert (optimizer, hp.lr_g, hp.lr_d, hp.momentum, hp.momentum_final) == ("sgd", 0.1, 0.1, 0.5, 0.7)
    assert (hp.g_dropout, hp.d_dropout) == (0.5, 0.5)
    assert model.sample(2, classes="7", seed=0).shape == (2, 1, 28, 28)


def test_the_label_reaches_both_networks() -> None:
    model = tiny()
    z, x = torch.rand(5, 4), torch.randn(5, 2)
    zero, two = torch.zeros(5, dtype=torch.long), torch.full((5,), 2)
    assert not torch.allclose(model.generator(z, zero), model.generator(z, two))
    assert not torch.allclose(model.discriminator(x, zero), model.discriminator(x, two))
    assert model.discriminator(x, zero).shape == (5,)


def test_prior_is_uniform_on_the_unit_hypercube() -> None:
    z = tiny().sample_latent(10_000, torch.Generator().manual_seed(0))
    assert z.min() >= 0 and z.max() < 1 and abs(z.mean().item() - 0.5) < 0.01
    with pytest.raises(ValueError, match="uniform on \\[0, 1\\]; truncation applies to normal priors"):
        tiny().sample(2, truncation=0.5)


def test_losses_follow_the_formulas() -> None:
    """D: -log D(x|y) - log(1 - D(G(z|y')|y')); G: -log D(G(z|y')|y'), z ~ U[0, 1], y' uniform."""
    model = tiny()
    real, labels = torch.randn(8, 2), torch.randint(3, (8,))
    torch.manual_seed(1)
    d_out, g_out = model.d_loss((real, labels)), model.g_loss((real, labels))
    torch.manual_seed(1)
    d, g = model.discriminator, model.generator
    y_fake = torch.randint(3, (8,))
    p_real, p_fake = torch.sigmoid(d(real, labels)), torch.sigmoid(d(g(torch.rand(8, 4), y_fake), y_fake))
    torch.testing.assert_close(d_out["loss"], -(p_real.log().mean() + (1 - p_fake).log().mean()))
    y_fake = torch.randint(3, (8,))
    p_fake = torch.sigmoid(d(g(torch.rand(8, 4), y_fake), y_fake))
    torch.testing.assert_close(g_out["loss"], -p_fake.log().mean())


def test_momentum_rises_linearly_and_lr_decays_per_update(mnist_dir) -> None:
    model = CGAN(
        data_shape=(1, 16, 16),
        latent_dim=4,
        g_z_hidden=4,
        g_y_hidden=4,
        g_hidden=(8,),
        d_x_hidden=4,
        d_y_hidden=4,
        d_hidden=(4,),
        maxout_pieces=2,
        joint_maxout_pieces=2,
        momentum_ramp_epochs=2,
        scheduler=lambda opt: torch.optim.lr_scheduler.ExponentialLR(opt, gamma=1 / 1.00004),
        scheduler_interval="step",
    )
    assert [model.momentum_at(e) for e in (0, 1, 2, 10)] == pytest.approx([0.5, 0.6, 0.7, 0.7])
    data = MNIST(data_dir=mnist_dir, image_size=16, batch_size=32, download=False)  # 2 batches per epoch
    quiet_trainer(max_epochs=2).fit(model, data)
    for opt in model.optimizers():
        group = opt.optimizer.param_groups[0]
        assert group["momentum"] == pytest.approx(0.6)  # set at the start of epoch 1
        assert group["lr"] == pytest.approx(0.1 / 1.00004**4)  # one decay per generator update
    with pytest.raises(ValueError, match="momentum_ramp_epochs must be >= 1"):
        tiny(momentum_ramp_epochs=0)


def test_adam_keeps_its_own_param_groups() -> None:
    model = tiny(num_classes=8, optimizer=torch.optim.Adam, lr_g=1e-3, lr_d=1e-3)
    quiet_trainer(max_epochs=1).fit(model, Toy2D(num_samples=64, batch_size=32))
    assert all("momentum" not in opt.optimizer.param_groups[0] for opt in model.optimizers())


def test_discriminator_reads_pixels_in_the_papers_unit_range() -> None:
    """D(x, y) is the same network applied to ((x + 1) / 2, y); the labels' branch is untouched."""
    model = tiny(data_shape=(1, 8, 8), tanh=True)
    d = model.discriminator.eval()
    x, y = torch.rand(5, 1, 8, 8) * 2 - 1, torch.randint(3, (5,))
    d.unit_range = False
    plain = d((x + 1) / 2, y)
    d.unit_range = True
    torch.testing.assert_close(d(x, y), plain)
    assert not torch.allclose(d(x, y), d((x + 1) / 2, y)), "the rescaling must change what D sees"
    assert not tiny().discriminator.unit_range, "unbounded data (no tanh) must reach D unchanged"


def test_cgan_card_label_reaches_g_and_d_at_init() -> None:
    """With the card's sizes and uniform init ranges, both networks' outputs depend on the label."""
    torch.manual_seed(0)
    model = CGAN(output="sigmoid", g_init_range=0.05, d_init_range=0.005, d_input_dropout=0.2).eval()
    z = torch.rand(8, 100)
    zero, seven = torch.zeros(8, dtype=torch.long), torch.full((8,), 7)
    g_gap = (model.generator(z, zero) - model.generator(z, seven)).abs().amax(dim=(1, 2, 3))
    assert (g_gap > 1e-3).all()
    x = model.generator(z, zero)
    d_gap = (model.discriminator(x, zero) - model.discriminator(x, seven)).abs()
    assert (d_gap > 0).all()
    # each digit's y-branch weights reach G's output: the gradient w.r.t. the label layer is not zero
    model.generator(z, seven).sum().backward()
    y_grad = model.generator.y_branch[0].weight.grad
    assert y_grad[:, 7].abs().sum() > 0 and y_grad[:, 0].abs().sum() == 0


def test_d_y_init_range_sets_only_the_label_branch() -> None:
    model = CGAN(d_init_range=0.005, d_y_init_range=0.3)
    y_weights = model.discriminator.y_branch[0].linear.weight
    assert y_weights.abs().max() > 0.1 and y_weights.abs().max() <= 0.3
    assert model.discriminator.x_branch[-1].linear.weight.abs().max() <= 0.005
    assert model.discriminator.joint.net[1].linear.weight.abs().max() <= 0.005


def test_samples_carry_a_seeded_draw_of_gs_dropout_as_training_did() -> None:
    model = tiny(g_dropout=0.5).eval()
    z, labels = torch.rand(256, 4), torch.arange(3).repeat(86)[:256]
    a, b = model.sample(256, z=z, classes=labels, seed=1), model.sample(256, z=z, classes=labels, seed=1)
    assert torch.equal(a, b), "a seed fixes the dropout mask too"
    assert not torch.allclose(a, model.sample(256, z=z, classes=labels, seed=2)), "the mask is noise of G's"
    # the mask nn.Dropout draws in training: each unit kept with 1 - p, the kept ones scaled by 1 / (1 - p)
    g = model.generator
    keep = g.dropout_keep(256, torch.Generator().manual_seed(1))
    assert keep.shape == (256, 16) and set(keep.unique().tolist()) == {0.0, 1.0}
    assert abs(keep.mean().item() - 0.5) < 0.03
    h = torch.cat([g.z_branch(z), g.y_branch(torch.nn.functional.one_hot(labels, 3).float())], dim=1)
    torch.testing.assert_close(g(z, labels, keep), g.joint(h * keep * 2))
    deterministic = tiny(g_dropout=0.5, sample_with_dropout=False).eval()
    assert torch.equal(
        deterministic.sample(8, z=z[:8], classes=labels[:8], seed=1),
        deterministic.sample(8, z=z[:8], classes=labels[:8], seed=2),
    ), "without the mask, G is the dropout-free mean network: z and the label alone"
    with pytest.raises(ValueError, match="without dropout"):
        tiny(g_dropout=0.0).generator(z, labels, keep)
