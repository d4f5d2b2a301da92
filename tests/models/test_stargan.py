"""StarGAN: the authors' defaults and objective, the domain vector by attribute name, and learning on a tiny
two-domain colour problem (the target changes the output; the reconstruction path returns to the input)."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

from ganzoo import losses
from ganzoo.models import StarGAN
from ganzoo.models.stargan import single_attribute_targets, stargan_lr_factor

from .helpers import optimizer_of, quiet_trainer
from .translation_data import smooth_images

NAMES = ("Black_Hair", "Blond_Hair", "Brown_Hair", "Male", "Young")


def tiny(**kwargs) -> StarGAN:
    defaults = dict(image_size=16, g_conv_dim=8, d_conv_dim=8, g_repeat_num=1, d_repeat_num=2)
    return StarGAN(**{**defaults, **kwargs})


def test_defaults_are_the_authors():
    with torch.device("meta"):
        model = StarGAN()
    hp = model.hparams
    assert model.attributes == NAMES and model.d_steps == 5
    assert (hp.lambda_cls, hp.lambda_rec, hp.lambda_gp, hp.lr_g, hp.lr_d) == (1.0, 10.0, 10.0, 1e-4, 1e-4)
    assert optimizer_of(model).defaults["betas"] == (0.5, 0.999)
    assert (hp.image_size, hp.num_iters, hp.num_iters_decay, hp.lr_update_step) == (
        128,
        200_000,
        100_000,
        1000,
    )
    # D's classifier head spans the whole 2x2 map of a 128 px image after 6 halvings
    assert model.discriminator.conv2.weight.shape == (5, 2048, 2, 2)


def test_lr_decay_is_the_released_solvers():
    """solver.py: at iteration i (1-based) with i % 1000 == 0 and i > 100,000, lr -= lr_0 / 100,000."""

    def solver(iterations: int) -> float:
        lr = 1.0
        for i in range(1, iterations + 1):
            if i % 1000 == 0 and i > 100_000:
                lr -= 1.0 / 100_000
        return lr

    for iterations in (0, 99_999, 100_000, 100_999, 101_000, 150_500, 200_000):
        assert stargan_lr_factor(iterations, 200_000, 100_000, 1000) == pytest.approx(solver(iterations))
    # the paper's linear decay to zero
    assert stargan_lr_factor(200_000, 200_000, 100_000, 1) == pytest.approx(0.0)
    assert stargan_lr_factor(150_000, 200_000, 100_000, 1) == pytest.approx(0.5)


def test_losses_are_the_authors_terms():
    torch.manual_seed(0)
    model = tiny(attributes=["Male", "Young"])
    x, c = smooth_images(4, 16), torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [0.0, 0.0]])
    torch.manual_seed(1)
    out = model.g_loss((x, c))
    torch.manual_seed(1)
    perm = torch.randperm(4)
    fake = model.generator(x, c[perm])
    src, cls = model.discriminator(fake)
    bce = F.binary_cross_entropy_with_logits(cls, c[perm], reduction="sum") / 4
    rec = (model.generator(fake, c) - x).abs().mean()
    assert out["g_cls"].item() == pytest.approx(bce.item(), rel=1e-5)
    assert out["loss"].item() == pytest.approx((-src.mean() + bce + 10 * rec).item(), rel=1e-5)
    d = model.d_loss((x, c))
    assert d["loss"].item() == pytest.approx((d["d_adv"] + d["d_cls"] + 10 * d["d_gp"]).item(), rel=1e-5)
    assert d["d_cls"].item() == pytest.approx(
        losses.attribute_bce(model.discriminator(x)[1], c).item(), rel=1e-5
    )


def test_targets_by_name_and_their_errors():
    model = tiny()
    assert (
        model.domain({"Blond_Hair": 1, "Male": 0, "Young": 1}, {"Black_Hair": 1, "Brown_Hair": 0}, 2).tolist()
        == [[0.0, 1.0, 0.0, 0.0, 1.0]] * 2
    )  # a hair colour set to 1 clears the input's other hair colours
    with pytest.raises(ValueError, match=r"give \['Male', 'Young'\] in target= or the input's own values"):
        model.domain({"Blond_Hair": 1}, None, 1)
    with pytest.raises(ValueError, match=r"not \['Smiling'\]"):
        model.domain({"Smiling": 1}, None, 1)
    with pytest.raises(ValueError, match="values are 0 or 1"):
        model.domain(dict.fromkeys(NAMES, 2), None, 1)
    with pytest.raises(TypeError, match="needs target="):
        model.translate(torch.zeros(3, 16, 16))
    with pytest.raises(ValueError, match="not in a direction"):
        model.translate(torch.zeros(3, 16, 16), "AtoB", target=dict.fromkeys(NAMES, 0))
    with pytest.raises(ValueError, match="the batch has 2 attributes but this StarGAN was built for 5"):
        model.d_loss((torch.zeros(2, 3, 16, 16), torch.zeros(2, 2)))


def test_single_attribute_targets_are_the_authors_test_grid():
    source = torch.tensor([[1.0, 0.0, 0.0, 1.0, 0.0]])
    targets = [t[0].tolist() for t in single_attribute_targets(source, NAMES)]
    assert targets == [
        [1.0, 0.0, 0.0, 1.0, 0.0],
        [0.0, 1.0, 0.0, 1.0, 0.0],
        [0.0, 0.0, 1.0, 1.0, 0.0],
        [1.0, 0.0, 0.0, 0.0, 0.0],
        [1.0, 0.0, 0.0, 1.0, 1.0],
    ]


def colour_domains(n: int = 32) -> TensorDataset:
    """Two domains told apart by colour: red-dominant images (Blue = 0) and blue-dominant ones (Blue = 1)."""
    images = smooth_images(n, 16, seed=3) * 0.3
    blue = (torch.arange(n) % 2).float()
    images[:, 0] += 0.6 * (1 - 2 * blue)[:, None, None]
    images[:, 2] += 0.6 * (2 * blue - 1)[:, None, None]
    return TensorDataset(images.clamp(-1, 1), blue[:, None])


def reconstruction_error(model: StarGAN, x: torch.Tensor, c: torch.Tensor) -> float:
    fake = model.translate(x, target=1 - c)
    return (model.translate(fake, target=c) - x).abs().mean().item()


def test_after_training_the_target_decides_the_colour_and_the_way_back_returns_the_input(single_thread):
    torch.manual_seed(0)
    data = colour_domains()
    model = tiny(attributes=["Blue"], d_steps=1, lr_g=2e-3, lr_d=2e-3, num_iters=10_000, num_iters_decay=1)
    x, c = data.tensors
    before = reconstruction_error(model, x, c)
    assert not torch.allclose(model.translate(x, target=c), model.translate(x, target=1 - c))
    trainer = quiet_trainer(max_steps=2 * 40)  # 40 iterations of D then G
    trainer.fit(model, DataLoader(data, batch_size=8, shuffle=True, drop_last=True))
    after = reconstruction_error(model, x, c)
    assert after < 0.2 and after < before / 2.5, (before, after)  # measured: 0.52 -> 0.15
    to_blue = model.translate(x[c[:, 0] == 0], target={"Blue": 1})
    to_red = model.translate(x[c[:, 0] == 1], target={"Blue": 0})
    blueness = lambda images: (images[:, 2] - images[:, 0]).mean().item()  # noqa: E731
    assert blueness(to_blue) > 0.3 and blueness(to_red) < -0.3, (blueness(to_blue), blueness(to_red))
