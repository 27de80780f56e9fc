"""What a crawl may take from earlier runs, decided in one place; the spider only asks.

A monitor must look every time, so nothing here ever answers for the network:
  - every page is requested on every run; known validators make the request
    conditional, and only a 304 brings back the stored page model (no body, no
    extraction). Every rule still runs on it, so findings are those of a full crawl.
  - a 200 whose body hash is the stored one reuses the stored model too (no
    extraction); any other answer is extracted and reported as it is: a 5xx or a
    connection error is never replaced by an old copy.
  - redirects are never stored: each hop is requested again on every run.
  - an external link's success younger than ``[crawl] recheck_external_after``
    is reused; failures, timeouts, redirects and bot walls are checked again.
  - ``--full`` (``full=True``) takes nothing from earlier runs, and records afresh.

This is why Scrapy's HTTP cache is not used: its RFC2616Policy serves "fresh"
pages without asking the server, answers a 5xx with the cached copy and keeps
permanent redirects, each of which would hide a change a monitor must report.

Resume: every Page and Fetch the crawl records is also committed to the
checkpoint (crawler/crawlstate.py) as it is recorded; ``--resume`` replays them
and crawls only what they do not cover.
"""
from __future__ import annotations

import hashlib
import time
from importlib import resources
from collections import Counter
from pathlib import Path
from typing import Iterable, Mapping, Optional

import audits
from audits.extract import ExtractOptions
from audits.model import Fetch, Page
from crawler.crawlstate import Checkpoint, CrawlState, Validators

# The modules whose code decides what a page model holds: a stored model is
# reused only by the same extraction code and options that made it.
_EXTRACTION_SOURCES = ("extract.py", "mainbody.py", "readability.py", "model.py", "kinds.py", "phonetext.py")


def extraction_fingerprint(options: ExtractOptions) -> str:
    digest = hashlib.sha256(f"{audits.__version__}\0{options!r}".encode())
    here = resources.files(audits)  # a folder, or a zipped egg's (as Scrapyd runs siteproof)
    for name in _EXTRACTION_SOURCES:
        source = here / name
        if source.is_file():
            digest.update(source.read_bytes())
    return digest.hexdigest()


def body_hash(body: bytes, content_type: Optional[str]) -> str:
    # The content type's charset decides how the body decodes, so it is part of the content.
    return hashlib.sha256((content_type or "").encode("latin-1", "replace") + b"\0" + body).hexdigest()


def _reusable_external(fetch: Fetch, needs_body: bool) -> bool:
    return (fetch.error is None and fetch.status is not None and 200 <= fetch.status < 300
            and not fetch.redirect_chain and not fetch.challenge
            and (not needs_body or fetch.anchors is not None))


