"""A real loopback HTTP server for a folder of fixture pages (tests, demo, benchmarks).

Stdlib only, so tests that need HTTP run a real server instead of mocking the
web. ``root/_routes.toml`` adds the behaviours a link checker must cope with
(redirects, error statuses, slow answers, gzip, other charsets, HEAD refused);
files answer conditional requests as nginx does (ETag and Last-Modified on
every file served with 200, 304 when If-None-Match or If-Modified-Since match);
``{{origin}}`` and other placeholders in text files let absolute links point
at whatever port the server got.

    with SiteServer(Path("tests/sites/clinic")) as site:
        urllib.request.urlopen(site.url("/about/"))

    python -m crawler.siteserver tests/sites/clinic --port 8000
"""
from __future__ import annotations

import argparse
import gzip as gzip_mod
import logging
import mimetypes
import re
import socket
import sys
import threading
import time
import tomllib
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import unquote, urlsplit

log = logging.getLogger(__name__)

ROUTES_FILE = "_routes.toml"
# Files whose placeholders are filled in when served; everything else is sent byte for byte.
TEXT_SUFFIXES = {".html", ".htm", ".xml", ".txt", ".css", ".js", ".json", ".svg"}
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".ico": "image/x-icon",
    ".pdf": "application/pdf",
    ".gz": "application/gzip",
}
_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
_SLEEP_STEP_S = 0.05  # how often a sleeping handler checks whether the server is stopping


class RoutesError(ValueError):
    """``_routes.toml`` is malformed; the message names the file and the route."""


@dataclass
class Route:
    path: str
    status: int | None = None
    location: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    times: int | None = None
    gzip: bool = False
    content_type: str | None = None
    encode: str | None = None
    head_status: int | None = None
    used: int = 0  # requests this route has answered (for `times`)

    def matches(self, path: str, path_qs: str) -> bool:
        wanted = path_qs if "?" in self.path else path
        return wanted == self.path and (self.times is None or self.used < self.times)


_ROUTE_TYPES: dict[str, tuple[type, ...]] = {
    "path": (str,), "status": (int,), "location": (str,), "headers": (dict,),
    "delay_s": (int, float), "times": (int,), "gzip": (bool,), "content_type": (str,),
    "encode": (str,), "head_status": (int,),
}


def load_routes(root: Path) -> list[Route]:
    """Read ``root/_routes.toml`` (absent file: no routes); strict, so a typo fails loudly."""
    file = root / ROUTES_FILE
    if not file.is_file():
        return []
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise RoutesError(f"{file}: {exc}") from None
    unknown_top = set(data) - {"route"}
    if unknown_top:
        raise RoutesError(f"{file}: unknown key {sorted(unknown_top)[0]!r} (only [[route]] tables)")
    routes = []
    for i, raw in enumerate(data.get("route", []), 1):
        where = f"{file}: route {i} ({raw.get('path', '?')})"
        for key, value in raw.items():
            if key not in _ROUTE_TYPES:
                raise RoutesError(f"{where}: unknown key {key!r}")
            if not isinstance(value, _ROUTE_TYPES[key]) or (isinstance(value, bool) and key != "gzip"):
                raise RoutesError(f"{where}: {key} has the wrong type ({type(value).__name__})")
        if "path" not in raw or not raw["path"].startswith("/"):
            raise RoutesError(f"{where}: path must be given and start with '/'")
        if raw.get("encode"):
            try:
                "".encode(raw["encode"])
            except LookupError:
                raise RoutesError(f"{where}: unknown encoding {raw['encode']!r}") from None
        status = raw.get("status")
        if status is not None and 300 <= status < 400 and status != 304 and "location" not in raw:
            raise RoutesError(f"{where}: a {status} redirect needs a location")
        route = Route(**raw)
        route.headers = {str(k): str(v) for k, v in route.headers.items()}
        routes.append(route)
    return routes


