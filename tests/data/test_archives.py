"""Dataset downloads from a local server: nothing of the user's is deleted or overwritten, a short, wrong or
unsafe archive is deleted and named, an archive bomb is refused early, and a failure leaves nothing behind."""

from __future__ import annotations

import gzip
import hashlib
import http.server
import io
import os
import socket
import subprocess
import sys
import tarfile
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from ganzoo.data import DatasetNotFoundError, Paired, Unpaired
from ganzoo.data import archives as archives_module
from ganzoo.data.archives import DamagedArchiveError, Published, UnsafeArchiveError
from ganzoo.data.translation import has_images


@dataclass
class Route:
    body: bytes
    announced: int | None = None  # Content-Length sent; None: the body's length
    sent: int | None = None  # bytes actually sent before the connection drops; None: all


@dataclass
class Server:
    url: str
    routes: dict[str, Route] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)


@pytest.fixture
def server() -> Iterator[Server]:
    """An HTTP server on 127.0.0.1 that serves ``routes`` and can cut a transfer short."""
    state = Server("")

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.requests.append(self.path)
            route = state.routes.get(self.path)
            if route is None:
                self.send_error(404)
                return
            self.send_response(200)
            announced = len(route.body) if route.announced is None else route.announced
            self.send_header("Content-Length", str(announced))
            self.end_headers()
            self.wfile.write(route.body[: route.sent])
            self.close_connection = True

        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield state
    httpd.shutdown()
    httpd.server_close()


