"""BigGAN on tiny configurations: its schedule, losses, orthogonal regularization, EMA and sampling."""

from __future__ import annotations

import functools
import inspect

import pytest
import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

from ganzoo import losses
from ganzoo.models import BigGAN

from .helpers import StepRecorder, changed, quiet_trainer, snapshot


def tiny(**kwargs) -> BigGAN:
    args = dict(
        image_size=32,
        num_classes=4,
        latent_dim=40,
        g_ch=8,
        d_ch=8,
        shared_dim=16,
        g_attention=(16,),
        d_attention=(16,),
        ema_decay=0.5,
        ema_start=0,
    )
    return BigGAN(**{**args, **kwargs})


def labelled_images(n: int = 16, batch_size: int = 4) -> DataLoader:
    rng = torch.Generator().manual_seed(0)
    images = torch.rand(n, 3, 32, 32, generator=rng) * 2 - 1
    return DataLoader(TensorDataset(images, torch.randint(4, (n,), generator=rng)), batch_size=batch_size)


def test_trains_two_d_steps_per_g_step_and_every_network_changes() -> None:
    torch.manual_seed(0)
    model = tiny()
    assert model.d_steps == 2  # the paper's schedule is the default
    before = {
        name: snapshot(getattr(model, name)) for name in ("generator", "discriminator", "generator_ema")
    }
    recorder = StepRecorder()
    quiet_trainer(max_steps=3 * 3, callbacks=[recorder]).fit(model, labelled_images(24))
    assert recorder.sequence == ["D", "D", "G"] * 3
    assert all(recorder.other_frozen)
    for name, state in before.items():
        assert changed(state, getattr(model, name)), f"{name} did not change"
    ema, g = model.generator_ema.state_dict(), model.generator.state_dict()
    assert any(not torch.equal(ema[k], g[k]) for k in g if g[k].is_floating_point())  # averaged, not copied


def test_defaults_are_the_papers() -> None:
    defaults = {k: p.default for k, p in inspect.signature(BigGAN).parameters.items()}
    assert (
        defaults["lr_g"],
        defaults["lr_d"],
        defaults["d_steps"],
        BigGAN.paper_optimizer.keywords["betas"],
    ) == (
        5e-5,
        2e-4,
        2,
        (0, 0.999),
    )
    assert (defaults["ortho_reg"], defaults["ema_decay"], defaults["loss"]) == (1e-4, 0.9999, "hinge")
    assert (defaults["g_ch"], defaults["latent_dim"], defaults["shared_dim"], defaults["hier"]) == (
        96,
        120,
        128,
        True,
    )


def test_discriminator_loss_is_the_hinge_on_real_and_fake_pairs() -> None:
    torch.manual_seed(0)
    model = tiny().eval()  # eval: batch-norm statistics and spectral norms stay fixed between calls
    x, y = next(iter(labelled_images()))
    torch.manual_seed(1)
    out = model.d_loss((x, y))
    torch.manual_seed(1)
    fake_labels = torch.randint(4, (4,))
    fake = model.generator(torch.randn(4, 40), fake_labels)
    real_score, fake_score = model.discriminator(x, y), model.discriminator(fake, fake_labels)
    expected = F.relu(1 - real_score).mean() + F.relu(1 + fake_score).mean()
    torch.testing.assert_close(out["loss"], expected)


def test_generator_loss_adds_orthogonal_regularization_of_all_but_the_shared_embedding() -> None:
    torch.manual_seed(0)
    beta = 1e-2
    model = tiny(ortho_reg=beta).eval()
    batch = next(iter(labelled_images()))
    torch.manual_seed(2)
    out = model.g_loss(batch)
    torch.manual_seed(2)
    labels = torch.randint(4, (4,))
    adversarial = -model.discriminator(model.generator(torch.randn(4, 40), labels), labels).mean()
    ortho = torch.zeros(())
    for name, p in model.generator.named_parameters():
        if p.dim() >= 2 and not name.startswith("shared."):
            w = p.reshape(p.shape[0], -1)
            ortho = ortho + ((w @ w.t()) * (1 - torch.eye(w.shape[0]))).pow(2).sum()
    torch.testing.assert_close(out["ortho"], beta * ortho)
    torch.testing.assert_close(out["loss"], adversarial + beta * ortho)
    regularized = {id(p) for p in model.ortho_weights()}
    assert id(model.generator.shared.weight) not in regularized
    assert len(regularized) == len(list(model.generator.parameters())) - 1
    assert "ortho" not in tiny(ortho_reg=0.0).eval().g_loss(batch)


