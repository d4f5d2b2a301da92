"""A first ``ganzoo fit``: a wrong data folder gets nothing written into it and leaves no empty run folder,
option mistakes are one line that says what to use, cards' worker counts fit the machine, and the progress
bar can be switched off."""

from __future__ import annotations

import os

import pytest
import torchvision
from jsonargparse import Namespace

from ganzoo import cli
from ganzoo.cli.fit import cap_workers, resolve_cards

TINY = ["--model.g_width", "8", "--model.d_width", "8", "--data.image_size", "16", "--data.batch_size", "16"]


@pytest.fixture
def no_mnist_mirrors(monkeypatch):
    """torchvision's MNIST download pointed at a closed local port: it fails at once, as offline."""
    monkeypatch.setattr(torchvision.datasets.MNIST, "mirrors", ["http://127.0.0.1:9/"])


def files_under(folder) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.mark.parametrize("existing", [False, True], ids=["missing folder", "unrelated folder"])
def test_a_wrong_data_dir_is_left_as_it_was(
    existing, tmp_path, monkeypatch, capsys, no_mnist_mirrors
) -> None:
    work, data_dir = tmp_path / "work", tmp_path / "celeba"
    work.mkdir()
    if existing:
        data_dir.mkdir()
        (data_dir / "000001.jpg").write_bytes(b"a user's file")
    monkeypatch.chdir(work)
    assert cli.main(["fit", "-c", "dcgan_mnist", "--data.data_dir", str(data_dir), *TINY]) == 2
    err = capsys.readouterr().err
    message = [line for line in err.splitlines() if line.startswith("ganzoo fit: error:")]
    assert message and message[0].startswith(f"ganzoo fit: error: mnist was not found in {data_dir}")
    assert "Traceback" not in err
    assert files_under(work) == []  # no lightning_logs/version_0
    assert files_under(data_dir) == ["000001.jpg"] if existing else not data_dir.exists()


def test_an_unknown_learning_rate_option_names_the_two(capsys) -> None:
    assert cli.main(["fit", "-c", "dcgan_mnist", "--model.lr", "0.1"]) == 2
    err = capsys.readouterr().err
    assert err == (
        "ganzoo fit: error: --model.lr: DCGAN has no option 'lr'; the learning rates are lr_g (generator) "
        "and lr_d (discriminator) (see --help)\n"
    )


def test_a_card_value_the_model_refuses_is_one_line(tmp_path, capsys) -> None:
    card = tmp_path / "card.yaml"
    card.write_text(
        "model:\n  class_path: ganzoo.models.DCGAN\n  init_args:\n    d_steps: 0\n"
        "data:\n  class_path: ganzoo.data.MNIST\n"
    )
    assert cli.main(["fit", "-c", str(card)]) == 2
    lines = [line for line in capsys.readouterr().err.splitlines() if "error" in line]
    assert lines == ["ganzoo fit: error: DCGAN: d_steps must be >= 1, got 0"]


def test_a_fit_without_a_progress_bar(tmp_path, mnist_dir, capsys) -> None:
    argv = ["fit", "-c", "dcgan_mnist", "--data.data_dir", str(mnist_dir), "--data.download", "false", *TINY]
    argv += ["--trainer.fast_dev_run", "1", "--trainer.enable_progress_bar", "false"]
    assert cli.main([*argv, "--trainer.default_root_dir", str(tmp_path)]) == 0
    assert "it/s" not in capsys.readouterr().err


def test_worker_counts_are_capped_at_the_cores_this_process_may_use(monkeypatch) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    data = Namespace(class_path="ganzoo.data.CelebA", init_args=Namespace(num_workers=4))
    cap_workers(data)
    assert data.init_args.num_workers == 2
    data.init_args.num_workers = 1
    cap_workers(data)
    assert data.init_args.num_workers == 1


def test_cards_by_name_in_every_spelling(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)  # no zoo_cards/ here
    names = ["-c", "dcgan_mnist", "--config", "zoo_cards/dcgan_mnist.yaml", "--config=dcgan_mnist.yaml"]
    resolved = resolve_cards(names)
    assert resolved[1] == resolved[3] == resolved[4].removeprefix("--config=")
    assert resolved[1].endswith("zoo_cards/dcgan_mnist.yaml") and os.path.isfile(resolved[1])
