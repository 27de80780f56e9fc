"""A page over max_response_mb is a finding, an IPv6 literal host is crawled, odd content types are fetched once (issue 11)."""
from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from faultserver import FaultServer, answer, html, huge, page

REPO = Path(__file__).resolve().parents[2]
BOUND_S = 120  # a bound for hangs: each crawl takes a few seconds on a quiet machine


def crawl(origin: str, tmp: Path, config: str = "") -> tuple[subprocess.CompletedProcess, dict]:
    out = tmp / "out"
    toml = tmp / "siteproof.toml"
    toml.write_text(f"[crawl]\ntimeout_s = 2\n{config}", encoding="utf-8")
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "crawler", "crawl", origin + "/", "--out", str(out), "--config",
                           str(toml), "--format", "json", "--no-history", "-q"],
                          cwd=REPO, capture_output=True, text=True, timeout=BOUND_S)
    assert time.monotonic() - started < BOUND_S
    return proc, json.loads((out / "report.json").read_text())


def test_a_page_over_max_response_mb_is_a_finding_and_fails_the_run(tmp_path):
    routes = {"/": page("Home", ["/big/", "/small/"]), "/big/": huge(3), "/small/": page("Small")}
    with FaultServer(routes) as server:
        proc, report = crawl(server.origin, tmp_path, "max_response_mb = 1\n")
        big = server.url("/big/")
    assert proc.returncode == 1, proc.stderr  # an error-level finding
    found = [f for f in report["findings"] if f["rule"] == "page-too-large"]
    assert [f["url"] for f in found] == [big]
    assert found[0]["severity"] == "error" and "max_response_mb = 1" in found[0]["message"]
    assert report["crawl"]["unaudited"] == {big: "too-large"}
    assert {p["url"] for p in report["pages"]} == {server.url("/"), server.url("/small/")}


def _ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


@pytest.mark.skipif(not _ipv6_loopback(), reason="this machine has no IPv6 loopback (::1)")
def test_an_ipv6_literal_host_is_crawled(tmp_path):
    with FaultServer({"/": page("Home", ["/a/"]), "/a/": page("A", ["/"])}, host="::1") as server:
        proc, report = crawl(server.origin, tmp_path)
        assert server.origin.startswith("http://[::1]:")
        assert server.count("/a/") == 1
    assert proc.returncode == 0, proc.stderr
    assert sorted(p["url"] for p in report["pages"]) == [server.url("/"), server.url("/a/")]


def test_text_and_untyped_answers_are_fetched_once(tmp_path):
    routes = {"/": page("Home", ["/notes.txt", "/untyped/"], body='<img src="/notes.txt" alt="n">'),
              "/notes.txt": answer(200, b"plain notes\n", "text/plain"),
              "/untyped/": answer(200, html("Untyped", ["/notes.txt", "/"]), content_type=None)}
    with FaultServer(routes) as server:
        urls = "".join(f"<url><loc>{server.url(p)}</loc></url>" for p in ("/notes.txt", "/untyped/"))
        server.routes["/sitemap.xml"] = answer(
            200, f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'.encode(),
            "application/xml")
        proc, report = crawl(server.origin, tmp_path)
        asked = {p: server.count(p) for p in ("/notes.txt", "/untyped/")}
    assert proc.returncode == 0, proc.stderr
    assert asked == {"/notes.txt": 1, "/untyped/": 1}
    assert server.url("/untyped/") in {p["url"] for p in report["pages"]}  # sniffed as HTML and audited
