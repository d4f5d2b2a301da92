"""StyleGAN2 / StyleGAN3 training: lazy R1 and path length at their intervals, the EMA half-life with its
ramp, the lazy-regularisation correction of Adam, ADA's p update, and the sampling / editing API."""

from __future__ import annotations

from pathlib import Path
from unittest import mock

import numpy as np
import pytest
import torch
from PIL import Image
from torch.utils.data import DataLoader, TensorDataset

from ganzoo.models import StyleGAN2, StyleGAN3
from ganzoo.models.capabilities import Sampler
from ganzoo.models.stylegan2 import gaussian_taps
from tests.models.helpers import StepRecorder, quiet_trainer

TINY = {
    "z_dim": 16,
    "w_dim": 16,
    "img_resolution": 16,
    "mapping_kwargs": {"num_layers": 2},
    "synthesis_kwargs": {"channel_base": 256, "channel_max": 16},
    "discriminator_kwargs": {"channel_base": 256, "channel_max": 16},
}


TINY3 = {**TINY, "synthesis_kwargs": {"channel_base": 128, "channel_max": 8,
         "num_layers": 4, "num_critical": 1, "margin_size": 2}}  # fmt: skip


def tiny(**kwargs: object) -> StyleGAN2:
    torch.manual_seed(0)
    return StyleGAN2(**{**TINY, **kwargs})


def loader(n: int = 64, batch: int = 4, classes: int | None = None) -> DataLoader:
    images = torch.rand(n, 3, 16, 16) * 2 - 1
    if classes is None:
        return DataLoader(TensorDataset(images), batch_size=batch)
    return DataLoader(TensorDataset(images, torch.arange(n) % classes), batch_size=batch)


def test_lazy_r1_and_path_length_run_exactly_at_their_intervals() -> None:
    model = tiny(r1_every=16, pl_every=4, ema_kimg=None)
    recorder = StepRecorder()
    with (
        mock.patch.object(StyleGAN2, "r1_loss", autospec=True, side_effect=StyleGAN2.r1_loss) as r1,
        mock.patch.object(
            StyleGAN2, "path_length_loss", autospec=True, side_effect=StyleGAN2.path_length_loss
        ) as pl,
    ):
        quiet_trainer(max_epochs=1, limit_train_batches=32, callbacks=[recorder]).fit(model, loader(128))
    assert int(model.num_d_steps) == 32 and int(model.num_g_steps) == 32
    assert r1.call_count == 2 and pl.call_count == 8
    # Each lazy term is its own update of its network, right after the 16th D step / every 4th G step.
    assert recorder.sequence[:10] == ["D", "G", "D", "G", "D", "G", "D", "G", "G", "D"]
    assert recorder.sequence.count("D") == 32 + 2 and recorder.sequence.count("G") == 32 + 8
    assert all(recorder.other_frozen)
    assert float(model.pl_mean) > 0  # the running path length moved from zero


def test_adam_lr_and_betas_are_corrected_for_the_lazy_steps() -> None:
    model = tiny(r1_every=16, pl_every=4, lr_g=0.002, lr_d=0.002)
    opt_d, opt_g = model.configure_optimizers()
    assert opt_d.param_groups[0]["lr"] == pytest.approx(0.002 * 16 / 17)
    assert opt_d.param_groups[0]["betas"] == pytest.approx((0.0, 0.99 ** (16 / 17)))
    assert opt_g.param_groups[0]["lr"] == pytest.approx(0.002 * 4 / 5)
    assert opt_g.param_groups[0]["betas"] == pytest.approx((0.0, 0.99 ** (4 / 5)))


def test_ema_half_life_and_its_ramp() -> None:
    model = tiny(ema_kimg=10.0, ema_rampup=0.05)
    model._batch_size = 32
    model.num_g_steps.fill_(1)  # the first update: nothing seen yet, so the EMA copies G
    assert model.ema_decay_for(None) == 0.0
    model.num_g_steps.fill_(101)  # 3200 images seen: the half-life is 0.05 * 3200 = 160 images
    assert model.ema_decay_for(None) == pytest.approx(0.5 ** (32 / 160))
    model.num_g_steps.fill_(100_001)  # far past the ramp: 10k images
    assert model.ema_decay_for(None) == pytest.approx(0.5 ** (32 / 10_000))
    assert tiny(ema_kimg=10.0).generator_ema is not None and tiny(ema_kimg=None).generator_ema is None


