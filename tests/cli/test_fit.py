"""The ``ganzoo`` / ``lightning`` commands: every zoo card trains through both, short names, clear errors."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from ganzoo import cli
from ganzoo.cli import card_name, list_cards

CARDS = list_cards()
TINY_DCGAN = ["fit", "--model", "DCGAN", "--model.image_size", "16", "--model.channels", "1"]
TINY_DCGAN += ["--model.g_width", "8", "--model.d_width", "8"]


def tiny_mnist(mnist_dir: Path, run_dir: Path) -> list[str]:
    """The generated MNIST at 16x16, offline, with the run written under ``run_dir``."""
    return [
        "--data.data_dir",
        str(mnist_dir),
        "--data.image_size",
        "16",
        "--data.download",
        "false",
        "--trainer.default_root_dir",
        str(run_dir),
    ]


BIN = Path(sys.executable).parent


# Image-to-image cards keep their networks (unet_256 needs 256x256 images) at a width of 4 channels.
TRANSLATION_OVERRIDES = {
    "Paired": ["--model.ngf", "4", "--model.ndf", "4"],
    "Unpaired": ["--model.ngf", "4", "--model.ndf", "4", "--data.load_size", "72", "--data.crop_size", "64"],
    "CelebAAttributes": ["--model.g_conv_dim", "8", "--model.d_conv_dim", "8", "--data.image_size", "64"],
}


# Cards that need a GPU keep their training recipe but run it on the CPU at 32 px and a width of a few
# channels, which is what fast_dev_run checks (that the card's model, data and trainer fit together).
_TINY_STYLEGAN = [
    "--model.img_resolution", "32", "--data.image_size", "32",
    "--model.synthesis_kwargs", '{"channel_base": 256, "channel_max": 8}',
    "--model.discriminator_kwargs", '{"channel_base": 256, "channel_max": 8}',
]  # fmt: skip
GPU_CARD_OVERRIDES = {
    "StyleGAN2": _TINY_STYLEGAN,
    "StyleGAN2ADA": _TINY_STYLEGAN,
    "StyleGAN3": [
        *_TINY_STYLEGAN[:4],
        "--model.synthesis_kwargs",
        '{"channel_base": 128, "channel_max": 8, "num_layers": 4, "num_critical": 1}',
        *_TINY_STYLEGAN[6:],
    ],
}  # fmt: skip
ON_CPU = ["--trainer.accelerator", "cpu", "--trainer.devices", "1", "--trainer.strategy", "auto"]


def data_overrides(
    card: Path,
    mnist_dir: Path,
    image_dir: Path,
    paired_dir: Path | None = None,
    unpaired_dir: Path | None = None,
) -> list[str]:
    """Point a card at small local data and a small batch, keeping everything else as published."""
    config = yaml.safe_load(card.read_text())
    data_class = config["data"]["class_path"].rsplit(".", 1)[1]
    folders = {"MNIST": mnist_dir, "FashionMNIST": mnist_dir, "Paired": paired_dir, "Unpaired": unpaired_dir}
    folder = folders.get(data_class, image_dir / "train")
    args = ["--data.data_dir", str(folder), "--data.batch_size", "2", "--data.num_workers", "0"]
    if data_class == "CIFAR10":  # its files are checksummed, so generated stand-ins cannot pass: read images
        return ["--data", "image_folder", *args]
    if data_class == "ImageNet":  # class folders of a login-only download; the published width is CPU-heavy
        return ["--data", "image_folder", *args, "--model.g_ch", "8", "--model.d_ch", "8"]
    if "needs a GPU" in card.read_text().splitlines()[0]:
        model_class = config["model"]["class_path"].rsplit(".", 1)[1]
        return [*args, *GPU_CARD_OVERRIDES[model_class], *ON_CPU]
    extra = TRANSLATION_OVERRIDES.get(data_class, [])
    if config["model"]["class_path"].rsplit(".", 1)[1] in ("UNIT", "MUNIT"):  # their own width flags
        extra = [
            "--model.gen_dim",
            "8",
            "--model.dis_dim",
            "8",
            "--data.load_size",
            "72",
            "--data.crop_size",
            "64",
        ]
    if data_class == "Unpaired" and str(config["model"].get("init_args", {}).get("net_g", "")).startswith(
        "unet"
    ):
        extra = [*extra, "--model.net_g", "unet_64"]  # a U-Net is built for one size: the 64 px crop
    return [*args, "--data.download", "false", *extra]


def fast_dev_run(
    card: Path, tmp_path: Path, mnist_dir: Path, image_dir: Path, *translation_dirs: Path
) -> list[str]:
    return [
        "fit",
        "-c",
        str(card),
        *data_overrides(card, mnist_dir, image_dir, *translation_dirs),
        "--trainer.fast_dev_run",
        "true",
        "--trainer.default_root_dir",
        str(tmp_path),
    ]


def test_there_is_a_card_per_paper_and_dataset() -> None:
    names = {c.stem for c in CARDS}
    for paper in ("gan", "dcgan", "lsgan", "wgan", "wgan_gp", "dragan", "began"):
        assert f"{paper}_mnist" in names
    assert {"dcgan_celeba", "began_celeba"} <= names
    assert {"pix2pix_facades", "pix2pix_maps", "pix2pix_edges2shoes"} <= names
    assert {"cyclegan_horse2zebra", "cyclegan_summer2winter"} <= names
    assert {"sngan_cifar10", "sagan_cifar10"} <= names
    assert {"biggan_cifar10", "biggan_imagenet128"} <= names


def _model_of(card: Path) -> str:
    return yaml.safe_load(card.read_text())["model"]["class_path"]


# The fast suite runs one card per paper (its first by name, the heavy 64 px StyleGAN-family cards left to
# `make test-all`); `make test-all` runs every card.
HEAVY = {"stylegan2_celeba64", "stylegan_celeba64", "biggan_imagenet128"}
FIRST_OF_PAPER = {
    min(
        (c for c in CARDS if _model_of(c) == model and card_name(c) not in HEAVY), key=card_name, default=None
    )
    for model in {_model_of(c) for c in CARDS}
}


@pytest.mark.parametrize(
    "card",
    [c if c in FIRST_OF_PAPER else pytest.param(c, marks=pytest.mark.slow) for c in CARDS],
    ids=[card_name(c) for c in CARDS],
)
def test_card_runs_through_ganzoo_fit(
    card: Path, tmp_path, mnist_dir, image_dir, paired_dir, textured_unpaired_dir
) -> None:
    result = cli.run_cli(
        fast_dev_run(card, tmp_path, mnist_dir, image_dir, paired_dir, textured_unpaired_dir)
    )
    assert result.trainer.global_step >= 1  # one optimizer step at least (a GAN's D, or the VAE's)
    assert result.trainer.state.finished


@pytest.mark.parametrize("name", ["discogan_facades", "dualgan_facades"])
def test_cards_with_two_generator_updates_per_batch_make_them(
    name: str, tmp_path, mnist_dir, image_dir, paired_dir, textured_unpaired_dir
) -> None:
    card = next(c for c in CARDS if c.stem == name)
    result = cli.run_cli(
        fast_dev_run(card, tmp_path, mnist_dir, image_dir, paired_dir, textured_unpaired_dir)
    )
    model = result.model
    assert (int(model.num_d_steps), int(model.num_g_steps), result.trainer.global_step) == (1, 2, 3)


# `lightning fit` is the same GanzooCLI as `ganzoo fit` behind another entry point: the fast suite runs it for
# one card of each kind, `make test-all` for every card.
LIGHTNING_FAST = {"dcgan_mnist", "pix2pix_facades", "cyclegan_horse2zebra", "stylegan2_mnist32"}


@pytest.mark.parametrize(
    "card",
    [c if c.stem in LIGHTNING_FAST else pytest.param(c, marks=pytest.mark.slow) for c in CARDS],
    ids=[card_name(c) for c in CARDS],
)
def test_card_runs_through_lightning_fit(
    card: Path, tmp_path, mnist_dir, image_dir, paired_dir, textured_unpaired_dir, monkeypatch
) -> None:
    args = fast_dev_run(card, tmp_path, mnist_dir, image_dir, paired_dir, textured_unpaired_dir)
    monkeypatch.setattr(sys, "argv", ["lightning", *args])
    assert cli.lightning_main() == 0


@pytest.mark.parametrize("command", ["ganzoo", "lightning"])
def test_console_scripts_are_installed_and_run_a_card(command: str, tmp_path, mnist_dir, image_dir) -> None:
    exe = shutil.which(command, path=str(BIN))
    assert exe is not None, f"{command} is not installed next to {sys.executable}; run `pip install -e .`"
    card = next(c for c in CARDS if c.stem == "dcgan_mnist")
    result = subprocess.run(
        [exe, *fast_dev_run(card, tmp_path, mnist_dir, image_dir)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "fast_dev_run" in result.stderr + result.stdout


def test_short_names_for_model_and_data(tmp_path, mnist_dir) -> None:
    result = cli.run_cli(
        [*TINY_DCGAN, "--data=mnist", *tiny_mnist(mnist_dir, tmp_path), "--trainer.fast_dev_run", "1"]
    )
    assert type(result.model).__name__ == "DCGAN" and type(result.datamodule).__name__ == "MNIST"


def test_expand_short_names_is_case_insensitive_and_keeps_class_paths() -> None:
    assert cli.expand_short_names(["--model", "wgangp", "--data=celeba"]) == [
        "--model",
        "ganzoo.models.WGANGP",
        "--data=ganzoo.data.celeba.CelebA",
    ]
    assert cli.expand_short_names(["--model", "my.pkg.MyGAN"]) == ["--model", "my.pkg.MyGAN"]


def test_unknown_model_name_suggests_close_matches(capsys) -> None:
    assert cli.main(["fit", "--model", "DCGNA"]) == 2
    assert "unknown model 'DCGNA'. Did you mean DCGAN?" in capsys.readouterr().err


def test_unknown_dataset_name_suggests_close_matches(capsys) -> None:
    assert cli.main(["fit", "--model", "DCGAN", "--data", "mnst"]) == 2
    assert "unknown dataset 'mnst'. Did you mean mnist?" in capsys.readouterr().err


def test_missing_dataset_directory_is_explained(tmp_path) -> None:
    card = next(c for c in CARDS if c.stem == "dcgan_mnist")
    with pytest.raises(
        FileNotFoundError, match=r"(?s)mnist was not found in .*nowhere.*train-images-idx3-ubyte.gz"
    ):
        cli.run_cli(
            [
                "fit",
                "-c",
                str(card),
                "--data.data_dir",
                str(tmp_path / "nowhere"),
                "--data.download",
                "false",
                "--trainer.fast_dev_run",
                "1",
                "--trainer.default_root_dir",
                str(tmp_path),
            ]
        )


def test_malformed_card_is_explained(tmp_path, capsys) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("model:\n  class_path: ganzoo.models.DCGAN\n  init_args:\n    image_sise: 32\n")
    assert cli.main(["fit", "-c", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "DCGAN has no option 'image_sise'; did you mean image_size?" in err and err.count("\n") == 1

    broken = tmp_path / "broken.yaml"
    broken.write_text("model: [unclosed\n")
    assert cli.main(["fit", "-c", str(broken)]) == 2
    assert "broken.yaml is not valid YAML" in capsys.readouterr().err
    assert cli.main(["fit", "-c", str(tmp_path / "missing.yaml")]) == 2
    assert re.search(r"config file .*missing.yaml does not exist", capsys.readouterr().err)


def test_list_prints_papers_cards_and_datasets(capsys) -> None:
    assert cli.main(["list"]) == 0
    out = capsys.readouterr().out
    assert "WGANGP" in out and "Gulrajani" in out and "dcgan_mnist" in out and "toy2d" in out
    assert "dcgan-mnist" in out


def test_sample_writes_a_grid_from_a_checkpoint(tmp_path, mnist_dir) -> None:
    run = cli.run_cli(
        [*TINY_DCGAN, "--data", "mnist", *tiny_mnist(mnist_dir, tmp_path), "--trainer.max_steps", "2"]
    )
    ckpt = run.trainer.checkpoint_callback.last_model_path or run.trainer.checkpoint_callback.best_model_path
    out = tmp_path / "grid.png"
    assert cli.main(["sample", ckpt, "-n", "9", "-o", str(out)]) == 0
    from PIL import Image

    with Image.open(out) as img:
        assert img.size == (3 * 16 + 4 * 2, 3 * 16 + 4 * 2)


@pytest.mark.parametrize("argv", [[], ["--help"]])
def test_help_lists_every_command_with_a_line_each(argv, capsys) -> None:
    assert cli.main(argv) == 0
    out = capsys.readouterr().out
    for command in ("fit", "validate", "test", "list", "sample", "interpolate", "translate", "eval", "demo"):
        assert f"\n  {command} " in out, command


def test_an_unknown_command_suggests_the_close_one(capsys) -> None:
    assert cli.main(["smaple"]) == 2
    assert "unknown command 'smaple'. Did you mean sample?" in capsys.readouterr().err
