"""The bundled demo site (crawler/demo_site) and the benchmark site generator.

The demo's planted problems are its specification (crawler/demo_site/DEFECTS.md):
every internal link resolves except the planted ones, and `siteproof demo`
reports each planted problem at the page it was planted on.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup

from crawler.demo import DEMO_SITE
from crawler.siteserver import SiteServer, load_routes

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from sitegen import generate  # noqa: E402

# Internal targets that must not resolve to a page: planted broken links (DEFECTS.md rows 1-4, 8).
PLANTED_MISSING = {
    "/blog/cholesterol-basics/", "/services/iv-hydration/", "/blog/ketamine-for-anxiety/",
    "/patient-portal/", "/wp-content/uploads/2023/05/iv-drip-lounge.jpg",
}
PLANTED_ROUTED = {"/patient-portal/", "/blog/semaglutide-guide/", "/weight-loss/", "/services/weight-loss/", "/wp-admin/"}

# (rule, page path) for each planted problem; the demo report must contain every one.
EXPECTED = [
    ("broken-link", "/blog/mens-health-checklist/"),
    ("broken-link", "/services/iv-therapy/"),
    ("broken-link", "/blog/ketamine-for-ptsd/"),
    ("broken-link", "/contact/"),
    ("broken-link", "/blog/iv-therapy-benefits/"),
    ("broken-link", "/blog/ketamine-for-depression/"),
    ("broken-link", "/blog/is-ketamine-therapy-safe/"),
    ("redirected-link", "/blog/protein-and-muscle/"),
    ("redirected-link", "/"),
    ("broken-fragment", "/blog/ketamine-for-depression/"),
    ("missing-alt", "/blog/eating-well-on-glp1/"),
    ("duplicate-title", "/blog/semaglutide-for-weight-loss/"),
    ("duplicate-title", "/blog/tirzepatide-vs-semaglutide/"),
    ("missing-meta-description", "/blog/menopause-hormone-therapy/"),
    ("missing-h1", "/blog/testosterone-and-heart-health/"),
    ("multiple-h1", "/about/"),
    ("orphan-page", "/new-patient-forms/"),
    ("phone-mismatch", "/blog/is-ketamine-therapy-safe/"),
    ("phone-mismatch", "/blog/trt-what-to-expect/"),
    ("phone-format", "/blog/staying-hydrated-in-fresno-summer/"),
    ("missing-cta", "/blog/weight-loss-plateau/"),
    ("hard-to-read", "/blog/ketamine-and-anxiety-relief/"),
    ("thin-content", "/blog/bioidentical-hormones-explained/"),
    ("url-mismatch", "/blog/nad-iv-therapy-facts/"),
    ("irrelevant-related-post", "/blog/ketamine-vs-antidepressants/"),
    ("unlinked-source", "/blog/ketamine-for-depression/"),
]


def _pages(root: Path) -> dict[str, BeautifulSoup]:
    pages = {}
    for file in sorted(root.rglob("*.html")):
        rel = file.relative_to(root).as_posix()
        pages["/" + rel.removesuffix("index.html")] = BeautifulSoup(file.read_bytes(), "lxml")
    return pages


def _resolves(root: Path, path: str) -> bool:
    target = root / path.lstrip("/")
    return target.is_file() or (target / "index.html").is_file()


def _internal_refs(soup: BeautifulSoup) -> set[str]:
    refs = set()
    for tag in soup.find_all(["a", "img", "link"]):
        ref = tag.get("href") or tag.get("src") or ""
        if ref.startswith("/"):
            refs.add(ref.split("#")[0].split("?")[0])
    return refs


def test_demo_links_resolve_except_the_planted_ones():
    pages = _pages(DEMO_SITE)
    assert len([p for p in pages if p.startswith("/blog/") and p != "/blog/"]) == 25
    missing = {ref for soup in pages.values() for ref in _internal_refs(soup) if not _resolves(DEMO_SITE, ref)}
    routed = {r.path for r in load_routes(DEMO_SITE)}
    assert routed == PLANTED_ROUTED
    assert missing - routed == PLANTED_MISSING - routed


def test_demo_sitemap_lists_every_page_and_only_pages():
    sitemap = (DEMO_SITE / "sitemap.xml").read_text()
    listed = re.findall(r"<loc>\{\{origin\}\}(.*?)</loc>", sitemap)
    assert sorted(listed) == sorted(_pages(DEMO_SITE))


def test_demo_external_links_only_use_unresolvable_hosts():
    for soup in _pages(DEMO_SITE).values():
        for tag in soup.find_all(["a", "img", "link", "script"]):
            ref = tag.get("href") or tag.get("src") or ""
            host = urlsplit(ref).hostname
            if host and ref.startswith("http"):
                assert host.endswith(".invalid"), ref


def test_demo_served_with_its_routes():
    def status(url: str) -> int:
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:
                return resp.status
        except urllib.error.HTTPError as exc:
            return exc.code

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    with SiteServer(DEMO_SITE) as server:
        with urllib.request.urlopen(server.url("/sitemap.xml"), timeout=5) as resp:
            assert server.origin + "/new-patient-forms/" in resp.read().decode()
        assert status(server.url("/blog/ketamine-for-depression/")) == 200
        assert status(server.url("/patient-portal/")) == 500
        with pytest.raises(urllib.error.HTTPError) as hop:
            urllib.request.build_opener(NoRedirect).open(server.url("/weight-loss/"), timeout=5)
        assert hop.value.code == 301 and hop.value.headers["Location"].endswith("/services/weight-loss/")


def test_demo_reports_every_planted_problem(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "crawler", "demo", "--out", str(tmp_path)],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    report = json.loads((tmp_path / "report.json").read_text())
    summary = proc.stdout.splitlines()
    assert f"{report['stats']['pages']} pages crawled" in summary[0]
    assert f"{report['stats']['links_checked']} links checked" in summary[0]
    for rule, count in report["stats"]["by_rule"].items():
        assert any(line.split()[:2] == [rule, str(count)] for line in summary), rule
    assert summary[-1] == f"Report: {tmp_path / 'report.html'}"
    for name in ("report.json", "findings.csv", "report.html", "pages.jsonl", "fetches.jsonl"):
        assert (tmp_path / name).stat().st_size > 0, name
    # The sample's external links use .invalid hosts: answered as DNS errors without any lookup.
    invalid = [json.loads(line) for line in (tmp_path / "fetches.jsonl").read_text().splitlines()
               if ".invalid/" in line]
    assert invalid and all(f["error"] == "dns-error" and f["elapsed_ms"] is None for f in invalid)
    found = {(f["rule"], urlsplit(f["url"]).path) for f in report["findings"]}
    assert [e for e in EXPECTED if e not in found] == []
    off_topic = [f["target"] for f in report["findings"]
                 if f["rule"] == "irrelevant-related-post" and f["url"].endswith("/blog/ketamine-vs-antidepressants/")]
    assert any(t.endswith("/blog/erectile-dysfunction-treatment/") for t in off_topic)
    if report["site"].startswith("http://127.0.0.1:8642/"):  # the usual port was free: a re-run is the same site
        again = subprocess.run([sys.executable, "-m", "crawler", "demo", "--out", str(tmp_path / "again")],
                               cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert again.returncode == 1, again.stderr
        since = json.loads((tmp_path / "again" / "report.json").read_text())["since_last"]
        assert since["base"] == report["run"] and since["new"] == 0 and since["fixed"] == 0
        assert since["open"] == len(report["findings"])
        assert f"since the last crawl ({report['run']}): 0 new, 0 fixed" in again.stdout


def test_sitegen_pages_are_linked_and_resolvable(tmp_path):
    gen = generate(tmp_path, pages=30, external_origin="http://127.0.0.2:9", external_urls=20)
    pages = _pages(gen.site)
    assert len(pages) == gen.pages == 30
    linked = set()
    for soup in pages.values():
        refs = _internal_refs(soup)
        assert all(_resolves(gen.site, ref) for ref in refs)
        linked |= refs
        externals = [a["href"] for a in soup.find_all("a") if a["href"].startswith("http://127.0.0.2:9/ref/")]
        assert 2 <= len(externals) <= 3
        assert all(_resolves(gen.external, urlsplit(h).path) for h in externals)
    assert set(pages) <= linked  # every page is reachable from some page