def test_orthogonal_regularization_formula_and_biggan_pytorch_gradient() -> None:
    torch.manual_seed(0)
    w = torch.randn(6, 3, 2, 2, requires_grad=True)
    beta = 0.3
    penalty = losses.orthogonal_regularization([w], beta)
    (grad,) = torch.autograd.grad(penalty, w)
    m = w.detach().reshape(6, -1)
    off_diagonal = (m @ m.t()) * (1 - torch.eye(6))
    torch.testing.assert_close(penalty, beta * off_diagonal.pow(2).sum())
    # BigGAN-PyTorch's utils.ortho adds strength * 2 (W W^T * (1 - I)) W to the gradient directly.
    authors = beta * 2 * off_diagonal @ m
    torch.testing.assert_close(grad.reshape(6, -1), 2 * authors)

    q, _ = torch.linalg.qr(torch.randn(8, 5))  # orthonormal columns: rows of q.t() are orthonormal
    rows = q.t().contiguous()
    assert losses.orthogonal_regularization([rows], 1.0).item() < 1e-10
    assert losses.orthogonal_regularization([3 * rows], 1.0).item() < 1e-8  # norms are free in BigGAN's form
    full = losses.orthogonal_regularization([3 * rows], 1.0, off_diagonal=False)
    torch.testing.assert_close(full, torch.tensor(5 * (9.0 - 1.0) ** 2))  # ||9 I - I||_F^2 over 5 rows
    linear = torch.nn.Linear(4, 3)  # the module form skips the bias
    expected = losses.orthogonal_regularization([linear.weight], 1.0)
    torch.testing.assert_close(losses.orthogonal_regularization(linear, 1.0), expected)
    with pytest.raises(ValueError, match="no weight with two or more dimensions"):
        losses.orthogonal_regularization([torch.ones(3)], 1.0)


def test_adam_takes_the_recipes_epsilon_and_betas() -> None:
    model = tiny(optimizer=functools.partial(torch.optim.Adam, eps=1e-6, betas=(0.0, 0.999)))
    for opt in model.configure_optimizers():
        assert opt.defaults["eps"] == 1e-6 and opt.defaults["betas"] == (0.0, 0.999)


def test_hierarchical_latent_and_shared_embedding_shapes() -> None:
    model = tiny(latent_dim=120)
    g = model.generator
    assert model.latent_dim == 120 and g.chunk == 30  # 3 blocks + input at 32px: 4 chunks
    assert g.shared.weight.shape == (4, 16)
    assert g.blocks[0].bn1.gain.weight_orig.shape == (32, 16 + 30)
    assert g.linear.weight_orig.shape == (32 * 16, 30)


def test_truncated_sampling_is_seeded_bounded_and_in_eval_mode() -> None:
    torch.manual_seed(0)
    model = tiny(ema_decay=None)
    seen: list[tuple[torch.Tensor, bool]] = []
    model.generator.register_forward_pre_hook(lambda m, args: seen.append((args[0].clone(), m.training)))
    a = model.sample(64, classes=1, truncation=0.4, seed=3)
    b = model.sample(64, classes=1, truncation=0.4, seed=3)
    torch.testing.assert_close(a, b)
    z, training = seen[0]
    assert not training and model.generator.training  # sampled in eval mode, mode restored
    assert z.abs().max() <= 0.8 and z.abs().max() > 0.5  # truncnorm(-2, 2) * 0.4
    model.sample(64, classes=1, seed=3)
    assert seen[2][0].abs().max() > 0.8  # untruncated z goes beyond
    assert not torch.allclose(model.sample(64, classes=1, truncation=0.9, seed=3), a)