def tar_gz(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tf:
        for name, payload in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(payload)
            tf.addfile(info, io.BytesIO(payload))
    return buffer.getvalue()


FACADES = {
    "facades/train/1.png": b"archive train 1",
    "facades/train/my_subset/keep.png": b"archive's keep.png",
    "facades/precious/notes.txt": b"archive's notes",
    "facades/val/1.png": b"archive val 1",
}


def serve_facades(server: Server, monkeypatch: pytest.MonkeyPatch, route: Route) -> None:
    server.routes["/facades.tar.gz"] = route
    monkeypatch.setattr(Paired, "archive_url", server.url + "/{}.tar.gz")


def left_beside(data_dir: Path) -> list[str]:
    """Everything in ``data_dir``'s parent: where archives and unpacking folders would be left."""
    return sorted(p.name for p in data_dir.parent.iterdir()) if data_dir.parent.exists() else []


def user_folder(root: Path) -> Path:
    data_dir = root / "data"
    (data_dir / "precious").mkdir(parents=True)
    (data_dir / "precious" / "notes.txt").write_bytes(b"the user's notes")
    (data_dir / "train" / "my_subset").mkdir(parents=True)
    (data_dir / "train" / "my_subset" / "keep.png").write_bytes(b"the user's image")
    return data_dir


def test_images_in_sub_folders_count_as_present_and_nothing_is_downloaded(tmp_path, server, monkeypatch):
    data_dir = user_folder(tmp_path)
    serve_facades(server, monkeypatch, Route(tar_gz(FACADES)))
    assert has_images(data_dir / "train") and not has_images(data_dir / "precious")
    dm = Paired("facades", data_dir=data_dir)
    assert dm.present_splits() == ("train",)
    assert dm.dataset("train").files == [data_dir / "train" / "my_subset" / "keep.png"]
    assert server.requests == [], "a split with images in sub-folders is present: nothing is fetched"


def test_unpacking_never_deletes_or_overwrites_a_file_it_did_not_create(tmp_path):
    data_dir = user_folder(tmp_path)
    archive = tmp_path / "facades.tar.gz"
    archive.write_bytes(tar_gz(FACADES))
    with pytest.warns(UserWarning, match=r"2 entries of facades.tar.gz were not unpacked because .* already"):
        kept = archives_module.extract(archive, data_dir, top="facades")
    assert kept == [data_dir / "precious" / "notes.txt", data_dir / "train" / "my_subset" / "keep.png"]
    assert (data_dir / "precious" / "notes.txt").read_bytes() == b"the user's notes"
    assert (data_dir / "train" / "my_subset" / "keep.png").read_bytes() == b"the user's image"
    assert (data_dir / "train" / "1.png").read_bytes() == b"archive train 1"  # what was missing is added
    assert (data_dir / "val" / "1.png").read_bytes() == b"archive val 1"
    assert left_beside(data_dir) == ["data", "facades.tar.gz"], "no unpacking folder is left"


def test_a_download_never_deletes_a_pre_existing_file(tmp_path, server, monkeypatch):
    """The user's folder has no split images yet, so the archive is fetched and merged around their files."""
    data_dir = tmp_path / "data"
    (data_dir / "precious").mkdir(parents=True)
    (data_dir / "precious" / "notes.txt").write_bytes(b"the user's notes")
    (data_dir / "train").mkdir()
    (data_dir / "train" / "README").write_bytes(b"the user's readme")
    serve_facades(server, monkeypatch, Route(tar_gz(FACADES)))
    with pytest.warns(UserWarning, match="were not unpacked"):
        files = Paired("facades", data_dir=data_dir).dataset("train").files
    assert server.requests == ["/facades.tar.gz"]
    assert files == [data_dir / "train" / "1.png", data_dir / "train" / "my_subset" / "keep.png"]
    assert (data_dir / "precious" / "notes.txt").read_bytes() == b"the user's notes"
    assert (data_dir / "train" / "README").read_bytes() == b"the user's readme"
    assert left_beside(data_dir) == ["data"], "the downloaded archive and the unpacking folder are gone"


def test_a_transfer_cut_short_is_deleted_and_named_and_the_retry_succeeds(tmp_path, server, monkeypatch):
    body = tar_gz(FACADES)
    serve_facades(server, monkeypatch, Route(body, sent=len(body) // 2))
    data_dir = tmp_path / "cache" / "facades"
    with pytest.raises(
        DatasetNotFoundError, match=r"stopped after \d+ of the \d+ bytes the server announced"
    ) as err:
        Paired("facades", data_dir=data_dir).dataset("train")
    assert f"{server.url}/facades.tar.gz" in str(err.value) and "deleted: run again" in str(err.value)
    assert not (tmp_path / "cache").exists(), "no partial archive, no empty data_dir or cache folder"
    server.routes["/facades.tar.gz"] = Route(body)  # the source is fixed: the next run just works
    assert len(Paired("facades", data_dir=data_dir).dataset("train")) == 2
    assert left_beside(data_dir) == ["facades"]


@pytest.mark.parametrize("body", [b"<html>502 Bad Gateway</html>", "truncated"])
def test_an_archive_that_cannot_be_read_is_deleted_and_named(tmp_path, server, monkeypatch, body):
    """No Content-Length check can catch a server that announces the short length: unpacking does."""
    payload = tar_gz(FACADES)[:200] if body == "truncated" else body
    serve_facades(server, monkeypatch, Route(payload))
    data_dir = tmp_path / "cache" / "facades"
    with pytest.raises(DamagedArchiveError, match=r"cannot be read .*: it is truncated or damaged") as err:
        Paired("facades", data_dir=data_dir).dataset("train")
    assert f"downloaded from {server.url}/facades.tar.gz; the archive was deleted" in str(err.value)
    assert ".facades.tar.gz." in str(err.value), "the message names the archive file"
    assert not (tmp_path / "cache").exists()


def test_a_traversal_archive_is_refused_and_deleted(tmp_path, server, monkeypatch):
    serve_facades(server, monkeypatch, Route(tar_gz({**FACADES, "facades/../../evil.txt": b"owned"})))
    data_dir = tmp_path / "cache" / "facades"
    with pytest.raises(
        UnsafeArchiveError, match=r"'facades/../../evil.txt' points outside the archive"
    ) as err:
        Paired("facades", data_dir=data_dir).dataset("train")
    assert "the archive was deleted" in str(err.value) and f"nothing was written to {data_dir}" in str(
        err.value
    )
    assert not (tmp_path / "cache").exists() and not (tmp_path / "evil.txt").exists()


def test_a_download_that_differs_from_the_published_archive_is_deleted(tmp_path, server, monkeypatch):
    body = zip_bytes({"horse2zebra/trainA/0.png": b"a", "horse2zebra/trainB/0.png": b"b"})
    server.routes["/horse2zebra.zip"] = Route(body)
    monkeypatch.setattr(Unpaired, "archive_url", server.url + "/{}.zip")
    data_dir = tmp_path / "cache" / "horse2zebra"
    with pytest.raises(
        DatasetNotFoundError, match=r"but the published archive has 116867962 bytes with sha256 a74d9d"
    ) as err:
        Unpaired(data_dir=data_dir).dataset("train")
    assert f"sent {len(body)} bytes with sha256 {hashlib.sha256(body).hexdigest()}" in str(err.value)
    assert not (tmp_path / "cache").exists()
    # The same bytes pass once they are what is published (the check compares, it does not refuse all).
    monkeypatch.setitem(
        Unpaired.published, "horse2zebra", Published(len(body), hashlib.sha256(body).hexdigest())
    )
    assert len(Unpaired(data_dir=data_dir).dataset("train")) == 1


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, payload in members.items():
            zf.writestr(name, payload)
    return buffer.getvalue()


MIB = 1 << 20


def tar_gz_bomb(mib: int) -> bytes:
    """A tar.gz of one ``mib`` MiB file of zeros, as concatenated gzip members (a valid gzip stream) so
    that only two MiB are ever compressed: ~1 KB per MiB, the 1000x of a real bomb."""
    header = tarfile.TarInfo("facades/train/bomb.png")
    header.size = mib * MIB
    zeros = gzip.compress(bytes(MIB), mtime=0)
    first = gzip.compress(header.tobuf() + bytes(MIB), mtime=0)
    return first + zeros * (mib - 1) + gzip.compress(bytes(1024), mtime=0)


def test_an_archive_bomb_is_refused_before_it_fills_the_disk(tmp_path, server, monkeypatch):
    bomb = tar_gz_bomb(300)
    assert len(bomb) < 320_000, "a ~306 KB archive that expands to 300 MB"
    with tarfile.open(fileobj=io.BytesIO(bomb)) as tf:  # the fixture is a real tar.gz of 300 MiB
        first = tf.next()
        assert first is not None and (first.name, first.size) == ("facades/train/bomb.png", 300 * MIB)
    serve_facades(server, monkeypatch, Route(bomb))
    data_dir = tmp_path / "cache" / "facades"
    with pytest.raises(UnsafeArchiveError, match=r"refused as an archive bomb") as err:
        Paired("facades", data_dir=data_dir).dataset("train")
    limit = archives_module.MAX_EXPANSION * len(bomb)
    assert f"would unpack to more than the bound of {limit} bytes (20x its size)" in str(err.value)
    assert limit < 7 * MIB, "unpacking stopped after a few MiB, not 300"
    assert not (tmp_path / "cache").exists(), "nothing is left behind"


def test_a_zip_bomb_is_refused_from_its_directory_before_writing(tmp_path):
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("facades/train/bomb.png", bytes(20 * MIB))
    with pytest.raises(
        UnsafeArchiveError,
        match=r"says it unpacks to 20971520 bytes, more than the bound of \d+ bytes",
    ):
        archives_module.extract(archive, tmp_path / "out" / "facades", top="facades")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bomb.zip", "out"]
    assert not list((tmp_path / "out").iterdir())


def test_a_stale_archive_beside_data_dir_is_not_reused(tmp_path, server, monkeypatch):
    """An archive a dead run left at the old fixed name is neither trusted nor touched: ganzoo downloads
    into a file of its own."""
    data_dir = tmp_path / "facades"
    (tmp_path / "facades.tar.gz").write_bytes(tar_gz(FACADES)[:100])
    serve_facades(server, monkeypatch, Route(tar_gz(FACADES)))
    assert len(Paired("facades", data_dir=data_dir).dataset("train")) == 2
    assert server.requests == ["/facades.tar.gz"]
    assert left_beside(data_dir) == ["facades", "facades.tar.gz"]


def test_what_a_killed_run_left_is_removed_and_a_running_ones_is_not(tmp_path, server, monkeypatch):
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    host = socket.gethostname()
    orphans = [tmp_path / f".facades.tar.gz.{host}-{dead.stdout.strip()}.abc.part"]
    orphans.append(tmp_path / f".facades.{host}-{dead.stdout.strip()}.xyz.unpacking")
    running = [tmp_path / f".facades.tar.gz.{host}-{os.getpid()}.def.part"]
    running.append(tmp_path / f".facades.{host}-{os.getpid()}.uvw.unpacking")
    for download, unpacking in (orphans, running):
        download.write_bytes(b"half an archive")
        (unpacking / "train").mkdir(parents=True)
    serve_facades(server, monkeypatch, Route(tar_gz(FACADES)))
    assert len(Paired("facades", data_dir=tmp_path / "facades").dataset("train")) == 2
    assert not any(p.exists() for p in orphans)
    assert all(p.exists() for p in running), "a live process's temporary files are left to it"
