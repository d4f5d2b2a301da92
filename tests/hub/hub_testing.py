"""Helpers shared by the hub tests: catalog entries for test files, weight comparison, a local server."""

from __future__ import annotations

import http.server
import threading
from pathlib import Path

import pytest
import torch

from ganzoo.hub.catalog import CATALOG, URL, Pretrained, Source
from ganzoo.hub.fetch import sha256_of

TINY = {"image_size": 8, "channels": 1, "latent_dim": 4, "g_width": 4, "d_width": 4}


def add_entry(
    monkeypatch: pytest.MonkeyPatch,
    file: Path,
    *,
    name: str = "tiny-test",
    sources: tuple[Source, ...] | None = None,
    fmt: str = "ganzoo",
    sha256: str | None = None,
) -> Pretrained:
    """Register a catalog entry for ``file`` (a ``file://`` source unless ``sources`` are given)."""
    entry = Pretrained(
        name=name,
        model="ganzoo.models.DCGAN",
        init_args=TINY,
        sha256=sha256 or sha256_of(file),
        sources=sources if sources is not None else (URL(file.as_uri()),),
        format=fmt,
        filename=file.name,
        license="Apache-2.0",
        paper="test",
        dataset="noise",
    )
    monkeypatch.setitem(CATALOG, name, entry)
    return entry


def assert_same_weights(a: torch.nn.Module, b: torch.nn.Module) -> None:
    sa, sb = a.state_dict(), b.state_dict()
    assert sa.keys() == sb.keys()
    for key in sa:
        assert torch.equal(sa[key], sb[key]), key


class Server:
    """A local HTTP server on 127.0.0.1 whose answers a test sets per path: ``(status, body, announced)``,
    where ``announced`` is the Content-Length it claims (more than the body: a dropped connection)."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, bytes, int | None]] = {}
        routes = self.routes

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                status, body, announced = routes.get(self.path, (404, b"not found", None))
                self.send_response(status)
                self.send_header("Content-Length", str(len(body) if announced is None else announced))
                self.end_headers()
                self.wfile.write(body)
                self.close_connection = True

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def serve(self, path: str, body: bytes, *, status: int = 200, announced: int | None = None) -> None:
        self.routes[path] = (status, body, announced)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