def test_sampling_by_class_name() -> None:
    torch.manual_seed(0)
    model = tiny(num_classes=10, class_names="cifar10", ema_decay=None)
    torch.testing.assert_close(model.sample(2, classes="cat", seed=0), model.sample(2, classes=3, seed=0))
    labels = []
    model.generator.register_forward_pre_hook(lambda m, args: labels.append(args[1].tolist()))
    model.sample(2, classes=["cat", "truck"], seed=0)
    assert labels[-1] == [3, 9]
    with pytest.raises(ValueError, match=r"unknown class name 'kat'.*'cat'"):
        model.sample(1, classes="kat")


def test_generator_only_model_has_no_discriminator_and_samples() -> None:
    model = tiny(generator_only=True, ema_decay=None)
    assert not any(k.startswith("discriminator.") for k in model.state_dict())
    assert model.sample(2, classes=0, seed=0).shape == (2, 3, 32, 32)
    with pytest.raises(RuntimeError, match="no discriminator to train against"):
        model.configure_optimizers()


@pytest.mark.slow  # about 1 min; CGAN/InfoGAN conditional learning stays in the fast suite
def test_learns_class_conditional_colours() -> None:
    """Class 0 is red, class 1 blue: after 40 G steps, G (in eval mode, as it samples) paints each class its
    own colour. In training mode a one-class batch normalizes the class shift away, so this needs eval."""
    torch.manual_seed(0)
    n = 256
    labels = torch.arange(n) % 2
    colour = torch.tensor([[1.0, -1.0, -1.0], [-1.0, -1.0, 1.0]])[labels]
    images = (colour[:, :, None, None] + 0.1 * torch.randn(n, 3, 32, 32)).clamp(-1, 1)
    data = DataLoader(TensorDataset(images, labels), batch_size=16, shuffle=True)
    model = BigGAN(
        image_size=32,
        num_classes=2,
        latent_dim=32,
        g_ch=4,
        d_ch=4,
        shared_dim=8,
        hier=False,
        g_attention=(),
        d_attention=(),
        init="N02",
        d_steps=1,
        lr_g=1e-3,
        lr_d=1e-3,
        ortho_reg=0.0,
        ema_decay=None,
    )
    quiet_trainer(max_steps=2 * 40).fit(model, data)
    samples = [model.sample(64, classes=c, seed=0) for c in (0, 1)]
    red_minus_blue = [(s[:, 0] - s[:, 2]).mean().item() for s in samples]
    assert red_minus_blue[0] > 1.0 and red_minus_blue[1] < -1.0, red_minus_blue


def test_interpolation_moves_between_classes_through_the_shared_embedding() -> None:
    from ganzoo.interpolate import interpolate

    torch.manual_seed(0)
    model = tiny(num_classes=10, class_names="cifar10", ema_decay=None)
    frames = interpolate(model, 5, seeds=(0, 1), classes=["cat", "truck"], truncation=0.5)
    z0 = model.sample_latent(1, torch.Generator().manual_seed(0), truncation=0.5)
    z1 = model.sample_latent(1, torch.Generator().manual_seed(1), truncation=0.5)
    torch.testing.assert_close(frames[:1], model.sample(1, z=z0, classes="cat"))
    torch.testing.assert_close(frames[-1:], model.sample(1, z=z1, classes="truck"))


def test_standing_statistics_average_the_batch_statistics_of_samples() -> None:
    torch.manual_seed(0)
    model = tiny(ema_decay=None)
    g = model.generator
    seen = []
    g.output_bn.register_forward_pre_hook(lambda m, args: seen.append(args[0].clone()))
    sn_before = g.blocks[0].conv1.weight_u.clone()
    model.accumulate_standing_stats(num_batches=3, batch_size=8, truncation=0.5)
    means = torch.stack([x.mean(dim=(0, 2, 3)) for x in seen])
    variances = torch.stack([x.var(dim=(0, 2, 3), unbiased=True) for x in seen])  # BN keeps unbiased ones
    torch.testing.assert_close(g.output_bn.running_mean, means.mean(0), rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(g.output_bn.running_var, variances.mean(0), rtol=1e-5, atol=1e-5)
    assert torch.equal(g.blocks[0].conv1.weight_u, sn_before)  # spectral norm stayed in eval mode
    assert g.training and g.output_bn.momentum == 0.1  # modes and momentum restored
    assert g.output_bn.num_batches_tracked == 3
