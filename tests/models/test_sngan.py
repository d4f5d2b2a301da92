"""SNGAN: the authors' schedule and losses, spectral norm that bounds D, conditional and unconditional."""

from __future__ import annotations

import lightning as L
import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from ganzoo.data import Toy2D
from ganzoo.data.toy2d import mode_coverage
from ganzoo.models import SNGAN
from ganzoo.nn.conditional_norm import ConditionalBatchNorm2d
from ganzoo.nn.mlp import MLPDiscriminator, MLPGenerator
from ganzoo.nn.spectral_norm import has_spectral_norm, spectral_norm

from .helpers import StepRecorder, changed, optimizer_of, quiet_trainer, snapshot


def tiny(**kwargs) -> SNGAN:
    return SNGAN(latent_dim=8, g_channels=16, d_channels=16, **kwargs)


def images(n: int = 32, num_classes: int = 3) -> TensorDataset:
    return TensorDataset(torch.rand(n, 3, 32, 32) * 2 - 1, torch.randint(num_classes, (n,)))


@pytest.mark.parametrize("num_classes", [None, 3])
def test_trains_with_five_d_steps_per_g_step(num_classes: int | None) -> None:
    torch.manual_seed(0)
    model = tiny(num_classes=num_classes)
    g_before, d_before = snapshot(model.generator), snapshot(model.discriminator)
    recorder = StepRecorder()
    quiet_trainer(max_steps=12, callbacks=[recorder]).fit(model, DataLoader(images(), batch_size=4))
    assert recorder.sequence == (["D"] * 5 + ["G"]) * 2
    assert all(recorder.other_frozen)
    assert changed(g_before, model.generator) and changed(d_before, model.discriminator)
    samples = model.sample(3, seed=0)
    assert samples.shape == (3, 3, 32, 32) and samples.abs().max() <= 1


def test_defaults_follow_the_authors_cifar10_recipe() -> None:
    model = SNGAN()
    hp = model.hparams
    assert (hp.loss, model.d_steps, hp.lr_g, hp.lr_d, optimizer_of(model).defaults["betas"]) == (
        "hinge",
        5,
        2e-4,
        2e-4,
        (0.0, 0.9),
    )
    assert model.num_classes is None and model.discriminator.head.embed is None
    count = lambda net: sum(p.numel() for p in net.parameters())  # noqa: E731
    # The 32x32 ResNets of Miyato et al. (ch 256 / 128): about 4.3M and 1.1M parameters.
    assert 4.2e6 < count(model.generator) < 4.35e6 and 1.0e6 < count(model.discriminator) < 1.1e6
    assert not any(has_spectral_norm(m) for m in model.generator.modules())
    d_layers = [m for m in model.discriminator.modules() if isinstance(m, nn.Conv2d | nn.Linear)]
    assert len(d_layers) == 11 and all(has_spectral_norm(m) for m in d_layers)  # 10 convolutions + psi
    conditional = SNGAN(num_classes=10)
    assert isinstance(conditional.discriminator.head.embed, nn.Embedding)
    assert any(isinstance(m, ConditionalBatchNorm2d) for m in conditional.generator.modules())


def test_spectral_norm_bounds_every_discriminator_layer() -> None:
    torch.manual_seed(0)
    model = tiny(num_classes=3)
    data = images(64)
    quiet_trainer(max_steps=36).fit(model, DataLoader(data, batch_size=8))
    d = model.discriminator.eval()
    d(data.tensors[0][:2], data.tensors[1][:2])  # eval forward: W / sigma from the stored vectors
    raw, normalized = [], []
    for m in d.modules():
        if has_spectral_norm(m):
            rows = m.weight_orig.shape[0]
            raw.append(torch.linalg.matrix_norm(m.weight_orig.detach().reshape(rows, -1), 2).item())
            normalized.append(torch.linalg.matrix_norm(m.weight.reshape(rows, -1), 2).item())
    assert len(normalized) == 12
    assert max(abs(s - 1.0) for s in normalized) < 0.01, normalized
    assert max(abs(s - 1.0) for s in raw) > 0.1  # the raw weights are not already normalised