class SiteServer:
    """Serve ``root`` on ``host:port`` (0: any free port) from a background thread."""

    def __init__(self, root: Path, host: str = "127.0.0.1", port: int = 0, *,
                 latency_s: float = 0.0, substitutions: dict[str, str] | None = None):
        self.root = Path(root).resolve()
        if not self.root.is_dir():
            raise FileNotFoundError(f"site folder not found: {root}")
        self.host = host
        self.port = port
        self.latency_s = latency_s
        self.substitutions = dict(substitutions or {})
        self.routes = load_routes(self.root)
        self.requests: list[tuple[str, str]] = []
        self.request_times: list[float] = []  # time.monotonic() of each entry in requests
        self.answers: list[tuple[str, str, int]] = []  # method, path-with-query, status sent
        self.origin = ""
        self.in_flight = 0  # requests being answered now
        self.peak_in_flight = 0  # the most answered at once: politeness as the server saw it
        self.connections_opened = 0  # TCP connections accepted: keep-alive as the server saw it
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._connections: set[socket.socket] = set()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> "SiteServer":
        if self._httpd is not None:
            return self
        self._stopping.clear()
        self._httpd = _Server((self.host, self.port), _Handler, self)
        self.port = self._httpd.server_address[1]
        self.origin = f"http://{self.host}:{self.port}"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
            name=f"siteserver-{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        self._stopping.set()  # wakes sleeping handlers so nothing waits out a 30 s delay
        httpd.shutdown()
        with self._lock:
            open_connections = list(self._connections)
        # Idle keep-alive connections would otherwise hold their threads until the client hangs up.
        for conn in open_connections:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> "SiteServer":
        return self.start()

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()

    # -- helpers for tests -----------------------------------------------------------------
    def url(self, path: str) -> str:
        return self.origin + path

    def requested(self, path: str, method: str | None = None) -> int:
        """How many requests asked for ``path`` (exact path-with-query), optionally by method."""
        with self._lock:
            return sum(1 for m, p in self.requests if p == path and (method is None or m == method))

    def answered(self, status: int) -> list[str]:
        """Paths (with query) that got ``status``, in order."""
        with self._lock:
            return [p for _, p, s in self.answers if s == status]

    def clear_requests(self) -> None:
        with self._lock:
            self.requests.clear()
            self.request_times.clear()
            self.answers.clear()

    # -- used by the handler ---------------------------------------------------------------
    def _log_request(self, method: str, path_qs: str) -> None:
        with self._lock:
            self.requests.append((method, path_qs))
            self.request_times.append(time.monotonic())

    def _take_route(self, path: str, path_qs: str) -> Route | None:
        with self._lock:
            for route in self.routes:
                if route.matches(path, path_qs):
                    route.used += 1
                    return route
        return None

    def _track(self, conn: socket.socket, open_: bool) -> None:
        with self._lock:
            (self._connections.add if open_ else self._connections.discard)(conn)
            self.connections_opened += open_

    def _sleep(self, seconds: float) -> bool:
        """Sleep unless the server stops first; False when it is stopping."""
        return not self._stopping.wait(seconds) if seconds > 0 else not self._stopping.is_set()

    def fill(self, text: str) -> str:
        values = {"origin": self.origin, "host": f"{self.host}:{self.port}", **self.substitutions}
        return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)

    def resolve(self, path: str) -> Path | None:
        """The file serving ``path``: /a/ -> a/index.html; /a -> a, a.html or a/index.html."""
        parts = [p for p in unquote(path).split("/") if p]
        if any(p in ("..", ".") or p.startswith(("_", ".")) or "\\" in p or "\0" in p for p in parts):
            return None
        base = self.root.joinpath(*parts)
        if path.endswith("/") or not parts:
            candidates = [base / "index.html"]
        else:
            candidates = [base, base.with_name(base.name + ".html"), base / "index.html"]
        for candidate in candidates:
            if candidate.is_file() and candidate.resolve().is_relative_to(self.root):
                return candidate
        return None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # stop() must not wait for a handler that is still sleeping
    request_queue_size = 128  # benchmarks open many connections at once
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], handler: type, site: SiteServer):
        self.site = site
        super().__init__(address, handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError, socket.timeout)) or self.site._stopping.is_set():
            log.debug("client %s went away: %s", client_address, exc)  # normal when a crawler times out
        else:
            log.error("siteserver: error while serving %s: %r", client_address, exc)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as crawlers and browsers use it
    server_version = "siteproof-siteserver"
    sys_version = ""
    timeout = 60  # idle keep-alive connections are dropped after this
    server: _Server

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes; without this, Nagle's algorithm meets the
        # client's delayed ACK and every keep-alive response waits ~40 ms.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.site._track(self.connection, True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.site._track(self.connection, False)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass  # tests read SiteServer.requests instead of stderr noise

    def do_GET(self) -> None:
        self._serve(head=False)

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def _serve(self, head: bool) -> None:
        site = self.server.site
        with site._lock:
            site.in_flight += 1
            site.peak_in_flight = max(site.peak_in_flight, site.in_flight)
        try:
            self._serve_counted(site, head)
        finally:
            with site._lock:
                site.in_flight -= 1

    def _serve_counted(self, site: SiteServer, head: bool) -> None:
        method = "HEAD" if head else "GET"
        site._log_request(method, self.path)
        if not site._sleep(site.latency_s):
            return self._drop()
        split = urlsplit(self.path)
        path = split.path or "/"
        path_qs = path + ("?" + split.query if split.query else "")
        route = site._take_route(path, path_qs)
        if route is not None and route.delay_s and not site._sleep(route.delay_s):
            return self._drop()
        try:
            status, headers, body = self._answer(site, route, path, head)
        except Exception as exc:  # our bug, not the client's: say so in the response, one line in the log
            log.error("siteserver: %s %s failed: %r", method, self.path, exc)
            status, headers, body = 500, {"Content-Type": "text/plain; charset=utf-8"}, b"siteserver error\n"
        if status == 200 and _not_modified(self.headers, headers):
            status, body = 304, b""
            headers = {k: v for k, v in headers.items() if k in ("ETag", "Last-Modified")}
        with site._lock:
            site.answers.append((method, path_qs, status))
        self._send(status, headers, b"" if head else body, len(body))

    def _answer(self, site: SiteServer, route: Route | None, path: str,
                head: bool) -> tuple[int, dict[str, str], bytes]:
        headers: dict[str, str] = {}
        if route is not None:
            headers.update({k: site.fill(v) for k, v in route.headers.items()})
            if head and route.head_status is not None:
                return route.head_status, {"Content-Type": "text/html; charset=utf-8", **headers}, b""
            if route.location is not None:
                status = route.status or 302
                location = site.fill(route.location)
                page = _small_page(status, f'Moved to <a href="{location}">{location}</a>.')
                return status, {"Location": location, "Content-Type": "text/html; charset=utf-8",
                                **headers}, page
        file = site.resolve(path)
        if file is None:
            status = route.status if route is not None and route.status else 404
            body, ctype = _small_page(status), "text/html; charset=utf-8"
        else:
            status = route.status if route is not None and route.status else 200
            suffix = file.suffix.lower()
            ctype = CONTENT_TYPES.get(suffix) or mimetypes.guess_type(file.name)[0] or "application/octet-stream"
            body = file.read_bytes()
            if suffix in TEXT_SUFFIXES:
                text = site.fill(body.decode("utf-8"))
                body = text.encode(route.encode if route is not None and route.encode else "utf-8")
        if route is not None and route.content_type:
            ctype = route.content_type
        if route is not None and route.gzip:
            body = gzip_mod.compress(body, mtime=0)
            headers["Content-Encoding"] = "gzip"
        headers.setdefault("Content-Type", ctype)
        if file is not None and status == 200:
            # nginx's validators: mtime and size (ours to the nanosecond, so a test's quick edit shows).
            mtime_ns = file.stat().st_mtime_ns
            headers.setdefault("ETag", f'"{mtime_ns:x}-{len(body):x}"')
            headers.setdefault("Last-Modified", formatdate(mtime_ns / 1e9, usegmt=True))
        return status, headers, body

    def _send(self, status: int, headers: Mapping[str, str], body: bytes, length: int) -> None:
        self.send_response_only(status)
        lowered = {k.lower() for k in headers}
        if "server" not in lowered:  # a route may pose as another server (a bot wall's "cloudflare")
            self.send_header("Server", self.server_version)
        self.send_header("Date", formatdate(usegmt=True))
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(length))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def _drop(self) -> None:
        self.close_connection = True


