"""External links are checked while the site is crawled, in slots the site's own pages never need."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.siteserver import SiteServer

REPO = Path(__file__).resolve().parent.parent
PAGES = 12


def write_sites(site: Path, ext: Path, external_origin: str) -> None:
    # A chain: each page is found only on the one before, so the crawl takes PAGES round trips.
    for i in range(PAGES):
        folder = site if i == 0 else site / f"p{i}"
        folder.mkdir(parents=True, exist_ok=True)
        nxt = f'<a href="/p{i + 1}/">Next</a>' if i + 1 < PAGES else ""
        refs = "".join(f'<a href="{external_origin}/ref/{i}-{k}/">Source {i}.{k}</a>' for k in range(3))
        (folder / "index.html").write_text(
            f"<title>Page {i}</title><h1>Page {i}</h1><p>{refs}</p>{nxt}", encoding="utf-8")
        for k in range(3):
            (ext / "ref" / f"{i}-{k}").mkdir(parents=True)
            (ext / "ref" / f"{i}-{k}" / "index.html").write_text("<title>Ref</title>", encoding="utf-8")


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    root = tmp_path_factory.mktemp("externals-during")
    (root / "site").mkdir()
    (root / "external").mkdir()
    with SiteServer(root / "external", host="127.0.0.2", latency_s=0.05) as ext:
        write_sites(root / "site", root / "external", ext.origin)
        with SiteServer(root / "site", latency_s=0.05) as site:
            work = root / "work"
            work.mkdir()
            # concurrency 3, per host 2: one slot is left for external checks.
            (work / "siteproof.toml").write_text(
                "[crawl]\nconcurrency = 3\nconcurrency_per_host = 2\ncheck_external = true\n", encoding="utf-8")
            proc = subprocess.run(
                [sys.executable, "-m", "crawler", "crawl", site.url("/"), "--no-history", "-q",
                 "--out", str(work / "out")], cwd=work, env={**os.environ, "PYTHONPATH": str(REPO)},
                capture_output=True, text=True, timeout=300)
            return proc, site, ext, work / "out"


def test_external_links_are_checked_while_the_site_is_crawled(crawled):
    proc, site, ext, out = crawled
    assert proc.returncode == 0, proc.stderr
    pages = [t for (method, path), t in zip(site.requests, site.request_times) if path.startswith("/p")]
    assert site.requested(f"/p{PAGES - 1}/") == 1  # the whole chain was crawled
    assert ext.request_times, "no external link was checked"
    assert min(ext.request_times) < max(pages)  # not after the site, but during it
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert not [f for f in report["findings"] if f["rule"] == "broken-link"]


def test_each_external_url_is_checked_once_within_its_slots(crawled):
    _, _, ext, _ = crawled
    assert sorted(p for _, p in ext.requests) == sorted(
        f"/ref/{i}-{k}/" for i in range(PAGES) for k in range(3))
    assert ext.peak_in_flight == 1  # concurrency 3 minus the site's 2
