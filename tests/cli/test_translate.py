"""``ganzoo translate``: images in, translated images out, from a saved folder or a catalog name."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from ganzoo.cli import main
from ganzoo.hub.catalog import CATALOG, URL, Pretrained
from ganzoo.models import DCGAN, Pix2Pix
from ganzoo.nn.resnet_generator import ResnetGenerator


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf_home"))
    monkeypatch.setenv("GANZOO_CACHE", str(tmp_path / "ganzoo_cache"))


def _image(path: Path, seed: int, size: tuple[int, int] = (40, 48)) -> Path:
    rng = np.random.default_rng(seed)
    Image.fromarray(rng.integers(0, 256, (*size, 3), dtype=np.uint8)).save(path)
    return path


def test_translates_one_image_with_a_saved_pix2pix(tmp_path, capsys):
    torch.manual_seed(0)
    model = Pix2Pix(net_g="unet_64", ngf=4, ndf=4, image_size=64).eval()  # unet_64 has a dropout level
    folder = model.save_pretrained(tmp_path / "p2p")
    card = (folder / "README.md").read_text()
    assert "model.translate(" in card and not (folder / "samples.png").exists()  # no latents to sample
    labels = _image(tmp_path / "labels.png", 0)
    assert main(["translate", str(folder), str(labels), "-o", str(tmp_path / "out" / "photo.png")]) == 0
    out = Image.open(tmp_path / "out" / "photo.png")
    assert out.size == (64, 64) and out.mode == "RGB"
    torch.manual_seed(0)  # the CLI's default --seed: the same dropout noise
    np.testing.assert_array_equal(np.asarray(out), np.asarray(model.translate(Image.open(labels))))
    main(["translate", str(folder), str(labels), "-o", str(tmp_path / "eval.png"), "--eval"])
    expected = model.translate(Image.open(labels), eval_mode=True)
    np.testing.assert_array_equal(np.asarray(Image.open(tmp_path / "eval.png")), np.asarray(expected))
    assert "photo.png" in capsys.readouterr().out


def test_translates_several_images_with_an_authors_file_by_name(tmp_path, monkeypatch):
    torch.manual_seed(0)
    net = ResnetGenerator(ngf=4, n_blocks=6)
    state = net.state_dict()
    state.update({"model.2.running_mean": torch.zeros(4), "model.2.running_var": torch.ones(4)})
    file = tmp_path / "horse2zebra.pth"
    torch.save(state, file)
    entry = Pretrained(
        name="test-h2z",
        model="ganzoo.models.CycleGAN",
        init_args={"generator_only": True, "net_g": "resnet_6blocks", "ngf": 4, "image_size": 32},
        sha256=None,
        sources=(URL(file.as_uri()),),
        format="junyanz",
        filename=file.name,
        license="BSD-2-Clause",
        paper="test",
        dataset="test",
    )
    monkeypatch.setitem(CATALOG, entry.name, entry)
    inputs = [_image(tmp_path / f"horse{i}.jpg", i) for i in range(2)]
    with pytest.warns(UserWarning, match="without a checksum"):
        main(
            [
                "translate",
                "test-h2z",
                *map(str, inputs),
                "-o",
                str(tmp_path / "zebras"),
                "--direction",
                "AtoB",
            ]
        )
    for path in inputs:
        out = np.asarray(Image.open(tmp_path / "zebras" / f"{path.stem}.png"))
        x = torch.from_numpy(np.array(Image.open(path).resize((32, 32), Image.BICUBIC))).float()
        with torch.no_grad():
            expected = net(x.permute(2, 0, 1)[None] / 127.5 - 1)[0]
        expected = ((expected + 1) * 127.5).clamp(0, 255).to(torch.uint8).permute(1, 2, 0).numpy()
        np.testing.assert_array_equal(out, expected)


def test_clear_errors(tmp_path, capsys):
    folder = DCGAN(image_size=8, channels=1, latent_dim=4, g_width=4, d_width=4).save_pretrained(
        tmp_path / "dc"
    )
    image = _image(tmp_path / "x.png", 0)
    assert main(["translate", str(folder), str(image), "-o", str(tmp_path / "y.png")]) == 2
    assert "not an image-to-image model" in capsys.readouterr().err
    p2p = Pix2Pix(net_g="unet_32", ngf=2, ndf=2, image_size=32).save_pretrained(tmp_path / "p2p")
    assert main(["translate", str(p2p), str(tmp_path / "missing.png"), "-o", str(tmp_path / "y.png")]) == 2
    err = capsys.readouterr().err
    assert err == f"ganzoo translate: error: input image {tmp_path / 'missing.png'} does not exist\n"
    assert not (tmp_path / "y.png").exists()


def test_stargan_translates_to_the_attributes_given_with_attr(tmp_path, capsys):
    from ganzoo.models import StarGAN

    torch.manual_seed(0)
    model = StarGAN(["Blond_Hair", "Male"], image_size=16, g_conv_dim=4, g_repeat_num=1, d_repeat_num=2)
    folder = model.eval().save_pretrained(tmp_path / "stargan")
    face = _image(tmp_path / "face.png", 0)
    out = tmp_path / "blond.png"
    assert (
        main(
            [
                "translate",
                str(folder),
                str(face),
                "-o",
                str(out),
                "--attr",
                "Blond_Hair=1",
                "--attr",
                "Male=0",
            ]
        )
        == 0
    )
    expected = model.translate(Image.open(face), target={"Blond_Hair": 1, "Male": 0})
    np.testing.assert_array_equal(np.asarray(Image.open(out)), np.asarray(expected))
    other = model.translate(Image.open(face), target={"Blond_Hair": 0, "Male": 1})
    assert not np.array_equal(np.asarray(Image.open(out)), np.asarray(other))
    main(
        [
            "translate",
            str(folder),
            str(face),
            "-o",
            str(out),
            "--attr",
            "Blond_Hair=1",
            "--source-attr",
            "Male=1",
        ]
    )
    expected = model.translate(Image.open(face), target={"Blond_Hair": 1}, source={"Male": 1})
    np.testing.assert_array_equal(np.asarray(Image.open(out)), np.asarray(expected))
    assert main(["translate", str(folder), str(face), "-o", str(out), "--attr", "Blond_Hair=1"]) == 2
    assert "give ['Male'] in target= or the input's own values in source=" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["translate", str(folder), str(face), "-o", str(out), "--attr", "Blond_Hair=yes"])
    assert "expected NAME=0 or NAME=1 (e.g. Blond_Hair=1), got 'Blond_Hair=yes'" in capsys.readouterr().err


def test_attr_is_refused_by_a_model_without_attributes(tmp_path, capsys):
    folder = Pix2Pix(net_g="unet_32", ngf=4, ndf=4, image_size=32).save_pretrained(tmp_path / "p2p")
    face = _image(tmp_path / "face.png", 0)
    args = ["translate", str(folder), str(face), "-o", str(tmp_path / "o.png"), "--attr", "Male=1"]
    assert main(args) == 2
    assert "Pix2Pix.translate() takes no source, target" in capsys.readouterr().err


def test_samples_writes_k_translations_of_one_input_in_a_row(tmp_path):
    from ganzoo.models import BicycleGAN

    torch.manual_seed(0)
    model = BicycleGAN(net_g="unet_64", ngf=4, ndf=4, nef=4, image_size=64, init_gain=1.0).eval()
    folder = model.save_pretrained(tmp_path / "bicycle")
    edges = _image(tmp_path / "edges.png", 0)
    assert (
        main(["translate", str(folder), str(edges), "-o", str(tmp_path / "grid.png"), "--samples", "3"]) == 0
    )
    grid = np.asarray(Image.open(tmp_path / "grid.png"))
    assert grid.shape == (2 + 64 + 2, 2 + 3 * (64 + 2), 3)  # one row of three, make_grid's 2-pixel padding
    tiles = [grid[2:66, 2 + i * 66 : 66 + i * 66] for i in range(3)]
    assert not np.array_equal(tiles[0], tiles[1]) and not np.array_equal(tiles[1], tiles[2])
    expected = model.translate_samples(Image.open(edges), 3, seed=0)
    np.testing.assert_allclose(
        tiles[2] / 255.0, ((expected[2] + 1) / 2).permute(1, 2, 0).numpy(), atol=1 / 255
    )


def test_samples_is_refused_for_a_one_to_one_model(tmp_path, capsys):
    folder = Pix2Pix(net_g="unet_64", ngf=4, ndf=4, image_size=64).save_pretrained(tmp_path / "p2p")
    image = str(_image(tmp_path / "x.png", 0))
    assert main(["translate", str(folder), image, "-o", str(tmp_path / "y.png"), "--samples", "2"]) == 2
    assert "--samples does not apply" in capsys.readouterr().err
