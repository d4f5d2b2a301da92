"""Resuming training reads checkpoints pickle-free, verified against the checksum written beside them."""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path

import pytest
import torch

from ganzoo.cli import run_cli
from ganzoo.hub.checkpoint_io import PickleFreeCheckpointIO, checksum_path
from ganzoo.hub.errors import HashMismatchError, UnsafeCheckpointError

from .test_load_failures import MARKER_ENV, _write_malicious_ckpt

TINY = ["--model", "DCGAN", "--model.image_size", "16", "--model.channels", "1"]
TINY += ["--model.g_width", "8", "--model.d_width", "8", "--data", "mnist", "--data.image_size", "16"]


def fit(mnist_dir: Path, run: Path, *extra: str):
    args = ["fit", *TINY, "--data.data_dir", str(mnist_dir), "--data.download", "false"]
    return run_cli([*args, "--trainer.default_root_dir", str(run), "--trainer.logger", "false", *extra])


@pytest.fixture(scope="module")
def saved(mnist_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A checkpoint of 2 optimizer steps, written through ``ganzoo fit``'s checkpoint callback."""
    cli = fit(mnist_dir, tmp_path_factory.mktemp("run"), "--trainer.max_steps", "2")
    return Path(cli.trainer.checkpoint_callback.best_model_path)


def test_a_checkpoint_is_written_with_its_sha256_and_resumes(saved, mnist_dir, tmp_path) -> None:
    assert checksum_path(saved).is_file() and len(checksum_path(saved).read_text().strip()) == 64
    cli = fit(mnist_dir, tmp_path, "--trainer.max_steps", "4", "--ckpt_path", str(saved))
    assert isinstance(cli.trainer.strategy.checkpoint_io, PickleFreeCheckpointIO)
    assert int(cli.model.num_g_steps) == 2 and cli.trainer.global_step == 4  # went on from step 2


def test_a_flipped_byte_is_named_instead_of_resumed(saved, mnist_dir, tmp_path) -> None:
    copy = tmp_path / saved.name
    data = bytearray(saved.read_bytes())
    data[len(data) // 2] ^= 0x01
    copy.write_bytes(bytes(data))
    checksum_path(copy).write_text(checksum_path(saved).read_text())
    with pytest.raises(HashMismatchError, match=r"is not the file that was saved: its sha256 is"):
        fit(mnist_dir, tmp_path, "--trainer.max_steps", "4", "--ckpt_path", str(copy))


def test_a_truncated_checkpoint_is_named(saved, tmp_path) -> None:
    copy = tmp_path / "cut.ckpt"
    copy.write_bytes(saved.read_bytes()[:1000])
    with pytest.raises(ValueError, match=r"cannot read checkpoint .*cut.ckpt: it is truncated"):
        PickleFreeCheckpointIO().load_checkpoint(copy)


def test_a_malicious_local_checkpoint_is_refused_and_runs_nothing(mnist_dir, tmp_path, monkeypatch) -> None:
    marker = tmp_path / "pwned"
    monkeypatch.setenv(MARKER_ENV, str(marker))
    evil = _write_malicious_ckpt(tmp_path / "evil.ckpt")
    with pytest.raises(UnsafeCheckpointError, match="never unpickles"):
        fit(mnist_dir, tmp_path, "--trainer.max_steps", "2", "--ckpt_path", str(evil))
    assert not marker.exists()


def test_a_checkpoint_url_is_refused_and_nothing_is_fetched(mnist_dir, tmp_path, monkeypatch) -> None:
    marker = tmp_path / "pwned"
    monkeypatch.setenv(MARKER_ENV, str(marker))
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    served = tmp_path / "www"
    served.mkdir()
    _write_malicious_ckpt(served / "evil.ckpt")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(served))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/evil.ckpt"
    try:
        with pytest.raises(ValueError, match=r"refusing to resume from http://127.0.0.1:\d+/evil.ckpt"):
            fit(mnist_dir, tmp_path, "--trainer.max_steps", "2", "--ckpt_path", url)
    finally:
        server.shutdown()
    assert not marker.exists()
    assert not (tmp_path / "torch").exists(), "Lightning's URL cache must not receive the file"


def test_the_reader_is_what_torch_load_weights_only_reads(saved) -> None:
    """The same contents as ``torch.load(weights_only=True)``: a ganzoo checkpoint needs nothing more."""
    ours = PickleFreeCheckpointIO().load_checkpoint(saved)
    theirs = torch.load(saved, weights_only=True)
    assert ours.keys() == theirs.keys()
    for key, value in theirs["state_dict"].items():
        assert torch.equal(ours["state_dict"][key], value)
