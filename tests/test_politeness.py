"""Politeness as the server sees it: never more requests at once than [crawl] concurrency_per_host,
over connections that are kept alive."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from crawler.siteserver import SiteServer

REPO = Path(__file__).resolve().parent.parent
PAGES = 30


def write_site(root: Path) -> None:
    links = "".join(f'<li><a href="/p{i}/">Post {i}</a></li>' for i in range(PAGES))
    (root / "index.html").write_text(f"<title>Home</title><h1>Home</h1><ul>{links}</ul>", encoding="utf-8")
    for i in range(PAGES):
        (root / f"p{i}").mkdir()
        (root / f"p{i}" / "index.html").write_text(
            f'<title>Post {i}</title><h1>Post {i}</h1><img src="/p{i}/photo.png" alt="">', encoding="utf-8")


def test_a_crawl_keeps_to_the_per_host_limit(tmp_path: Path):
    site = tmp_path / "site"
    site.mkdir()
    write_site(site)
    work = tmp_path / "work"
    work.mkdir()
    (work / "siteproof.toml").write_text("[crawl]\nconcurrency = 32\nconcurrency_per_host = 2\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    # A little latency keeps requests overlapping, so an unenforced limit shows at the server.
    with SiteServer(site, latency_s=0.05) as server:
        proc = subprocess.run([sys.executable, "-m", "crawler", "crawl", server.url("/"), "--no-history", "-q",
                               "--out", str(work / "out")], cwd=work, env=env, capture_output=True, text=True,
                              timeout=180)
        assert proc.returncode in (0, 1), proc.stderr
        assert server.requested("/p29/") == 1  # the whole site was crawled...
        assert len(server.requests) > 2 * PAGES
        assert server.peak_in_flight == 2  # ...two at a time, never more
        # Connections are kept alive and reused, not opened per request, and the report counts both.
        assert server.connections_opened <= 2
        crawl = json.loads((work / "out" / "report.json").read_text(encoding="utf-8"))["crawl"]
        assert crawl["requests"] == len(server.requests)
        assert crawl["connections"] == server.connections_opened


class _Http10Handler(SimpleHTTPRequestHandler):
    """Python's own file server as it ships: HTTP/1.0, closing each connection without saying so."""
    seen: list = []
    connections: list = []

    def setup(self) -> None:
        super().setup()
        self.connections.append(1)

    def log_request(self, code="-", size="-") -> None:
        self.seen.append((self.command, self.path, code))

    def log_message(self, format, *args) -> None:  # noqa: A002 - stdlib signature
        pass


def test_a_server_that_closes_each_connection_loses_no_request(tmp_path: Path):
    """An HTTP/1.0 answer without keep-alive ends its connection: nothing more may be sent on it."""
    site = tmp_path / "site"
    site.mkdir()
    write_site(site)
    for i in range(PAGES):
        (site / f"p{i}" / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    work = tmp_path / "work"
    work.mkdir()
    (work / "siteproof.toml").write_text("[crawl]\nconcurrency_per_host = 8\n", encoding="utf-8")
    handler = type("Handler", (_Http10Handler,), {"seen": [], "connections": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(site)))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        proc = subprocess.run([sys.executable, "-m", "crawler", "crawl", url, "--no-history", "-q",
                               "--out", str(work / "out")], cwd=work, env=env, capture_output=True, text=True,
                              timeout=180)
    finally:
        server.shutdown()
        server.server_close()
    assert proc.returncode in (0, 1), proc.stderr
    report = json.loads((work / "out" / "report.json").read_text(encoding="utf-8"))
    assert not [f for f in report["findings"] if f["rule"] == "broken-link"]
    assert len(report["pages"]) == PAGES + 1
    # One connection a request, as the server closes each: none was sent on a closing connection.
    assert report["crawl"]["requests"] == len(handler.seen) == len(handler.connections)
    assert report["crawl"]["connections"] == len(handler.connections)

