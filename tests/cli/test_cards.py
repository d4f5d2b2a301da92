"""Cards are package data found by name from anywhere, and a card's model is linked to its data."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from ganzoo.cli import CommandError, card_name, find_card, list_cards, run_cli

REPO = Path(__file__).resolve().parents[2]


def fit_args(card: Path, mnist_dir: Path, tmp_path: Path, *extra: str) -> list[str]:
    return [
        "fit",
        "-c",
        str(card),
        "--data.data_dir",
        str(mnist_dir),
        "--data.download",
        "false",
        "--trainer.fast_dev_run",
        "1",
        "--trainer.default_root_dir",
        str(tmp_path),
        *extra,
    ]


def test_cards_ship_in_the_package_and_are_the_repositorys(monkeypatch, tmp_path) -> None:
    names = [card_name(c) for c in list_cards()]
    assert "dcgan_mnist" in names and names == sorted(names)
    shipped = {card_name(c) for c in list_cards()}
    assert shipped == {
        p.relative_to(REPO / "zoo_cards").with_suffix("").as_posix()
        for p in (REPO / "zoo_cards").rglob("*.yaml")
    }
    assert "lucic2018/ns_gan_mnist" in shipped  # cards in subfolders ship too
    monkeypatch.chdir(tmp_path)  # no zoo_cards/ here: names still resolve
    assert find_card("dcgan_mnist").read_text() == (REPO / "zoo_cards" / "dcgan_mnist.yaml").read_text()
    assert find_card("zoo_cards/dcgan_mnist.yaml") == find_card("dcgan_mnist.yaml")
    with pytest.raises(FileNotFoundError, match="Did you mean dcgan_mnist"):
        find_card("dcgan_mnsit")


def test_a_card_given_by_name_trains(tmp_path, mnist_dir) -> None:
    cli = run_cli(
        fit_args(Path("dcgan_mnist"), mnist_dir, tmp_path, "--model.g_width", "8", "--model.d_width", "8")
    )
    assert cli.trainer.state.finished


def test_the_model_takes_its_image_size_from_the_data(tmp_path, mnist_dir) -> None:
    """dcgan_mnist states image_size once, on the data: the model is built for the data's 16 px."""
    extra = ["--data.image_size", "16", "--model.g_width", "8", "--model.d_width", "8"]
    cli = run_cli(fit_args(find_card("dcgan_mnist"), mnist_dir, tmp_path, *extra))
    assert cli.model.hparams.image_size == 16 and cli.model.hparams.channels == 1
    assert cli.model.sample(2, seed=0).shape == (2, 1, 16, 16)


def test_a_card_that_contradicts_its_data_is_refused(tmp_path, mnist_dir) -> None:
    card = tmp_path / "bad.yaml"
    card.write_text(
        "model:\n  class_path: ganzoo.models.DCGAN\n  init_args:\n    image_size: 8\n"
        "data:\n  class_path: ganzoo.data.MNIST\n  init_args:\n    image_size: 16\n"
    )
    with pytest.raises(CommandError, match=r"model's image_size is 8 but the data gives 16 \(MNIST\)"):
        run_cli(fit_args(card, mnist_dir, tmp_path))


@pytest.mark.skipif(not (REPO / "pyproject.toml").is_file(), reason="needs the source tree to build a wheel")
def test_the_wheel_carries_the_cards_and_the_demo_runs_from_it(tmp_path) -> None:
    """Build the wheel, unpack it (as pip would install it) and run `ganzoo demo` from an empty folder."""
    source = tmp_path / "source"  # a copy: building writes build/ and *.egg-info/ beside the sources
    skip = shutil.ignore_patterns("*.egg-info", "__pycache__")
    for part in ("src", "zoo_cards"):
        shutil.copytree(REPO / part, source / part, symlinks=True, ignore=skip)
    for part in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / part, source / part)
    wheels = tmp_path / "wheels"
    build = [sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "--no-build-isolation", "-q"]
    subprocess.run([*build, "-w", str(wheels)], check=True, capture_output=True, timeout=600)
    (wheel,) = wheels.glob("ganzoo-*.whl")
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        archive.extractall(site)
    assert "ganzoo/zoo_cards/dcgan_mnist.yaml" in names
    assert "ganzoo/hub/weights/dcgan-mnist/model.safetensors" in names
    assert "ganzoo/data/assets/mnist_demo/train-images-idx3-ubyte.gz" in names
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site), "GANZOO_CACHE": str(tmp_path / "cache")}
    code = "import sys, ganzoo, ganzoo.cli; print(ganzoo.__file__); sys.exit(ganzoo.cli.main(sys.argv[1:]))"
    result = subprocess.run(
        [sys.executable, "-c", code, "demo", "--steps", "2", "--out", "run"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.splitlines()[0].startswith(str(site)), "the demo ran the source tree, not the wheel"
    assert (work / "run" / "last.ckpt").is_file() and (work / "run" / "comparison.png").is_file()
    card = (work / "run" / "model" / "README.md").read_text()  # save_pretrained's card knows the data
    assert "- Dataset: MNIST, its first 10,000 training images (bundled with ganzoo)" in card
    assert "2 generator steps of the dcgan_mnist card" in card
    assert sorted(p.name for p in work.iterdir()) == ["run"], "the demo wrote outside its run folder"


def test_the_shipped_checkpoints_training_overlay_adds_fid_and_best_checkpoint(tmp_path, mnist_dir) -> None:
    """benchmarks/configs/fid500_best_checkpoint.yaml, as the shipped dcgan-mnist was trained with it."""
    from lightning.pytorch.callbacks import EarlyStopping, ModelCheckpoint

    from ganzoo.callbacks import GenerativeMetricsCallback

    overlay = REPO / "benchmarks" / "configs" / "fid500_best_checkpoint.yaml"
    if not overlay.is_file():
        pytest.skip("needs the source tree's benchmarks/")
    extra = ["-c", str(overlay), "--model.g_width", "8", "--model.d_width", "8"]
    cli = run_cli(fit_args(find_card("dcgan_mnist"), mnist_dir, tmp_path, *extra))
    assert cli.trainer.state.finished
    (fid,) = [c for c in cli.trainer.callbacks if isinstance(c, GenerativeMetricsCallback)]
    assert (fid.num_samples, fid.reference_samples, fid.split) == (500, 500, "test")
    assert fid.metric_names == ["fid"]
    (best,) = [c for c in cli.trainer.callbacks if isinstance(c, ModelCheckpoint)]
    assert (best.monitor, best.mode, best.save_top_k) == ("val/fid", "min", 1)
    (stop,) = [c for c in cli.trainer.callbacks if isinstance(c, EarlyStopping)]
    assert (stop.monitor, stop.patience) == ("val/fid", 3)
