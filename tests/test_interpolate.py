"""Latent interpolation (slerp / lerp between seeds and classes) and the ``ganzoo sample`` / ``ganzoo
interpolate`` commands on small saved models."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from PIL import Image

from ganzoo import cli
from ganzoo.images import save_image_grid
from ganzoo.interpolate import interpolate, lerp, save_interpolation, slerp
from ganzoo.models import DCGAN, BigGANDeep


@pytest.fixture(scope="module")
def deep(tmp_path_factory) -> tuple[BigGANDeep, str]:
    """A tiny generator-only BigGAN-deep with CIFAR-10 class names, and its save_pretrained folder."""
    torch.manual_seed(0)
    model = BigGANDeep(
        image_size=32, num_classes=10, class_names="cifar10", latent_dim=8, embed_dim=8, g_ch=4,
        generator_only=True, ema_decay=None,
    ).eval()  # fmt: skip
    folder = tmp_path_factory.mktemp("tiny-deep")
    model.save_pretrained(folder)
    return model, str(folder)


def test_slerp_follows_the_great_circle():
    a, b = torch.tensor([2.0, 0.0]), torch.tensor([0.0, 1.0])
    t = torch.tensor([0.0, 1 / 3, 0.5, 1.0])
    got = slerp(a, b, t)
    for ti, row in zip(t.tolist(), got, strict=True):
        angle, norm = ti * math.pi / 2, 2.0 + ti * (1.0 - 2.0)
        torch.testing.assert_close(row, torch.tensor([math.cos(angle), math.sin(angle)]) * norm)
    torch.testing.assert_close(lerp(a, b, t)[2], torch.tensor([1.0, 0.5]))
    torch.testing.assert_close(slerp(a, 3 * a, t)[2], 2 * a)  # parallel: the straight line


def test_interpolation_between_seeds_and_classes_hits_its_keyframes(deep):
    model, _ = deep
    frames = interpolate(model, 5, seeds=(3, 4), classes=("cat", "ship"), truncation=0.5)
    assert frames.shape == (5, 3, 32, 32)
    for seed, label, frame in ((3, 3, frames[0]), (4, 8, frames[-1])):
        z = model.sample_latent(1, generator=torch.Generator().manual_seed(seed), truncation=0.5)
        torch.testing.assert_close(frame, model.sample(1, z=z, classes=label, truncation=0.5)[0])
    # Halfway, both the latent (on the great circle) and the class (a 50/50 mixture) are in between.
    keys = [
        model.sample_latent(1, generator=torch.Generator().manual_seed(s), truncation=0.5) for s in (3, 4)
    ]
    mix = torch.zeros(1, 10)
    mix[0, 3] = mix[0, 8] = 0.5
    middle = model.sample(
        1, z=slerp(keys[0][0], keys[1][0], torch.tensor([0.5])), classes=mix, truncation=0.5
    )
    torch.testing.assert_close(frames[2], middle[0])


def test_several_keyframes_and_fixed_class():
    model = BigGANDeep(image_size=32, num_classes=3, latent_dim=8, embed_dim=8, g_ch=4, generator_only=True)
    frames = interpolate(model.eval(), 7, seeds=(0, 1, 2), classes=(2,), mode="lerp")
    z2 = model.sample_latent(1, generator=torch.Generator().manual_seed(2))
    torch.testing.assert_close(frames[-1], model.sample(1, z=z2, classes=2)[0])
    with pytest.raises(ValueError, match="one class for the whole path or one per seed"):
        interpolate(model, 7, seeds=(0, 1, 2), classes=(0, 1))


def test_unconditional_models_interpolate_without_classes():
    model = DCGAN(image_size=16, channels=1, g_width=8, d_width=8).eval()
    frames = interpolate(model, 4, seeds=(0, 1))
    assert frames.shape == (4, 1, 16, 16)
    assert not torch.allclose(frames[0], frames[-1])
    with pytest.raises(ValueError, match="unconditional"):
        interpolate(model, 4, classes=(1, 2))
    with pytest.raises(ValueError, match="at least two seeds"):
        interpolate(model, 4, seeds=(0,))


def test_grid_png_and_gif_with_one_frame_per_image(tmp_path):
    frames = torch.linspace(-1, 1, 6).view(6, 1, 1, 1).expand(6, 3, 8, 8)
    grid, gif = save_interpolation(frames, tmp_path / "grid.png", tmp_path / "walk.gif", frame_ms=50)
    assert Image.open(grid).size == (8 * 3 + 2 * 4, 8 * 2 + 2 * 3)  # 3 x 2 grid with 2-pixel padding
    with Image.open(gif) as image:
        assert image.n_frames == 6
        assert image.info["duration"] == 50
        image.seek(5)
        assert np.asarray(image.convert("RGB"))[0, 0].tolist() == [255, 255, 255]


def same_pixels(a, b) -> bool:
    """Equal 8-bit images, up to one level (``ganzoo.load``'s folded generator differs by ~1e-7)."""
    a, b = (np.asarray(Image.open(p)).astype(int) for p in (a, b))
    return a.shape == b.shape and np.abs(a - b).max() <= 1


def test_sample_command_takes_classes_and_truncation(deep, tmp_path):
    model, folder = deep
    out = tmp_path / "cats_and_dogs.png"
    assert (
        cli.main(["sample", folder, "-n", "4", "--class", "cat,dog", "--truncation", "0.5", "-o", str(out)])
        == 0
    )
    expected = model.sample(4, classes=["cat", "cat", "dog", "dog"], truncation=0.5, seed=0)
    save_image_grid(expected, tmp_path / "expected.png", nrow=2)
    assert same_pixels(out, tmp_path / "expected.png")
    repeated = tmp_path / "repeated.png"
    cli.main(
        [
            "sample",
            folder,
            "-n",
            "4",
            "--class",
            "3",
            "--class",
            "dog",
            "--truncation",
            "0.5",
            "-o",
            str(repeated),
        ]
    )
    assert same_pixels(repeated, out)


def test_sample_command_errors_name_the_problem(deep, tmp_path, capsys):
    _, folder = deep
    out = str(tmp_path / "x.png")
    assert cli.main(["sample", folder, "-n", "2", "--class", "kat", "-o", out]) == 2
    assert "unknown class name 'kat'" in capsys.readouterr().err
    assert cli.main(["sample", folder, "-n", "3", "--class", "cat,dog", "-o", out]) == 2
    assert "not a multiple of the 2 classes" in capsys.readouterr().err
    dcgan = DCGAN(image_size=16, channels=1, g_width=8, d_width=8)
    dcgan.save_pretrained(tmp_path / "dcgan")
    assert cli.main(["sample", str(tmp_path / "dcgan"), "--truncation", "0.5", "-o", out]) == 2
    err = capsys.readouterr().err
    assert err == "ganzoo sample: error: DCGAN is unconditional; it takes no --class or --truncation\n"
    with pytest.raises(TypeError, match=r"DCGAN.sample\(\) got classes; it is unconditional"):
        dcgan.sample(8, classes=3)
    assert not (tmp_path / "x.png").exists()


def test_interpolate_command_writes_grid_and_gif(deep, tmp_path, capsys):
    _, folder = deep
    png, gif = tmp_path / "walk.png", tmp_path / "walk.gif"
    args = [
        "interpolate",
        folder,
        "--frames",
        "6",
        "--seeds",
        "0,1,2",
        "--class",
        "cat",
        "--truncation",
        "0.7",
    ]
    assert cli.main([*args, "-o", str(png), "--gif", str(gif)]) == 0
    assert "wrote 6 frames" in capsys.readouterr().out
    assert png.is_file()
    with Image.open(gif) as image:  # 32x32 frames enlarged 4x (nearest) to be seen
        assert image.n_frames == 6 and image.size == (128, 128)
        frame = np.asarray(image.convert("RGB"))
    assert (frame[::4, ::4].repeat(4, 0).repeat(4, 1) == frame).all()
