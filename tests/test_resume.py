"""--resume: a crawl killed with SIGKILL continues where it stopped and ends as an uninterrupted one.

The site is slow enough (latency on every answer, two requests at a time) for
the kill to land mid-crawl; the server's request log shows what was fetched
twice. A page can be fetched twice only if it was in flight when the crawl died:
requested (at most ``concurrency`` at a time) or answered and not yet recorded
(the record gate holds new requests back at ``concurrency_per_host`` of those,
and the requests already past it can add ``concurrency`` more).
"""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from support.e2e import REPO, read_report, siteproof

from crawler.crawlstate import CrawlState
from crawler.siteserver import SiteServer

PAGES = 60
CONCURRENCY = 3
IN_FLIGHT = 3 * CONCURRENCY


def write_tree_site(root: Path) -> None:
    """Page i links to pages 2i+1 and 2i+2 (a binary tree, so the crawl goes level by level), and home."""
    for i in range(PAGES):
        links = "".join(f'<li><a href="/p{j}/">Page {j}</a></li>' for j in (2 * i + 1, 2 * i + 2) if j < PAGES)
        broken = f'<p>See <a href="/missing-{i}/">the old page</a>.</p>' if i % 7 == 3 else ""
        path = root / "index.html" if i == 0 else root / f"p{i}" / "index.html"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"<!DOCTYPE html><html lang=\"en\"><head><title>Page {i} of the clinic</title>"
                        f"<meta name=\"description\" content=\"Page {i}: what the clinic offers.\"></head>"
                        f"<body><main><h1>Page {i}</h1><p>Text of page {i}.</p>{broken}"
                        f"<ul>{links}<li><a href=\"/\">Home</a></li></ul></main></body></html>\n", encoding="utf-8")


def keys(report: dict) -> Counter:
    return Counter((f["rule"], f["url"], f.get("target")) for f in report["findings"])


def page_gets(site: SiteServer) -> Counter:
    return Counter(p for m, p in site.requests if m == "GET" and (p == "/" or p.startswith("/p")))


def lines(path: Path) -> int:
    try:
        return path.read_bytes().count(b"\n")
    except FileNotFoundError:
        return 0


@pytest.fixture(scope="module")
def slow_site(tmp_path_factory):
    root = tmp_path_factory.mktemp("tree")
    write_tree_site(root)
    with SiteServer(root, latency_s=0.04) as site:
        yield site


def _scratch(tmp_path: Path) -> Path:
    tmp_path.mkdir(exist_ok=True)
    (tmp_path / "siteproof.toml").write_text(
        f"[crawl]\ntimeout_s = 5\nconcurrency = {CONCURRENCY}\nconcurrency_per_host = {CONCURRENCY}\n"
        "check_external = false\n")
    return tmp_path