def test_losses_are_the_hinge_formulas_on_g_batch_size_samples() -> None:
    torch.manual_seed(0)
    model = tiny(num_classes=3, g_batch_size=6).eval()  # eval: SN and BN are deterministic functions
    x, y = torch.rand(4, 3, 32, 32) * 2 - 1, torch.tensor([0, 2, 1, 1])
    G, D = model.generator, model.discriminator

    torch.manual_seed(1)
    out = model.d_loss((x, y))
    torch.manual_seed(1)
    fake_labels = torch.randint(3, (4,))
    fake = G(torch.randn(4, 8), fake_labels)
    expected = F.relu(1 - D(x, y)).mean() + F.relu(1 + D(fake, fake_labels)).mean()
    torch.testing.assert_close(out["loss"], expected)

    seen: list[int] = []
    D.register_forward_pre_hook(lambda module, args: seen.append(args[0].shape[0]))
    torch.manual_seed(2)
    out = model.g_loss((x, y))
    torch.manual_seed(2)
    labels = torch.randint(3, (6,))
    expected = -D(G(torch.randn(6, 8), labels), labels).mean()
    torch.testing.assert_close(out["loss"], expected)
    assert seen[0] == 6


def test_unconditional_model_ignores_labels_and_refuses_classes() -> None:
    torch.manual_seed(0)
    model = tiny()
    x = torch.rand(4, 3, 32, 32) * 2 - 1
    assert model.labels_of((x, torch.zeros(4, dtype=torch.long))) is None
    assert model.d_loss(x)["loss"].isfinite()  # a batch of images alone
    with pytest.raises(ValueError, match="unconditional"):
        model.sample(2, classes=1)
    with pytest.raises(ValueError, match="unconditional"):
        tiny(class_names="cifar10")
    with pytest.raises(ValueError, match="g_batch_size"):
        tiny(g_batch_size=0)


def test_conditional_sampling_uses_the_class() -> None:
    torch.manual_seed(0)
    model = tiny(num_classes=10, class_names="cifar10")
    with torch.no_grad():  # make the classes' batch-norm scales differ
        for m in model.generator.modules():
            if isinstance(m, ConditionalBatchNorm2d):
                m.gain.weight.normal_(0.0, 0.5)
    cats, dogs = model.sample(2, classes="cat", seed=0), model.sample(2, classes="dog", seed=0)
    assert not torch.allclose(cats, dogs)
    torch.testing.assert_close(cats, model.sample(2, classes=3, seed=0))


class IgnoreLabels(nn.Module):
    """A label-free network called as G(z, y) / D(x, y) by the unconditional model."""

    def __init__(self, net: nn.Module) -> None:
        super().__init__()
        self.net = net

    def forward(self, x: torch.Tensor, y: None = None) -> torch.Tensor:
        return self.net(x)


@pytest.mark.slow
def test_spectrally_normalized_hinge_gan_covers_the_ring(single_thread) -> None:
    """SNGAN's game (SN on every D layer, hinge loss, Adam betas (0, 0.9)) with MLPs on the 2-D ring.

    One D step per G step and lr 2e-3: at n_dis = 5 this budget is too small. The 1-Lipschitz D gives weak
    gradients at the modes' 0.05 scale, so fewer samples land within 3 std than with an unconstrained D
    (about 60% here after 2000 G steps; an untrained G has under 10%). 74 s on a busy 2-core machine.
    """
    L.seed_everything(0, verbose=False)
    std = 0.05
    d = MLPDiscriminator((2,), (128, 128))
    for m in d.modules():
        if isinstance(m, nn.Linear):
            spectral_norm(m)
    model = SNGAN(
        latent_dim=16,
        generator=IgnoreLabels(MLPGenerator(16, (2,), (128, 128), tanh=False)),
        discriminator=IgnoreLabels(d),
        d_steps=1,
        lr_g=2e-3,
        lr_d=2e-3,
    )
    data = Toy2D(mixture="ring8", std=std, batch_size=256, num_samples=256 * 50)
    quiet_trainer(max_steps=2 * 2000).fit(model, data)
    modes, quality = mode_coverage(model.sample(2000, seed=1), data.modes, std)
    assert modes >= 7, f"only {modes}/8 modes covered"
    assert quality >= 0.4, f"only {quality:.0%} of samples within 3 std of a mode"
