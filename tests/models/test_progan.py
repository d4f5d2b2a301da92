"""ProGAN: the growth schedule, fading in (G, D and the reals), the drift term, and training through the
shared loop across a stage boundary."""

from __future__ import annotations

import lightning as L
import pytest
import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader

from ganzoo.models import GANModule, LatentGANModule, ProGAN
from ganzoo.models.progan import growth_schedule

from .helpers import quiet_trainer


def tiny(**kwargs: object) -> ProGAN:
    return ProGAN(latent_dim=8, depths=[8, 8, 4], channels=1, **kwargs)


@pytest.mark.parametrize(
    ("seen", "expected"),
    [
        (0, (0, 1.0)),  # 4x4 trains alone for one stage
        (99, (0, 1.0)),
        (100, (1, 0.0)),  # 8x8 starts fading in
        (125, (1, 0.25)),
        (199, (1, 0.99)),
        (200, (1, 1.0)),  # 8x8 stabilises
        (300, (2, 0.0)),
        (350, (2, 0.5)),
        (400, (2, 1.0)),  # fully grown from here on
        (10_000, (2, 1.0)),
    ],
)
def test_growth_schedule_by_images_shown(seen: int, expected: tuple[int, float]) -> None:
    level, alpha = growth_schedule(seen, images_per_stage=100, max_level=2)
    assert (level, pytest.approx(alpha)) == expected


def test_faded_out_generator_is_the_upsampled_level_below() -> None:
    torch.manual_seed(0)
    g = tiny().generator
    z = torch.randn(3, 8)
    g.grow_to(1, 1.0)
    below = g(z)
    g.grow_to(2, 1.0)
    new = g(z)
    g.grow_to(2, 0.0)
    up = F.interpolate(below, scale_factor=2, mode="nearest")
    torch.testing.assert_close(g(z), up)
    g.grow_to(2, 0.25)  # alpha weights the new level against the upsampled one below
    torch.testing.assert_close(g(z), 0.25 * new + 0.75 * up)


def test_faded_out_discriminator_reads_the_downsampled_images() -> None:
    torch.manual_seed(0)
    d = tiny().discriminator
    images = torch.randn(4, 1, 16, 16)
    d.grow_to(1, 1.0)
    below = d(F.avg_pool2d(images, 2))
    d.grow_to(2, 0.0)
    torch.testing.assert_close(d(images), below)
    with pytest.raises(ValueError, match="16x16"):
        d(torch.randn(4, 1, 8, 8))


def test_reals_are_shown_at_the_current_level_and_blended_while_it_fades_in() -> None:
    model = tiny()
    real = torch.randn(2, 1, 16, 16)
    model.grow_to(1, 0.25)
    at_8 = F.avg_pool2d(real, 2)
    at_4_up = F.interpolate(F.avg_pool2d(at_8, 2), scale_factor=2, mode="nearest")
    shown, _ = model.real_inputs(real)
    torch.testing.assert_close(shown, 0.25 * at_8 + 0.75 * at_4_up)
    model.grow_to(2, 1.0)
    torch.testing.assert_close(model.real_inputs(real)[0], real)
    with pytest.raises(ValueError, match="image_size=16"):
        model.real_inputs(torch.randn(2, 1, 32, 32))


def test_critic_loss_is_wasserstein_plus_gradient_penalty_plus_drift() -> None:
    model = tiny(penalty=None)
    real = torch.randn(4, 1, 16, 16)
    torch.manual_seed(1)
    out = model.d_loss(real)
    torch.manual_seed(1)
    fake, _ = model.fake_batch(real)
    real_out, fake_out = model.discriminator(real), model.discriminator(fake)
    expected = fake_out.mean() - real_out.mean() + 1e-3 * real_out.pow(2).mean()
    torch.testing.assert_close(out["loss"], expected)
    torch.testing.assert_close(out["drift"], 1e-3 * real_out.pow(2).mean())
    assert tiny().hparams.penalty == "gradient" and tiny().hparams.penalty_weight == 10.0


def test_the_shared_loop_trains_it() -> None:
    assert ProGAN.training_step is GANModule.training_step
    assert "d_loss" not in vars(ProGAN) and "g_loss" not in vars(ProGAN)
    assert issubclass(ProGAN, LatentGANModule)


class GrowthRecorder(L.Callback):
    """(level, alpha) of G, its EMA and D when each batch starts training, and the size of what D saw."""

    def __init__(self) -> None:
        self.states: list[tuple[int, float]] = []
        self.followers_agree: list[bool] = []

    def on_train_batch_end(self, trainer: L.Trainer, pl_module: ProGAN, *args: object) -> None:
        self.states.append((pl_module.level, round(pl_module.alpha, 6)))
        others = (pl_module.generator_ema, pl_module.discriminator)
        self.followers_agree.append(
            all((int(n.level), float(n.alpha)) == (pl_module.level, pl_module.alpha) for n in others)
        )


def test_alpha_follows_its_schedule_across_stage_boundaries_in_training() -> None:
    L.seed_everything(0)
    model = ProGAN(latent_dim=4, depths=[4, 4, 4], channels=1, images_per_stage=4, group_size=2)
    data = DataLoader(torch.rand(24, 1, 16, 16) * 2 - 1, batch_size=2)
    recorder = GrowthRecorder()
    quiet_trainer(max_epochs=1, callbacks=[recorder]).fit(model, data)
    # 2 images per batch, 4 per stage: two batches per stage.
    assert recorder.states == [
        (0, 1.0), (0, 1.0),
        (1, 0.0), (1, 0.5),
        (1, 1.0), (1, 1.0),
        (2, 0.0), (2, 0.5),
        (2, 1.0), (2, 1.0), (2, 1.0), (2, 1.0),
    ]  # fmt: skip
    assert all(recorder.followers_agree)
    assert int(model.images_seen) == 24 and int(model.num_g_steps) == 12
    assert model.sample(2, seed=0).shape == (2, 1, 16, 16)


def test_samples_are_full_size_at_every_level() -> None:
    model = tiny()
    model.grow_to(0, 1.0)
    images = model.sample(2, seed=0)
    assert images.shape == (2, 1, 16, 16)
    at_4x4 = images[..., ::4, ::4]
    torch.testing.assert_close(images, at_4x4.repeat_interleave(4, -1).repeat_interleave(4, -2))
