"""A loopback HTTP server whose paths misbehave on purpose (hang, reset, flake, lie).

Each path maps to a handler ``fn(handler) -> None`` that writes the whole
answer itself; ``page()`` and ``answer()`` cover the ordinary ones. Every
request is logged as (method, path) so tests can count what was asked.

    with FaultServer({"/": page("Home", links=["/hang"]), "/hang": hang(5)}) as server:
        ...
"""
from __future__ import annotations

import gzip
import random
import socket
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Mapping, Optional, Sequence

Handler = Callable[[BaseHTTPRequestHandler], None]


def html(title: str, links: Sequence[str] = (), body: str = "") -> bytes:
    anchors = "".join(f'<li><a href="{href}">{href}</a></li>' for href in links)
    return (f"<!DOCTYPE html><html><head><title>{title}</title>"
            f'<meta name="description" content="About {title}."></head>'
            f"<body><h1>{title}</h1>{body}<ul>{anchors}</ul></body></html>").encode()


def answer(status: int, body: bytes = b"", content_type: Optional[str] = "text/html; charset=utf-8",
           headers: Mapping[str, str] = {}) -> Handler:
    def fn(h: BaseHTTPRequestHandler) -> None:
        h.send_response(status)
        if content_type is not None:
            h.send_header("Content-Type", content_type)
        for key, value in headers.items():
            h.send_header(key, value)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        if h.command != "HEAD":
            h.wfile.write(body)
    return fn


def page(title: str, links: Sequence[str] = (), body: str = "") -> Handler:
    return answer(200, html(title, links, body))


def hang(seconds: float) -> Handler:
    """Accept, then say nothing for ``seconds`` (a server stuck behind its listen queue)."""
    def fn(h: BaseHTTPRequestHandler) -> None:
        h.server.site.sleep(seconds)
    return fn


def reset(h: BaseHTTPRequestHandler) -> None:
    """Close the connection with a TCP reset before any answer."""
    h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    h.close_connection = True
    h.connection.close()


def gzip_bomb(megabytes: int) -> Handler:
    """A small gzip body that inflates to ``megabytes`` MB of zeros."""
    bomb = gzip.compress(b"\0" * (megabytes * 1024 * 1024), compresslevel=9)
    return answer(200, bomb, headers={"Content-Encoding": "gzip"})


def huge(megabytes: int) -> Handler:
    """An HTML page of ``megabytes`` MB, streamed until the client hangs up."""
    def fn(h: BaseHTTPRequestHandler) -> None:
        size = megabytes * 1024 * 1024
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.send_header("Content-Length", str(size))
        h.end_headers()
        if h.command == "HEAD":
            return
        chunk = b"<p>" + b"x" * 65533
        try:
            for _ in range(size // len(chunk)):
                h.wfile.write(chunk)
        except OSError:
            pass
    return fn


def flaky(inner: Handler, failures: Callable[[str], bool]) -> Handler:
    """``inner``, except when ``failures(path)`` says this request fails with a 500."""
    failed = answer(500, b"<h1>Internal Server Error</h1>")

    def fn(h: BaseHTTPRequestHandler) -> None:
        (failed if failures(h.path) else inner)(h)
    return fn


def seeded_failures(rate: float, seed: int) -> Callable[[str], bool]:
    """A random but repeatable ``rate`` of requests fail (one generator for the whole server)."""
    rng = random.Random(seed)
    lock = threading.Lock()

    def fails(path: str) -> bool:
        with lock:
            return rng.random() < rate
    return fails


def drawn_failures(rate: float, seed: int) -> Callable[[str], bool]:
    """A random ``rate`` of requests fail, drawn per (path, n-th request of it): the same
    requests fail whatever order a concurrent crawl asks them in."""
    asked: dict[str, int] = {}
    lock = threading.Lock()

    def fails(path: str) -> bool:
        with lock:
            asked[path] = n = asked.get(path, 0) + 1
        return random.Random(f"{seed}:{path}:{n}").random() < rate
    return fails


def first_fails(times: int, then: Handler, fail: Handler) -> Handler:
    """``fail`` for the first ``times`` requests, ``then`` afterwards."""
    count = {"n": 0}
    lock = threading.Lock()

    def fn(h: BaseHTTPRequestHandler) -> None:
        with lock:
            count["n"] += 1
            n = count["n"]
        (fail if n <= times else then)(h)
    return fn


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "faultserver"
    sys_version = ""

    def log_message(self, format, *args):  # noqa: A002 - quiet
        pass

    def _serve(self) -> None:
        site: FaultServer = self.server.site
        path = self.path
        with site.lock:
            site.requests.append((self.command, path))
        fn = site.routes.get(path.split("?", 1)[0]) or site.fallback
        try:
            fn(self)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    do_GET = do_HEAD = _serve


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):  # a client hanging up is normal here
        pass


class _Server6(_Server):
    address_family = socket.AF_INET6


class FaultServer:
    def __init__(self, routes: Mapping[str, Handler], host: str = "127.0.0.1",
                 fallback: Optional[Handler] = None):
        self.routes = dict(routes)
        self.fallback = fallback or answer(404, b"<h1>Not found</h1>")
        self.host = host
        self.requests: list[tuple[str, str]] = []
        self.lock = threading.Lock()
        self._stopping = threading.Event()
        cls = _Server6 if ":" in host else _Server
        self._httpd = cls((host, 0), _Handler)
        self._httpd.site = self
        self.port = self._httpd.server_address[1]
        netloc = f"[{host}]" if ":" in host else host
        self.origin = f"http://{netloc}:{self.port}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    def url(self, path: str) -> str:
        return self.origin + path

    def count(self, path: str, method: Optional[str] = None) -> int:
        with self.lock:
            return sum(1 for m, p in self.requests if p == path and (method is None or m == method))

    def sleep(self, seconds: float) -> None:
        self._stopping.wait(seconds)

    def __enter__(self) -> "FaultServer":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(5)
