"""Incremental re-crawls against a real server that answers conditional requests as nginx does.

One small site is crawled four times in one history store (the CLI's default,
``.siteproof/history.sqlite`` under the scratch folder): first, again unchanged,
after one page changed and another started answering 500, and with ``--full``.
Each test reads what the servers saw and what the reports say.
"""
from __future__ import annotations

import dataclasses
import json
import os
from collections import Counter
from pathlib import Path

import pytest
from support.e2e import read_report, siteproof
from support.sites import EXTERNAL_HOST

from crawler.siteserver import Route, SiteServer

PAGES = ("/", "/a/", "/b/", "/c/")


def _page(title: str, body: str) -> str:
    return (f"<!DOCTYPE html><html lang=\"en\"><head><title>{title}</title>"
            f"<meta name=\"description\" content=\"{title}: what the clinic offers and how to book.\"></head>"
            f"<body><main><h1>{title}</h1>{body}</main></body></html>\n")


def write_site(root: Path, external: str) -> None:
    pages = {
        "index.html": _page("Home", '<p><a href="/a/">A</a> <a href="/b/">B</a> <a href="/c/">C</a></p>'
                                    f'<p><a href="{external}/ok.html">A source</a> '
                                    f'<a href="{external}/gone.html">A gone source</a></p>'),
        "a/index.html": _page("Page A", '<p>About us. <a href="/">Home</a></p>'),
        "b/index.html": _page("Page B", '<p>Our services. <a href="/">Home</a></p>'),
        "c/index.html": _page("Page C", '<p>Contact us. <a href="/">Home</a></p>'),
    }
    for name, text in pages.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")


def keys(report: dict) -> Counter:
    return Counter((f["rule"], f["url"], f.get("target")) for f in report["findings"])


class Run:
    def __init__(self, proc, out: Path, site: SiteServer, external: SiteServer):
        self.proc = proc
        self.out = out
        self.report = read_report(out)
        self.site_answers = list(site.answers)
        self.external_requests = list(external.requests)

    def pages_answered(self, status: int) -> set[str]:
        return {p for m, p, s in self.site_answers if s == status and m == "GET" and p in PAGES}


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, Run]:
    root = tmp_path_factory.mktemp("recrawl")
    ext_root, site_root = root / "external", root / "site"
    ext_root.mkdir()
    site_root.mkdir()
    (ext_root / "ok.html").write_text(_page("A source", "<p>Evidence.</p>"), encoding="utf-8")
    try:
        external = SiteServer(ext_root, host=EXTERNAL_HOST).start()
    except OSError as exc:
        pytest.skip(f"cannot bind {EXTERNAL_HOST}: {exc}")
    done: dict[str, Run] = {}
    with external, SiteServer(site_root) as site:
        write_site(site_root, external.origin)
        (root / "siteproof.toml").write_text("[crawl]\ntimeout_s = 2\nconcurrency_per_host = 2\n")

        def crawl(name: str, *extra: str) -> Run:
            site.clear_requests()
            external.clear_requests()
            proc = siteproof("crawl", site.url("/"), "--out", root / name, *extra, cwd=root)
            assert proc.returncode in (0, 1), proc.stderr
            done[name] = Run(proc, root / name, site, external)
            return done[name]

        crawl("first")
        crawl("unchanged")
        (ext_root / "gone.html").write_text(_page("A source again", "<p>Evidence.</p>"), encoding="utf-8")
        crawl("source back")  # every page unchanged, one link outcome not
        b = site_root / "b" / "index.html"
        b.write_text(b.read_text().replace("Our services.", 'Our services. <a href="/missing/">Prices</a>'))
        os.utime(b, ns=(b.stat().st_atime_ns, b.stat().st_mtime_ns + 1_000_000_000))  # as an editor's save would
        site.routes.append(Route(path="/c/", status=500))
        crawl("changed")
        crawl("full", "--full")
    return done


def test_unchanged_recrawl_asks_conditionally_and_gets_304s(runs):
    first, again = runs["first"], runs["unchanged"]
    assert first.pages_answered(200) == set(PAGES)
    assert first.pages_answered(304) == set()
    assert again.pages_answered(304) == set(PAGES)  # 304 only answers If-None-Match / If-Modified-Since
    assert again.pages_answered(200) == set()
    assert keys(again.report) == keys(first.report)
    assert keys(first.report)  # the site has findings to compare (the gone external source at least)
    assert "4 pages: 4 unchanged (304), 0 re-used, 0 fetched" in again.proc.stderr
    # nothing the rules read changed: the first crawl's findings stand, exactly as the rules wrote them
    assert "its findings re-used" in again.proc.stderr and "findings re-used" not in first.proc.stderr
    assert again.report["crawl"]["findings_reused"] is True
    assert again.report["findings"] == first.report["findings"]
    # the pages written from the store are the pages extracted the first time
    assert _records(again.out / "pages.jsonl") == _records(first.out / "pages.jsonl")


