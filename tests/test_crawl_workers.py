"""Page extraction in worker processes: the same pages as in-process, and a dead worker is an error, not a hang.

The crawls run in child processes (Twisted's reactor cannot restart), each
against its own clinic and external servers so that the clinic's
answer-503-once route is fresh for both.
"""
from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from support.sites import CLINIC, EXTERNAL, EXTERNAL_HOST, new_clinic_server

from audits.extract import ExtractOptions, extract_page
from audits.store import read_pages
from crawler.extraction import START_AT_PAGES, ExtractionError, Extractor, worker_count
from crawler.siteserver import SiteServer

REPO = Path(__file__).resolve().parent.parent

CRAWL = textwrap.dedent("""
    import json, sys
    from pathlib import Path
    from audits.config import from_dict
    from crawler import extraction
    from crawler.run import crawl
    extraction.START_AT_PAGES = 0  # the clinic is too small to start workers otherwise
    # On a slow machine the whole crawl can end before a spawned worker has
    # imported; wait for them, so the pages really go through the workers.
    expect = extraction.Extractor.expect
    def expect_and_wait(self, pages):
        expect(self, pages)
        for future in self._starting:
            future.result(timeout=120)
    extraction.Extractor.expect = expect_and_wait
    summary = crawl(from_dict(json.loads(sys.argv[1])), Path(sys.argv[2]), progress=False)
    print(json.dumps({"pages": summary.pages, "finish_reason": summary.finish_reason,
                      "in_workers": summary.pages_in_workers}))
""")


def crawl_pages(workers: int, out: Path) -> set[str]:
    """The clinic crawled with ``[crawl] workers``: its pages.jsonl records, each as canonical JSON."""
    with SiteServer(EXTERNAL, host=EXTERNAL_HOST) as external, new_clinic_server(external) as site:
        config = {"site": {"start_urls": [site.url("/")]}, "crawl": {"timeout_s": 2, "workers": workers}}
        proc = subprocess.run([sys.executable, "-c", CRAWL, json.dumps(config), str(out)],
                              cwd=REPO, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    summary = json.loads(proc.stdout.strip().splitlines()[-1])
    assert summary["finish_reason"] == "finished"
    assert summary["in_workers"] > 0
    # Each crawl has its own servers, so its own ports: compare the records with the origins named.
    # Not the depth: which of two links to a page is followed first depends on which answer comes
    # back first, and no rule reads it (test_audit_reuse).
    pages = [json.dumps({k: v for k, v in page.to_dict().items() if k != "depth"}, sort_keys=True)
             .replace(site.origin, "{site}")
             .replace(external.origin, "{external}") for page in read_pages(out)]
    assert len(pages) == summary["pages"]
    return set(pages)


@pytest.mark.skipif(worker_count(0) == 0, reason="one CPU: pages are extracted in-process, there is no pool")
def test_two_workers_record_the_same_pages_as_one(tmp_path):
    with ThreadPoolExecutor(2) as both:  # the crawls mostly wait (a 2 s timeout): run them side by side
        one, two = both.map(crawl_pages, (1, 2), (tmp_path / "one", tmp_path / "two"))
    assert len(one) > 10
    assert two == one


def test_a_small_crawl_starts_no_worker():
    extractor = Extractor(ExtractOptions(), 1)
    try:
        extractor.expect(START_AT_PAGES - 1)
        assert multiprocessing.active_children() == []
        extractor.expect(START_AT_PAGES)
        assert len(multiprocessing.active_children()) == 1
    finally:
        extractor.close()
    assert multiprocessing.active_children() == []


def test_worker_count_follows_the_cpus():
    assert worker_count(0, cpus=1) == 0  # nothing to run alongside the reactor: in-process
    assert worker_count(3, cpus=1) == 0
    assert worker_count(0, cpus=2) == 1
    assert worker_count(0, cpus=8) == 7
    assert worker_count(3, cpus=2) == 3


def _clinic_pages() -> list[tuple[str, bytes]]:
    return [(f"http://clinic.test/{path.relative_to(CLINIC).as_posix()}", path.read_bytes())
            for path in sorted(CLINIC.rglob("*.html"))[:8]]


def test_a_worker_extracts_what_extract_page_does():
    options = ExtractOptions(phone_region="US")
    pages = _clinic_pages()
    assert pages

    async def extract_in_worker():
        extractor = Extractor(options, 1, start_at=0)
        try:
            await extractor.started()  # one page at a time then goes to the idle worker
            return [await extractor.extract(url, body, status=200, headers={"content-type": "text/html"})
                    for url, body in pages]
        finally:
            extractor.close()

    in_worker = asyncio.run(extract_in_worker())
    assert in_worker == [extract_page(url, body, status=200, headers={"content-type": "text/html"},
                                      options=options) for url, body in pages]


def test_a_dead_worker_is_an_error_not_a_hang():
    url, body = _clinic_pages()[0]

    async def kill_then_extract() -> str:
        extractor = Extractor(ExtractOptions(), 1, start_at=0)
        try:
            await extractor.started()
            workers = multiprocessing.active_children()
            assert len(workers) == 1
            os.kill(workers[0].pid, signal.SIGKILL)
            deadline = time.monotonic() + 30
            while True:  # a page may still be extracted here until the pool notices the death
                try:
                    await extractor.extract(url, body, status=200, headers={})
                except ExtractionError as exc:
                    return str(exc)
                assert time.monotonic() < deadline, "the dead worker went unnoticed"
                await asyncio.sleep(0.05)
        finally:
            extractor.close()

    assert "page extraction process died" in asyncio.run(kill_then_extract())