def test_ada_moves_p_by_the_sign_of_the_overfitting_heuristic() -> None:
    model = tiny(ada_target=0.6, ada_interval=4, ada_kimg=100)
    model._batch_size = 8
    step = 8 * 4 / 100_000
    for i, sign in enumerate([1.0, 1.0, 1.0, 0.0]):  # mean 0.75 > 0.6: D overfits, p goes up
        model.num_d_steps.fill_(i)
        model.after_d_step({"d_real_sign": torch.tensor(sign)})
    assert float(model.augment_pipe.p) == pytest.approx(step)
    for i, sign in enumerate([0.0, 0.0, 1.0, 0.0], start=4):  # mean 0.25 < 0.6: p goes down, not below 0
        model.num_d_steps.fill_(i)
        model.after_d_step({"d_real_sign": torch.tensor(sign)})
    assert float(model.augment_pipe.p) == pytest.approx(0.0, abs=1e-9)


def test_augmentations_at_p_one_change_images_and_at_p_zero_do_not() -> None:
    model = tiny(augment_p=1.0)
    x = torch.rand(4, 3, 16, 16)
    assert not torch.allclose(model.augment_pipe(x), x)
    model.augment_pipe.p.zero_()
    assert torch.equal(model.augment_pipe(x), x)


def test_a_class_conditional_model_trains_and_samples_by_class() -> None:
    model = tiny(c_dim=3, r1_every=2, pl_every=2, ema_kimg=1.0)
    quiet_trainer(max_epochs=1, limit_train_batches=3).fit(model, loader(12, classes=3))
    a = model.sample(2, seed=0, classes=1)
    b = model.sample(2, seed=0, classes=2)
    assert a.shape == (2, 3, 16, 16) and not torch.allclose(a, b)
    with pytest.raises(ValueError, match="class indices"):
        model.sample(1, classes=5)


def test_sample_mapping_synthesis_and_truncation_agree() -> None:
    model = tiny().eval()
    assert isinstance(model, Sampler)
    z = torch.randn(3, 16)
    ws = model.mapping(z, truncation=0.5)
    assert ws.shape == (3, model.generator.num_ws, 16)
    w_avg = model.generator_ema.mapping.w_avg
    torch.testing.assert_close(ws, w_avg + 0.5 * (model.mapping(z) - w_avg))
    torch.testing.assert_close(model.sample(3, z=z, truncation=0.5), model.synthesis(ws))
    torch.testing.assert_close(model.sample(2, seed=4), model.sample(2, seed=4))  # const noise by default
    for name, p in model.generator_ema.named_parameters():
        if name.endswith("noise_strength"):  # zero at initialisation: make the noise visible
            p.data.fill_(1.0)
    assert not torch.allclose(model.sample(2, seed=4, noise_mode="random"), model.sample(2, seed=4))
    assert not torch.allclose(model.sample(2, seed=4, noise_mode="none"), model.sample(2, seed=4))


def test_sampling_a_big_batch_on_cpu_runs_in_chunks() -> None:
    model = tiny().eval()
    with mock.patch("ganzoo.models.stylegan2._PIXELS_PER_CHUNK_CPU", 16 * 16 * 3):
        chunks = model._chunks(10)
        images = model.sample(10, seed=1)
    assert [s.stop - s.start for s in chunks] == [3, 3, 3, 1]
    torch.testing.assert_close(images, model.sample(10, seed=1), atol=1e-5, rtol=1e-5)


def test_a_seed_draws_nvidias_z() -> None:
    model = tiny()
    for seed in (0, 1, 42, 2**32 - 1):
        # gen_images.py's draw: RandomState(seed).randn(1, z_dim), cast to float32 by the mapping network.
        expected = np.random.RandomState(seed).randn(1, 16).astype(np.float32)
        np.testing.assert_array_equal(model.seed_latents([seed]).numpy(), expected)


def test_mix_rows_and_columns_are_the_images_of_their_seeds() -> None:
    model = tiny().eval()
    none = model.mix([5, 6], [7], layers=[])
    every = model.mix([5], [7, 8], layers=range(model.generator.num_ws))
    torch.testing.assert_close(none[:, 0], model.sample(2, z=model.seed_latents([5, 6])))
    torch.testing.assert_close(every[0], model.sample(2, z=model.seed_latents([7, 8])))


def test_style_mixing_takes_the_chosen_layers_from_the_columns(tmp_path: Path) -> None:
    model = tiny().eval()
    cells = model.mix([1, 2], [3, 4, 5], layers=range(0, 3))
    assert cells.shape == (2, 3, 3, 16, 16)
    # All layers from the column seed: the column's own image; none: the row's own image.
    every = model.mix([1], [3], layers=range(model.generator.num_ws))
    torch.testing.assert_close(every[0, 0], model.mix([3], [1], layers=[])[0, 0])
    path = model.save_mix_grid(tmp_path / "mix.png", [1, 2], [3, 4, 5], layers=[0, 1])
    width, height = Image.open(path).size
    assert width > height  # 4 columns (sources + 3) by 3 rows
    with pytest.raises(ValueError, match=r"ws indices in \[0, "):
        model.mix([1], [2], layers=[99])


