"""crawler.siteserver over real loopback HTTP (urllib, no mocks), and the clinic fixture it serves."""
from __future__ import annotations

import gzip
import http.client
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup

from support.sites import CLINIC, expected_findings, load_expected, new_clinic_server
from crawler.siteserver import RoutesError, SiteServer

PNG_WITH_PLACEHOLDER = b"\x89PNG\r\n\x1a\n{{origin}}\x00\xff"


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def fetch(url: str, method: str = "GET", timeout: float = 5) -> tuple[int, http.client.HTTPMessage, bytes]:
    """(status, headers, raw body) without following redirects or decoding gzip."""
    request = urllib.request.Request(url, method=method)
    try:
        with _opener.open(request, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, exc.headers, exc.read()


@pytest.fixture()
def site(tmp_path: Path) -> Path:
    (tmp_path / "index.html").write_text("<h1>Home</h1><a href='{{origin}}/a/'>{{origin}} {{ext}} {{nope}}</a>",
                                         encoding="utf-8")
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text("<title>A</title>", encoding="utf-8")
    (tmp_path / "page.html").write_text("<title>Page</title>", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("see {{origin}}/a/\n", encoding="utf-8")
    (tmp_path / "pic.png").write_bytes(PNG_WITH_PLACEHOLDER)
    (tmp_path / "latin").mkdir()
    (tmp_path / "latin" / "index.html").write_text("<title>Café Peña</title>", encoding="utf-8")
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "index.html").write_text("<title>Busy page</title>", encoding="utf-8")
    (tmp_path / "_routes.toml").write_text("""
[[route]]
path = "/old/"
status = 301
location = "{{origin}}/a/"
[[route]]
path = "/rel/"
status = 308
location = "/page"
[[route]]
path = "/busy/"
status = 503
headers = { "Retry-After" = "1" }
times = 1
[[route]]
path = "/gone/"
status = 500
[[route]]
path = "/slow/"
delay_s = 30
[[route]]
path = "/zipped/"
gzip = true
[[route]]
path = "/a/?v=2"
status = 410
[[route]]
path = "/latin/"
content_type = "text/html; charset=iso-8859-1"
encode = "latin-1"
[[route]]
path = "/no-head/"
head_status = 405
""", encoding="utf-8")
    (tmp_path / "zipped").mkdir()
    (tmp_path / "zipped" / "index.html").write_text("<p>{{origin}} zipped</p>", encoding="utf-8")
    (tmp_path / "no-head").mkdir()
    (tmp_path / "no-head" / "index.html").write_text("<p>GET works</p>", encoding="utf-8")
    return tmp_path


@pytest.fixture()
def server(site: Path):
    with SiteServer(site, substitutions={"ext": "http://127.0.0.2:9"}) as running:
        yield running


def test_paths_map_to_files_without_redirects(server):
    status, headers, body = fetch(server.url("/"))
    assert status == 200 and body.startswith(b"<h1>Home</h1>")
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert fetch(server.url("/a/"))[2] == fetch(server.url("/a"))[2] == b"<title>A</title>"
    assert fetch(server.url("/page"))[2] == b"<title>Page</title>"
    assert fetch(server.url("/notes.txt"))[1]["Content-Type"] == "text/plain; charset=utf-8"
    assert fetch(server.url("/pic.png"))[1]["Content-Type"] == "image/png"
    assert fetch(server.url("/a/?utm=1"))[2] == b"<title>A</title>"  # query ignored for files


def test_missing_hidden_and_escaping_paths_are_404(server):
    status, headers, body = fetch(server.url("/nope/"))
    assert status == 404 and b"404 Not Found" in body and headers["Content-Type"].startswith("text/html")
    assert fetch(server.url("/_routes.toml"))[0] == 404
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    conn.request("GET", "/../../etc/passwd")  # sent raw: urllib would normalise it
    assert conn.getresponse().status == 404
    conn.close()


def test_placeholders_are_filled_in_text_files_only(server):
    body = fetch(server.url("/"))[2].decode()
    assert f"href='{server.origin}/a/'" in body
    assert "http://127.0.0.2:9" in body and "{{nope}}" in body
    assert fetch(server.url("/notes.txt"))[2] == f"see {server.origin}/a/\n".encode()
    assert fetch(server.url("/pic.png"))[2] == PNG_WITH_PLACEHOLDER


def test_head_sends_the_get_headers_without_a_body(server):
    get_status, get_headers, get_body = fetch(server.url("/"))
    status, headers, body = fetch(server.url("/"), method="HEAD")
    assert (status, body) == (200, b"")
    assert headers["Content-Length"] == get_headers["Content-Length"] == str(len(get_body))
    assert headers["Content-Type"] == get_headers["Content-Type"]


def test_redirect_routes_answer_status_and_filled_location(server):
    status, headers, _ = fetch(server.url("/old/"))
    assert (status, headers["Location"]) == (301, server.url("/a/"))
    status, headers, _ = fetch(server.url("/rel/"))
    assert (status, headers["Location"]) == (308, "/page")
    assert fetch(server.url("/old/"), method="HEAD")[0] == 301


def test_route_with_query_matches_only_that_query(server):
    assert fetch(server.url("/a/?v=2"))[0] == 410
    assert fetch(server.url("/a/?v=3"))[0] == 200


def test_status_route_uses_the_file_or_a_small_page(server):
    status, headers, body = fetch(server.url("/gone/"))
    assert status == 500 and b"500 Internal Server Error" in body


def test_times_limits_a_route_then_falls_through_to_the_file(server):
    first = fetch(server.url("/busy/"))
    assert first[0] == 503 and first[1]["Retry-After"] == "1"
    second = fetch(server.url("/busy/"))
    assert second[0] == 200 and second[2] == b"<title>Busy page</title>" and "Retry-After" not in second[1]


def test_gzip_route_compresses_the_filled_body(server):
    status, headers, body = fetch(server.url("/zipped/"))
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(body) == f"<p>{server.origin} zipped</p>".encode()
    assert headers["Content-Length"] == str(len(body))


def test_encode_route_re_encodes_the_body(server):
    status, headers, body = fetch(server.url("/latin/"))
    assert headers["Content-Type"] == "text/html; charset=iso-8859-1"
    assert body == "<title>Café Peña</title>".encode("latin-1")
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")


def test_head_status_applies_to_head_only(server):
    assert fetch(server.url("/no-head/"), method="HEAD")[0] == 405
    status, _, body = fetch(server.url("/no-head/"))
    assert (status, body) == (200, b"<p>GET works</p>")


def test_a_hanging_request_blocks_neither_others_nor_shutdown(site: Path):
    server = SiteServer(site).start()
    errors: list[BaseException] = []

    def hang():
        try:
            fetch(server.url("/slow/"), timeout=20)
        except (OSError, http.client.HTTPException) as exc:  # the server drops it on shutdown
            errors.append(exc)

    thread = threading.Thread(target=hang, daemon=True)
    thread.start()
    deadline = time.monotonic() + 5
    while server.requested("/slow/") == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    started = time.monotonic()
    assert fetch(server.url("/"), timeout=2)[0] == 200
    assert time.monotonic() - started < 1
    started = time.monotonic()
    server.stop()
    assert time.monotonic() - started < 2
    thread.join(timeout=5)
    assert not thread.is_alive() and errors


def test_latency_delays_every_answer(site: Path):
    with SiteServer(site, latency_s=0.2) as server:
        started = time.monotonic()
        assert fetch(server.url("/a/"))[0] == 200
        assert time.monotonic() - started >= 0.2


def test_request_log_is_ordered_and_thread_safe(server):
    fetch(server.url("/a/?x=1"))
    fetch(server.url("/page"), method="HEAD")
    assert server.requests[:2] == [("GET", "/a/?x=1"), ("HEAD", "/page")]
    server.clear_requests()

    def burst(i: int):
        for j in range(5):
            fetch(server.url(f"/a/?t={i}-{j}"))

    threads = [threading.Thread(target=burst, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(server.requests) == 60
    assert sorted(p for _, p in server.requests) == sorted(f"/a/?t={i}-{j}" for i in range(12) for j in range(5))
    assert server.requested("/a/?t=3-4") == 1 and server.requested("/a/?t=3-4", "HEAD") == 0


def test_keep_alive_serves_several_requests_on_one_connection(server):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    for path in ("/a/", "/page", "/nope/"):
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
    assert response.status == 404 and len(server.requests) == 3
    conn.close()


@pytest.mark.parametrize("routes, message", [
    ('[[route]]\npath = "/x/"\nstatuss = 404\n', "unknown key 'statuss'"),
    ('[[route]]\npath = "/x/"\nstatus = 301\n', "needs a location"),
    ('[[route]]\npath = "x"\n', "start with '/'"),
    ('[[route]]\npath = "/x/"\ndelay_s = "slow"\n', "delay_s has the wrong type"),
    ('[[route]]\npath = "/x/"\nencode = "klingon"\n', "unknown encoding"),
    ('[[rout]]\npath = "/x/"\n', "unknown key 'rout'"),
])
def test_bad_routes_file_is_one_clear_error(tmp_path: Path, routes: str, message: str):
    (tmp_path / "_routes.toml").write_text(routes, encoding="utf-8")
    with pytest.raises(RoutesError, match=message):
        SiteServer(tmp_path)


def test_command_line_serves_a_folder(site: Path):
    proc = subprocess.Popen([sys.executable, "-m", "crawler.siteserver", str(site), "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=Path(__file__).parent.parent)
    try:
        line = proc.stdout.readline()
        origin = line.split(" at ")[1].split("/ ")[0]
        assert fetch(origin + "/a/")[2] == b"<title>A</title>"
    finally:
        proc.terminate()
        proc.wait(timeout=5)
    missing = subprocess.run([sys.executable, "-m", "crawler.siteserver", str(site / "nope")],
                             capture_output=True, text=True, cwd=Path(__file__).parent.parent, timeout=20)
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1 and "not found" in missing.stderr


# ---------------------------------------------------------------- the clinic fixture site

def _links(server: SiteServer, path: str) -> list[tuple[str, str]]:
    """(tag, absolute url) of a page's a/img/link/script references, resolved through <base>."""
    status, headers, body = fetch(server.url(path))
    if headers.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    soup = BeautifulSoup(body.decode(headers.get_content_charset() or "utf-8"), "lxml")
    base = soup.find("base", href=True)
    base_url = urljoin(server.url(path), base["href"]) if base else server.url(path)
    found = []
    for tag, attr in (("a", "href"), ("img", "src"), ("link", "href"), ("script", "src")):
        for element in soup.find_all(tag, attrs={attr: True}):
            url = urljoin(base_url, element[attr])
            if url.startswith("http"):
                found.append((tag, url))
    return found


@pytest.fixture()
def fresh_clinic(external_server):
    with new_clinic_server(external_server) as server:
        yield server


def test_clinic_links_fail_exactly_where_expected(fresh_clinic, external_server):
    """A plain walk of the site: every broken or redirected link is one EXPECTED.toml lists."""
    expected = load_expected(fresh_clinic.origin, external_server.origin)
    never = {fresh_clinic.url(p) for p in expected["never_requested"]}
    pages = expected["pages"]["articles"] + expected["pages"]["others"]
    seen: dict[str, tuple] = {}
    problems = set()
    for page in pages:
        for tag, url in _links(fresh_clinic, urlsplit(page).path):
            target = urldefrag(url)[0]
            if target in never:
                continue
            if target not in seen:
                try:
                    status, headers, _ = fetch(target, timeout=1)
                    if status == 503 and headers.get("Retry-After"):
                        status, headers, _ = fetch(target, timeout=1)  # what a retrying crawler sees
                    seen[target] = (status, headers.get("Location"))
                except (socket.timeout, TimeoutError, urllib.error.URLError):
                    seen[target] = ("timeout", None)
            status, _ = seen[target]
            if status == 200:
                continue
            kind = "redirected-link" if status in (301, 302, 307, 308) else "broken-link"
            if target.endswith("/blog-archive/"):
                kind = "broken-link"  # a loop
            if status == 403 and urlsplit(target).hostname == "127.0.0.2":
                kind = "unverifiable-link"
            problems.add((kind, page, target))
    wanted = {(f["rule"], f["url"], f["target"]) for f in expected["finding"]
              if f["rule"] in ("broken-link", "redirected-link", "unverifiable-link")}
    assert problems == wanted
    assert not [r for r in fresh_clinic.requests if r[1].startswith("/private/")]


def test_clinic_sitemaps_list_only_live_pages_and_the_orphan(clinic_server, external_server):
    robots = fetch(clinic_server.url("/robots.txt"))[2].decode()
    assert "Disallow: /private/" in robots and f"Sitemap: {clinic_server.origin}/sitemap_index.xml" in robots
    index = BeautifulSoup(fetch(clinic_server.url("/sitemap_index.xml"))[2], "xml")
    listed = []
    for child in index.find_all("loc"):
        listed += [loc.text for loc in BeautifulSoup(fetch(child.text)[2], "xml").find_all("loc")]
    expected = load_expected(clinic_server.origin, external_server.origin)
    assert sorted(listed) == sorted(expected["pages"]["articles"] + expected["pages"]["others"])
    assert all(fetch(url)[0] in (200, 503) for url in listed)  # 503: /new-patient-forms/ the first time only
    orphan = [f["url"] for f in expected["finding"] if f["rule"] == "orphan-page"]
    linked = {urldefrag(u)[0] for p in listed if p not in orphan for t, u in _links(clinic_server, urlsplit(p).path)}
    assert [p for p in listed if p not in linked] == orphan


def test_clinic_special_pages(clinic_server, external_server):
    status, headers, body = fetch(clinic_server.url("/our-team/"))
    assert headers.get_content_charset() == "iso-8859-1"
    expected = load_expected(clinic_server.origin, external_server.origin)
    title = BeautifulSoup(body.decode("iso-8859-1"), "lxml").title.text
    assert title == expected["tricky"]["latin1_title"]
    status, headers, body = fetch(clinic_server.url("/blog/low-testosterone-signs/"))
    assert headers["Content-Encoding"] == "gzip" and gzip.decompress(body).count(b"<h1") == 2
    # Relative links on /resources/ only work through its <base href="/blog/">.
    soup = BeautifulSoup(fetch(clinic_server.url("/resources/"))[2], "lxml")
    relative = [a["href"] for a in soup.select(".entry-content a") if not a["href"].startswith(("/", "../"))]
    assert relative
    for href in relative:
        assert fetch(urljoin(clinic_server.url("/blog/"), href))[0] == 200
        assert fetch(urljoin(clinic_server.url("/resources/"), href))[0] == 404
    assert fetch(clinic_server.url("/about"))[2] == fetch(clinic_server.url("/about/"))[2]


def test_external_host_behaviours(external_server):
    assert external_server.origin.startswith("http://127.0.0.2:")
    assert fetch(external_server.url("/no-head/"), method="HEAD")[0] == 405
    assert fetch(external_server.url("/no-head/"))[0] == 200
    status, headers, body = fetch(external_server.url("/blocked/"))
    assert (status, headers["Server"]) == (403, "cloudflare") and b"<title>Just a moment...</title>" in body
    assert fetch(external_server.url("/missing-study/"))[0] == 404
    assert b'id="dosing"' in fetch(external_server.url("/ok/"))[2]


def test_expected_findings_are_absolute(clinic_server, external_server):
    findings = expected_findings(clinic_server.origin, external_server.origin)
    assert len(findings) == len(load_expected(clinic_server.origin, external_server.origin)["finding"])
    assert all(f["url"].startswith(clinic_server.origin + "/") for f in findings)
    targets = [f["target"] for f in findings if f["target"]]
    assert all(t.startswith((clinic_server.origin + "/", external_server.origin + "/")) for t in targets)
    assert {"rule": "broken-link", "url": clinic_server.url("/semaglutide-weight-loss/"),
            "target": external_server.url("/missing-study/")} in findings
    assert (CLINIC / "EXPECTED.toml").is_file()