def _start(site: SiteServer, scratch: Path, out: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "crawler", "crawl", site.url("/"), "--out", str(out), "-q"],
                            cwd=scratch, env={**os.environ, "PYTHONPATH": str(REPO)},
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _wait_for_pages(proc: subprocess.Popen, out: Path, pages: int, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while lines(out / "pages.jsonl") < pages:
        assert proc.poll() is None, f"the crawl ended before {pages} pages: {proc.stderr.read()}"
        assert time.monotonic() < deadline, "the crawl did not get going"
        time.sleep(0.01)


@pytest.fixture(scope="module")
def reference(slow_site, tmp_path_factory) -> dict:
    """The report of an uninterrupted crawl (its own history store, so nothing is reused)."""
    scratch = _scratch(tmp_path_factory.mktemp("whole"))
    proc = siteproof("crawl", slow_site.url("/"), "--out", scratch / "report", cwd=scratch)
    assert proc.returncode == 1, proc.stderr
    report = read_report(scratch / "report")
    assert sum(keys(report).values()) >= PAGES // 7  # the planted broken links at least
    return report


def assert_same_as_uninterrupted(report: dict, reference: dict) -> None:
    assert keys(report) == keys(reference)
    assert sorted(p["url"] for p in report["pages"]) == sorted(p["url"] for p in reference["pages"])


def test_killed_crawl_resumes_without_fetching_pages_again(slow_site, reference, tmp_path):
    scratch = _scratch(tmp_path / "a")
    out = scratch / "report"
    slow_site.clear_requests()
    proc = _start(slow_site, scratch, out)
    _wait_for_pages(proc, out, PAGES // 3)
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    proc.stderr.close()
    before = page_gets(slow_site)
    assert 0 < len(before) < PAGES  # killed mid-crawl

    resumed = siteproof("crawl", slow_site.url("/"), "--out", out, "--resume", cwd=scratch)
    assert resumed.returncode == 1, resumed.stderr  # the planted broken links are errors
    gets = page_gets(slow_site)
    twice = sorted(p for p, n in gets.items() if n > 1)
    assert len(gets) == PAGES
    assert len(twice) <= IN_FLIGHT, f"fetched again after the kill: {twice}"
    counts = re.search(r"(\d+) pages: (\d+) unchanged \(304\), (\d+) re-used, (\d+) fetched, (\d+) resumed",
                       resumed.stderr)
    assert counts, resumed.stderr
    pages, unchanged, reused, fetched, carried = map(int, counts.groups())
    assert pages == PAGES and carried > 0
    # what was not carried over was asked for again (a page recorded without its fetch comes back as a 304)
    assert unchanged + reused + fetched == PAGES - carried

    assert_same_as_uninterrupted(read_report(out), reference)


def test_ctrl_c_stops_within_seconds_and_resume_completes(slow_site, reference, tmp_path):
    scratch = _scratch(tmp_path)
    out = scratch / "report"
    slow_site.clear_requests()
    proc = _start(slow_site, scratch, out)
    _wait_for_pages(proc, out, PAGES // 3)
    asked = time.monotonic()
    proc.send_signal(signal.SIGINT)
    proc.wait(15)
    proc.stderr.close()
    assert time.monotonic() - asked < 10  # "within a few seconds"; generous for a loaded CI machine
    partial = read_report(out)  # an interrupted crawl still reports what it saw
    assert PAGES // 3 <= len(partial["pages"]) < PAGES

    resumed = siteproof("crawl", slow_site.url("/"), "--out", out, "--resume", cwd=scratch)
    assert resumed.returncode == 1, resumed.stderr
    assert_same_as_uninterrupted(read_report(out), reference)
    assert len([p for p, n in page_gets(slow_site).items() if n > 1]) <= IN_FLIGHT


def _runs(scratch: Path) -> list[dict]:
    proc = siteproof("history", "--format", "json", cwd=scratch)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)["runs"]


def test_resume_with_nothing_to_resume_says_so_and_crawls_afresh(slow_site, reference, tmp_path):
    scratch = _scratch(tmp_path)
    out = scratch / "report"
    proc = siteproof("crawl", slow_site.url("/"), "--out", out, "--resume", cwd=scratch)
    assert proc.returncode == 1, proc.stderr  # a whole crawl: the planted broken links are errors
    assert proc.stderr.splitlines()[0] == (f"siteproof: note: nothing to resume in {out} (no interrupted crawl "
                                           "was recorded there); starting a fresh crawl")
    assert_same_as_uninterrupted(read_report(out), reference)
    assert [r["status"] for r in _runs(scratch)] == ["complete"]  # no run left "running"


def test_resume_of_a_crawl_with_another_configuration_is_refused_before_recording(slow_site, tmp_path):
    scratch = _scratch(tmp_path)
    out = scratch / "report"
    state = CrawlState.open(scratch / ".siteproof" / "history.sqlite")
    state.start_checkpoint(str(out.resolve()), "a configuration since edited")
    state.close()
    proc = siteproof("crawl", slow_site.url("/"), "--out", out, "--resume", cwd=scratch)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        f"siteproof: error: the interrupted crawl in {out} used another configuration; "
        "run without --resume to start over"]
    assert _runs(scratch) == []


# The CLI up to the end of the crawl, then killed as the audit starts (as an OOM
# kill or a recycled runner would): the crawl is complete, the run is not.
KILLED_IN_AUDIT = """
import os, signal, sys
from crawler import cli, job
job.audit_crawl = lambda *args, **kwargs: os.kill(os.getpid(), signal.SIGKILL)
cli.main(sys.argv[1:])
"""


def test_crawl_killed_during_its_audit_is_resumed_without_fetching_again(slow_site, reference, tmp_path):
    scratch = _scratch(tmp_path)
    out = scratch / "report"
    killed = subprocess.run([sys.executable, "-c", KILLED_IN_AUDIT, "crawl", slow_site.url("/"), "--out", str(out),
                             "-q"], cwd=scratch, env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True,
                            text=True, timeout=120)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert lines(out / "pages.jsonl") == PAGES and not (out / "report.json").exists()
    assert [r["status"] for r in _runs(scratch)] == ["running"]

    slow_site.clear_requests()
    resumed = siteproof("crawl", slow_site.url("/"), "--out", out, "--resume", cwd=scratch)
    assert resumed.returncode == 1, resumed.stderr
    assert "0 fetched, 60 resumed" in resumed.stderr
    assert page_gets(slow_site) == Counter()  # every page came from the checkpoint
    assert_same_as_uninterrupted(read_report(out), reference)
    assert [r["status"] for r in _runs(scratch)] == ["complete"]  # the killed run, completed


def test_link_checks_are_checkpointed_with_the_next_page_and_when_the_crawl_closes(tmp_path, history_location):
    """A link check's records wait (most of a real site's requests are asset checks: one commit each
    cost more than the check), but no longer than the next page, nor past the end of the crawl; a
    page is committed with its fetch at once. Another connection sees only what is committed."""
    from audits.model import Fetch, Page
    from audits.store import fetch_json, page_json

    path = history_location  # SQLite, then PostgreSQL: the waiting records go in one statement on both
    state = CrawlState.open(path)
    checkpoint = state.start_checkpoint(str(tmp_path / "out"), "config")
    reader = CrawlState.open(path)

    def committed() -> list[str]:
        return [r.url for r in reader.records(checkpoint)]

    def check(url: str, external: bool = False) -> None:
        fetch = Fetch(url=url, status=200, method="HEAD", external=external)
        state.record_fetch(checkpoint, fetch, fetch_json(fetch), external=external)

    try:
        check("http://site.test/logo.png")
        check("https://other.test/cited/", external=True)
        assert committed() == []  # waiting
        page = Page(url="http://site.test/a/", status=200, title="A")
        key, text = page_json(page.to_dict())
        state.record_page(checkpoint, page, key, text)
        state.record_fetch(checkpoint, Fetch(url=page.url, status=200), fetch_json(Fetch(url=page.url, status=200)))
        # in the order they were made, the external link's last check with its record
        assert committed() == ["http://site.test/logo.png", "https://other.test/cited/", page.url, page.url]
        assert reader.external("https://other.test/cited/")[0].status == 200
        check("http://site.test/photo.jpg")
        assert len(committed()) == 4
        state.close()
        assert committed()[-1] == "http://site.test/photo.jpg"
    finally:
        reader.close()