def test_stylegan3_trains_a_step_and_tracks_input_magnitudes() -> None:
    torch.manual_seed(0)
    model = StyleGAN3(**TINY3, r1_every=1)
    layer = getattr(model.generator.synthesis, model.generator.synthesis.layer_names[0])
    quiet_trainer(max_epochs=1, limit_train_batches=2).fit(model, loader(8))
    assert int(model.num_g_steps) == 2 and float(layer.magnitude_ema) != 1.0
    assert model.hparams.pl_weight == 0 and model.hparams.style_mixing_prob == 0
    assert model.sample(2, seed=0).shape == (2, 3, 16, 16)


def test_stylegan3_r_blurs_d_inputs_with_a_sigma_fading_over_the_images_shown() -> None:
    assert StyleGAN3(**TINY3).blur_sigma() == 0.0  # config T: no blur
    model = StyleGAN3(**TINY3, config="r", blur_fade_kimg=0.1)
    model._batch_size = 4
    for d_steps, sigma in [(0, 10.0), (10, 6.0), (20, 2.0), (25, 0.0), (40, 0.0)]:
        model.num_d_steps.fill_(d_steps)
        assert model.blur_sigma() == pytest.approx(sigma)
    # NVIDIA's train.py fade: batch * 200 / 32 thousand images, 200k at batch 32.
    default = StyleGAN3(**TINY3, config="r")
    default._batch_size = 32
    default.num_d_steps.fill_(100_000 // 32)
    assert default.blur_sigma() == pytest.approx(10 * (1 - (100_000 // 32) * 32 / 200_000))


def test_the_blur_filter_is_its_formula() -> None:
    for sigma in (0.4, 1.0, 2.5, 10.0):
        size = int(np.floor(sigma * 3))
        x = np.arange(-size, size + 1)
        expected = 2.0 ** (-((x / sigma) ** 2))
        np.testing.assert_allclose(gaussian_taps(sigma).numpy(), expected / expected.sum(), rtol=1e-6)


def _seen_by_d(model: StyleGAN2, images: torch.Tensor) -> torch.Tensor:
    seen = []
    with mock.patch.object(
        model.discriminator, "forward", side_effect=lambda x, c: seen.append(x) or x.sum()
    ):
        model.critic(images, None)
    return seen[0]


def test_d_sees_blurred_images_while_sigma_is_positive_and_the_images_after_the_fade() -> None:
    model = StyleGAN3(**TINY3, config="r", blur_init_sigma=1.5, blur_fade_kimg=0.1)
    model._batch_size = 4
    images = torch.randn(2, 3, 16, 16)
    taps = gaussian_taps(1.5).double().numpy()
    # Reference: the separable blur row by row, then column by column, zeros outside the image.
    rows = np.apply_along_axis(np.convolve, 3, images.double().numpy(), taps, mode="same")
    expected = np.apply_along_axis(np.convolve, 2, rows, taps, mode="same")
    np.testing.assert_allclose(_seen_by_d(model, images).numpy(), expected, atol=1e-5)
    model.num_d_steps.fill_(25)  # 100 images shown: the fade is over
    assert torch.equal(_seen_by_d(model, images), images)


def test_interpolation_walks_straight_lines_in_w() -> None:
    from ganzoo.interpolate import interpolate

    model = tiny().eval()
    frames = interpolate(model, 5, seeds=(1, 2), truncation=0.5)
    z = torch.cat([model.sample_latent(1, generator=torch.Generator().manual_seed(s)) for s in (1, 2)])
    a, b = model.mapping(z, truncation=0.5)
    middle = model.synthesis(((a + b) / 2)[None])
    assert frames.shape == (5, 3, 16, 16)
    torch.testing.assert_close(frames[2:3], middle, atol=1e-5, rtol=1e-4)
    torch.testing.assert_close(frames[4:], model.synthesis(b[None]), atol=1e-5, rtol=1e-4)


def test_the_sample_command_takes_truncation_for_a_network_pickle(
    tmp_path: Path, karras_fixtures: Path
) -> None:
    from ganzoo.cli import main

    out = tmp_path / "faces.png"
    args = ["sample", str(karras_fixtures / "stylegan2-tiny-32.pkl"), "--truncation", "0.7", "-n", "4"]
    assert main([*args, "-o", str(out)]) == 0
    assert Image.open(out).size[0] >= 64


def test_the_discriminator_refuses_a_resolution_below_its_first_block() -> None:
    from ganzoo.nn.stylegan2 import StyleGAN2Discriminator

    assert StyleGAN2Discriminator(0, 16, 3).block_resolutions == [16, 8]
    with pytest.raises(ValueError, match="img_resolution >= 8, got 4"):
        StyleGAN2Discriminator(0, 4, 3)
    with pytest.raises(ValueError, match="power of two"):
        StyleGAN2Discriminator(0, 24, 3)


def test_the_load_path_is_a_cpu_copy_with_the_same_images() -> None:
    model = tiny().eval()
    eager = model.sample(4, seed=2)
    model.optimize_for_inference()
    copy_ = model.inference_generator
    assert copy_ is not model.sampling_generator
    blocks = [b for b in copy_.modules() if hasattr(b, "fused_modconv_default")]
    assert blocks and all(b.fused_modconv_default == "cheapest" for b in blocks)
    layers = [m for m in copy_.modules() if hasattr(m, "prepare_for_inference")]
    assert layers and all(torch.equal(m.weight_sq, m.weight.square().sum([2, 3])) for m in layers)
    ups = [m for m in layers if m.up > 1]  # weights kept in the transposed convolution's layout
    assert ups and all(torch.equal(m.weight_inference, m.weight) for m in ups)
    assert all(m.weight_inference.transpose(0, 1).is_contiguous() for m in ups)
    assert not any("weight_sq" in key or "weight_inference" in key for key in model.state_dict())
    torch.testing.assert_close(model.sample(4, seed=2), eager, atol=1e-4, rtol=0)


def _frechet(a: torch.Tensor, b: torch.Tensor) -> float:
    linalg = pytest.importorskip("scipy.linalg")
    mu_a, mu_b = a.mean(0).double(), b.mean(0).double()
    cov_a, cov_b = torch.cov(a.T.double()), torch.cov(b.T.double())
    root = linalg.sqrtm((cov_a @ cov_b).numpy()).real
    return float((mu_a - mu_b).square().sum() + torch.trace(cov_a + cov_b) - 2 * float(root.trace()))


@pytest.mark.slow
def test_a_tiny_stylegan2_learns_mnist(real_mnist: Path, tmp_path: Path) -> None:
    """1,600 steps of a CPU-sized StyleGAN2 on real MNIST at 32 px (batch 32, one thread): the Frechet
    distance of its samples to the test digits, in the 256-d features of ganzoo's digit classifier, falls to
    under half of the untrained generator's, and no digit takes more than 30% of the samples. It took 33
    minutes on a shared machine, the classifier's training included.

    NVIDIA's ``cifar`` configuration (lr 0.0025, a 2-layer mapping, no path length, no style mixing) with
    gamma 1: at its gamma of 0.01 this small D let G collapse to one shape within 400 steps (measured: every
    sample the same stroke at 800 steps). Measured on this seed: distance 1256 -> 700 at 1,200 steps and 520
    at 1,600 (ratio 0.41), largest digit share 15%."""
    from ganzoo.data import MNIST
    from ganzoo.metrics.classifier import digit_classifier, mnist_split

    classifier = digit_classifier(real_mnist).eval()
    body = classifier.net[:-1]

    def features(images: torch.Tensor) -> torch.Tensor:  # the classifier's input size, then its 256-d layer
        return body(torch.nn.functional.interpolate(images, size=(28, 28), mode="bilinear", antialias=True))

    real, _ = mnist_split(real_mnist, "test")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # one thread: the same float sums, so the same run, on any machine
    torch.manual_seed(0)
    model = StyleGAN2(
        z_dim=64, w_dim=64, img_resolution=32, img_channels=1, mapping_kwargs={"num_layers": 2},
        synthesis_kwargs={"channel_base": 1024, "channel_max": 64},
        discriminator_kwargs={"channel_base": 1024, "channel_max": 64},
        r1_gamma=1.0, pl_weight=0.0, style_mixing_prob=0.0, ema_kimg=2.0, ema_rampup=0.05,
        lr_g=0.0025, lr_d=0.0025,
    )  # fmt: skip

    def fakes() -> torch.Tensor:
        with torch.no_grad():
            return torch.cat([model.sample(250, seed=s) for s in range(4)]).clamp(-1, 1)

    def distance(fake: torch.Tensor) -> float:
        with torch.no_grad():
            return _frechet(features(fake), features(real[:1000]))

    try:
        before = distance(fakes())
        data = MNIST(data_dir=real_mnist, image_size=32, batch_size=32, download=False)
        quiet_trainer(max_epochs=1, limit_train_batches=1600, default_root_dir=tmp_path).fit(model, data)
        fake = fakes()
        after = distance(fake)
        with torch.no_grad():
            digits = classifier(fake).argmax(1)
    finally:
        torch.set_num_threads(threads)
    assert int(model.num_g_steps) == 1600
    assert after < 0.5 * before, (before, after)
    shares = torch.bincount(digits, minlength=10).float() / len(digits)
    assert shares.max() < 0.3, shares.tolist()