def _records(path: Path) -> dict[str, dict]:
    return {record["url"]: record for record in map(json.loads, path.read_text(encoding="utf-8").splitlines())}


def test_one_changed_link_outcome_runs_every_rule_again(runs):
    again, back = runs["unchanged"], runs["source back"]
    assert back.pages_answered(304) == set(PAGES)
    assert "findings re-used" not in back.proc.stderr and back.report["crawl"]["findings_reused"] is False
    gone = [k for k in keys(again.report) if (k[2] or "").endswith("/gone.html")]
    assert gone and not [k for k in keys(back.report) if (k[2] or "").endswith("/gone.html")]


def test_changed_page_is_fetched_again_and_its_new_finding_appears(runs):
    before, changed = runs["unchanged"], runs["changed"]
    assert "/b/" in changed.pages_answered(200)
    assert {"/", "/a/"} <= changed.pages_answered(304)
    origin = changed.report["pages"][0]["url"].split("/", 3)[:3]
    b_url, missing = "/".join(origin) + "/b/", "/".join(origin) + "/missing/"
    new = keys(changed.report) - keys(before.report)
    assert ("broken-link", b_url, missing) in new


def test_page_answering_500_is_broken_although_a_copy_is_stored(runs):
    changed = runs["changed"]
    assert ("GET", "/c/", 500) in changed.site_answers
    broken = [f for f in changed.report["findings"] if f["rule"] == "broken-link" and f["target"].endswith("/c/")]
    assert broken, "the 500 must be reported, not replaced by the stored page"
    assert not any(p["url"].endswith("/c/") and p["status"] == 200 for p in changed.report["pages"])


def test_recent_external_success_is_reused_and_failure_checked_again(runs):
    first, again = runs["first"], runs["unchanged"]
    assert {p for _, p in first.external_requests} == {"/ok.html", "/gone.html"}
    assert {p for _, p in again.external_requests} == {"/gone.html"}
    assert "1 external links re-used" in again.proc.stderr
    ok = [f for f in again.report["findings"] if (f.get("target") or "").endswith("/ok.html")]
    assert ok == []


def test_full_takes_nothing_from_earlier_runs(runs):
    full = runs["full"]
    assert full.pages_answered(304) == set()
    assert {"/", "/a/", "/b/"} <= full.pages_answered(200)
    assert {p for _, p in full.external_requests} == {"/ok.html", "/gone.html"}
    assert keys(full.report) == keys(runs["changed"].report)


def test_a_model_stored_by_an_older_version_is_written_with_one_depth(tmp_path):
    """Older versions kept ``"depth": 0`` inside the stored model; a page taken from such a store
    must still get one depth, its own, in pages.jsonl."""
    from audits.model import Page
    from audits.store import RecordWriter
    from crawler.crawlstate import CrawlState, Validators
    from crawler.recrawl import Recrawl

    url = "https://clinic.test/a/"
    old_text = json.dumps(dict(Page(url=url, title="Page A").to_dict(), depth=0), sort_keys=True)
    state = CrawlState.open(tmp_path / "history.sqlite")
    try:
        recrawl = Recrawl(state, origins=["https://clinic.test"])
        state._store_page("old-key", old_text)
        state.save_validators(url, Validators('"e1"', None, "h", "old-key", 200, "text/html"), recrawl.extraction)
        state.conn.commit()
        recrawl = Recrawl(state, origins=["https://clinic.test"])  # reads the validators just stored
        assert recrawl.conditional_headers(url) == {"If-None-Match": '"e1"'}
        page, status, _ = recrawl.unchanged(url)
        assert page.title == "Page A" and status == 200
        with RecordWriter(tmp_path / "out") as writer:
            writer.write_page(dataclasses.replace(page, depth=2), recrawl.page_json(page)[1])
    finally:
        state.close()
    line = (tmp_path / "out" / "pages.jsonl").read_text(encoding="utf-8").strip()
    assert line.count('"depth"') == 1 and json.loads(line)["depth"] == 2
