"""The README's commands are true as written: each names a command and options that exist, the files it
says the demo writes are the ones the demo writes, the install targets install what it says, and git
ignores what a run leaves in the checkout."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from ganzoo import cli
from ganzoo.data.base import default_data_dir

REPO = Path(__file__).resolve().parents[2]
README = REPO / "README.md"
pytestmark = pytest.mark.skipif(not README.is_file(), reason="needs the source tree (README.md, Makefile)")


def readme_commands() -> list[list[str]]:
    """Every ``ganzoo ...`` / ``lightning ...`` line of the README's code blocks, as argv, comments cut."""
    blocks = re.findall(r"```[a-z]*\n(.*?)```", README.read_text(), flags=re.S)
    lines = [line.split("  #")[0].strip() for block in blocks for line in block.splitlines()]
    return [shlex.split(line) for line in lines if line.startswith(("ganzoo ", "lightning "))]


def help_of(argv: list[str], capsys) -> str:
    with pytest.raises(SystemExit) as exit_info:
        cli.main([*argv, "--help"])
    assert exit_info.value.code == 0
    return capsys.readouterr().out


COMMANDS = readme_commands()


def test_the_readme_shows_every_zoo_command() -> None:
    assert {argv[1] for argv in COMMANDS} >= {"fit", "list", "sample", "interpolate", "translate", "eval"}


@pytest.mark.parametrize("argv", COMMANDS, ids=[" ".join(a[:3]) for a in COMMANDS])
def test_each_readme_command_parses(argv, capsys) -> None:
    command = argv[1:]
    assert command[0] in cli.COMMANDS
    if command[0] in ("fit", "validate", "test"):  # LightningCLI parses the whole line (nothing runs)
        with pytest.raises(SystemExit) as exit_info:
            cli.main([*command, "--print_config"])
        assert exit_info.value.code == 0, capsys.readouterr().err
        return
    words = command[:2] if command[:2] == ["eval", "translation"] else command[:1]
    text = help_of(words, capsys)
    for option in (a.partition("=")[0] for a in command if a.startswith("-")):
        assert re.search(rf"(^|[\s,\[]){re.escape(option)}\b", text), f"{option} is not an option of {words}"


def test_the_readme_says_how_to_reach_the_commands_and_what_the_demo_writes(capsys) -> None:
    text = README.read_text()
    assert "source .venv/bin/activate" in text and ".venv/bin/ganzoo" in text
    assert "runs/demo/.../" not in text
    for written in ("runs/demo/last.ckpt", "runs/demo/model/", "runs/demo/comparison.png"):
        assert written in text
    assert "(default: runs/demo)" in help_of(["demo"], capsys)
    assert "facades/test/1.jpg').crop((256, 0, 512, 256))" in text  # the label half of a test pair


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_demo_installs_the_package_alone_and_make_test_its_test_extras() -> None:
    def planned(target: str) -> list[str]:
        result = subprocess.run(
            ["make", "-n", "-B", "-C", str(REPO), target], capture_output=True, text=True, check=True
        )
        return [
            line for line in result.stdout.splitlines() if "pip install" in line and "--upgrade" not in line
        ]

    assert planned("demo") == [".venv/bin/python -m pip install -e ."]
    assert planned("test") == ['.venv/bin/python -m pip install -e ".[test]"']
    assert "make test" in (REPO / ".ci" / "run").read_text()


@pytest.mark.skipif(not (REPO / ".git").exists(), reason="not a git checkout")
def test_git_ignores_what_the_demo_and_a_run_write() -> None:
    paths = ["runs/demo/last.ckpt", "runs/demo/model/README.md", "lightning_logs/version_0/hparams.yaml"]
    paths += ["wandb/offline-run-1/files/config.yaml", "samples/epoch=000-step=4.png"]
    result = subprocess.run(["git", "-C", str(REPO), "check-ignore", *paths], capture_output=True, text=True)
    assert result.stdout.split() == paths


def test_data_and_weights_share_one_cache_root(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("GANZOO_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("GANZOO_DATA", raising=False)
    assert default_data_dir("mnist") == tmp_path / "cache" / "data" / "mnist"
    monkeypatch.delenv("GANZOO_CACHE")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    assert default_data_dir("mnist") == tmp_path / "hf" / "ganzoo" / "data" / "mnist"
    monkeypatch.setenv("GANZOO_DATA", str(tmp_path / "datasets"))
    assert default_data_dir("facades") == tmp_path / "datasets" / "facades"