def _not_modified(request: Mapping[str, str], answer: Mapping[str, str]) -> bool:
    """RFC 9110 13.2.2: If-None-Match decides when sent; otherwise If-Modified-Since."""
    etag = answer.get("ETag")
    wanted = request.get("If-None-Match")
    if wanted is not None:
        tags = [t.strip().removeprefix("W/") for t in wanted.split(",")]
        return etag is not None and ("*" in tags or etag in tags)
    since, modified = request.get("If-Modified-Since"), answer.get("Last-Modified")
    if since is None or modified is None:
        return False
    try:
        return parsedate_to_datetime(modified) <= parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False


def _small_page(status: int, message: str = "") -> bytes:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Status"
    text = message or phrase + "."
    return (f"<!DOCTYPE html><html><head><title>{status} {phrase}</title></head>"
            f"<body><h1>{status} {phrase}</h1><p>{text}</p></body></html>\n").encode("utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler.siteserver",
                                     description="Serve a fixture site folder on loopback until Ctrl-C.")
    parser.add_argument("root", type=Path, help="the site folder (may hold _routes.toml)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000, help="0 picks a free port (default 8000)")
    parser.add_argument("--latency", type=float, default=0.0, metavar="SECONDS",
                        help="sleep this long before every answer")
    parser.add_argument("--sub", action="append", default=[], metavar="NAME=VALUE",
                        help="fill {{NAME}} with VALUE in served text files (repeatable)")
    args = parser.parse_args(argv)
    subs = {}
    for item in args.sub:
        name, sep, value = item.partition("=")
        if not sep or not name:
            parser.error(f"--sub expects NAME=VALUE, got {item!r}")
        subs[name] = value
    try:
        server = SiteServer(args.root, args.host, args.port, latency_s=args.latency, substitutions=subs)
        server.start()
    except (OSError, RoutesError) as exc:
        print(f"siteserver: {exc}", file=sys.stderr)
        return 2
    print(f"Serving {server.root} at {server.origin}/ (Ctrl-C to stop)", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