class Recrawl:
    """The spider's view of earlier runs. With no state (``check``, ``--no-history``) it knows nothing.

    ``counts``: unchanged (304), reused (same body, model reused), fetched (extracted),
    resumed (pages from the interrupted run), external_reused.
    """

    def __init__(self, state: Optional[CrawlState] = None, *, options: Optional[ExtractOptions] = None,
                 full: bool = False, recheck_external_s: float = 0.0, checkpoint: Optional[Checkpoint] = None,
                 resumed: Iterable[Page | Fetch] = ()):
        self.state = state
        self.full = full
        self.recheck_external_s = recheck_external_s
        self.checkpoint = checkpoint
        self.extraction = extraction_fingerprint(options or ExtractOptions()) if state is not None else ""
        self.counts: Counter = Counter()
        self.resumed = self._complete_records(resumed)
        self.counts["resumed"] = sum(isinstance(r, Page) for r in self.resumed)
        self._asked: dict[str, Validators] = {}  # URL -> validators sent with its request in flight
        self._reused: dict[str, str] = {}  # URL -> key of the stored model its Page item carries
        self._found: dict[str, Validators] = {}  # URL -> validators of a fresh answer, until its Page is recorded
        self._external_reused: set[str] = set()
        self._external_stale: set[str] = set()  # external URLs already found to need a new check

    @staticmethod
    def _complete_records(records: Iterable[Page | Fetch]) -> list[Page | Fetch]:
        """A page is recorded before its fetch: a page whose fetch was not recorded is fetched again."""
        records = list(records)
        fetched = {r.url for r in records if isinstance(r, Fetch)}
        return [r for r in records if isinstance(r, Fetch) or r.url in fetched]

    # ---------------------------------------------------------------- pages

    def conditional_headers(self, url: str) -> Optional[dict[str, str]]:
        """If-None-Match / If-Modified-Since for a page request, when a reusable model backs them."""
        if self.state is None or self.full:
            return None
        known = self.state.validators_for(url, self.extraction)
        if known is None or not (known.etag or known.last_modified):
            return None
        self._asked[url] = known
        headers = {}
        if known.etag:
            headers["If-None-Match"] = known.etag
        if known.last_modified:
            headers["If-Modified-Since"] = known.last_modified
        return headers

    def unchanged(self, url: str) -> Optional[tuple[Page, int, Optional[str]]]:
        """After a 304: the stored page, its status and content type (None when we asked for nothing)."""
        known = self._asked.pop(url, None)
        if known is None:
            return None
        page = self.state.load_page(known.page_key)
        if page is None:
            return None
        self._reused[url] = known.page_key
        self.counts["unchanged"] += 1
        return page, known.status, known.content_type

    def same_body(self, url: str, headers: Mapping[str, str], body: bytes, status: int) -> Optional[Page]:
        """A fresh answer: note its validators; return the stored model when the body is the one it came from."""
        self._asked.pop(url, None)
        if self.state is None:
            self.counts["fetched"] += 1
            return None
        content_type = headers.get("content-type")
        found = Validators(headers.get("etag"), headers.get("last-modified"), body_hash(body, content_type),
                           "", status, content_type)
        self._found[url] = found
        if not self.full:
            known = self.state.validators_for(url, self.extraction)
            if known is not None and known.body_hash == found.body_hash:
                page = self.state.load_page(known.page_key)
                if page is not None:
                    self._reused[url] = known.page_key
                    self.counts["reused"] += 1
                    return page
        self.counts["fetched"] += 1
        return None

    # ---------------------------------------------------------------- external links

    def external(self, url: str, needs_body: bool) -> Optional[Fetch]:
        """A stored success for ``url`` recent enough to stand for a new check, or None."""
        if self.state is None or self.full or self.recheck_external_s <= 0:
            return None
        if url in self._external_stale:
            return None
        stored = self.state.external(url)
        fetch, checked_at = stored if stored is not None else (None, 0.0)
        if (fetch is None or time.time() - checked_at >= self.recheck_external_s
                or not _reusable_external(fetch, needs_body)):
            if not needs_body:  # a link with a #fragment asks more; it may still find an answer
                self._external_stale.add(url)
            return None
        self._external_reused.add(url)
        self.counts["external_reused"] += 1
        return fetch

    # ---------------------------------------------------------------- the record

    def recorded(self, item: Page | Fetch) -> None:
        """Every Page and Fetch the crawl records passes here (the record pipeline), after the JSONL."""
        if self.state is None:
            return
        if isinstance(item, Page):
            key = self._reused.pop(item.url, None)
            found = self._found.pop(item.url, None)
            self.state.record_page(self.checkpoint, item, found, self.extraction, key=key)
            return
        if item.external and item.url not in self._external_reused and item.error != "robots-disallowed":
            self.state.save_external(item)
        if self.checkpoint is not None:
            self.state.record_fetch(self.checkpoint, item)

    def sitemap(self, found: bool, urls: list[str]) -> None:
        if self.checkpoint is not None:
            self.state.save_sitemap(self.checkpoint, found, urls)
