"""Every expected error is one message on stderr with exit status 2; ``--traceback`` / ``GANZOO_DEBUG=1``
show the stack; suggestions are typos, not relatives; missing weights name the command that exists."""

from __future__ import annotations

import pytest

from ganzoo import cli
from ganzoo.hub.catalog import CATALOG, HFFile, Pretrained
from ganzoo.hub.errors import UnknownModelError
from ganzoo.hub.fetch import hf_download_command


def errors_of(capsys) -> list[str]:
    captured = capsys.readouterr()
    assert captured.out == ""
    return captured.err.splitlines()


@pytest.mark.parametrize("command", ["sample", "interpolate", "translate", "eval fid"])
def test_an_unknown_name_is_one_line_with_only_close_matches(command, capsys, tmp_path) -> None:
    words = command.split()
    extra = {"translate": [str(tmp_path / "in.png"), "-o", "out.png"], "eval fid": ["--data", "mnist"]}
    (tmp_path / "in.png").write_bytes(b"")  # translate checks its inputs exist before it loads the model
    assert cli.main([*words, "dcgan-mnsit", *extra.get(command, [])]) == 2
    (line,) = errors_of(capsys)
    assert line.startswith(f"ganzoo {words[0]}: error: 'dcgan-mnsit' is not in the ganzoo catalog")
    assert "Did you mean: dcgan-mnist?" in line
    assert "cyclegan" not in line and "Traceback" not in line


def test_traceback_flag_and_debug_variable_show_the_stack(monkeypatch, capsys) -> None:
    with pytest.raises(UnknownModelError, match="dcgan-mnsit"):
        cli.main(["sample", "dcgan-mnsit", "--traceback"])
    monkeypatch.setenv("GANZOO_DEBUG", "1")
    with pytest.raises(UnknownModelError):
        cli.main(["sample", "dcgan-mnsit"])
    monkeypatch.setenv("GANZOO_DEBUG", "0")
    assert cli.main(["sample", "dcgan-mnsit"]) == 2
    assert "--traceback" in cli.usage("ganzoo")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["sample", "dcgan-mnist", "-n", "0"], "argument -n/--num-samples: must be at least 1, got 0"),
        (["interpolate", "dcgan-mnist", "--frames", "-2"], "argument --frames: must be at least 1, got -2"),
        (["eval", "fid", "dcgan-mnist", "--num-samples", "x"], "expected a whole number, got 'x'"),
        (["demo", "--steps", "0"], "argument --steps: must be at least 1, got 0"),
    ],
)
def test_counts_are_checked_before_anything_runs(argv, message, capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(argv)
    assert exit_info.value.code == 2
    assert errors_of(capsys)[-1].endswith(message)


def test_missing_weights_suggest_the_installed_download_command(monkeypatch, capsys) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    entry = Pretrained(
        name="test-offline",
        model="ganzoo.models.DCGAN",
        init_args={"image_size": 8, "channels": 1},
        sha256=None,
        sources=(HFFile("someone/tiny-dcgan", "model.pth", "0123abc"),),
        format="ganzoo",
        filename="model.pth",
        license="test",
        paper="test",
        dataset="test",
    )
    monkeypatch.setitem(CATALOG, entry.name, entry)
    assert cli.main(["sample", entry.name]) == 2
    err = "\n".join(errors_of(capsys))
    assert err.startswith("ganzoo sample: error: model.pth (published without a checksum) is not cached")
    assert "hf download someone/tiny-dcgan model.pth --revision 0123abc" in err
    assert hf_download_command("a/b") == "hf download a/b"  # huggingface_hub >= 0.34 installs `hf`
    assert "huggingface-cli" not in err and "local_files_only" not in err
    assert "not in the Hugging Face cache" in err

    assert cli.main(["sample", "hf://someone/tiny-dcgan@v1"]) == 2
    err = "\n".join(errors_of(capsys))
    assert "`hf download someone/tiny-dcgan --revision v1`" in err and "local_files_only" not in err


def test_an_unknown_short_name_suggests_only_typos(capsys) -> None:
    assert cli.main(["fit", "--model", "DCGANN"]) == 2
    (line,) = errors_of(capsys)
    suggested = line.partition("Choose from")[0]
    assert "Did you mean DCGAN" in suggested and "WGAN" not in suggested
