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

The audit: when every input the rules read is as in a recent crawl (each page
model, each link outcome, the sitemap, the configuration and the rules' own
code), that crawl's findings are the rules' answer, by construction, and the
rules are not run again (``audit_key``). One changed byte anywhere and they all
run; ``--full`` always runs them.

Resume: every Page and Fetch the crawl records is also committed to the
checkpoint (crawler/crawlstate.py) as it is recorded; ``--resume`` replays them
and crawls only what they do not cover.
"""
from __future__ import annotations

import functools
import hashlib
import json
import time
from collections import Counter
from dataclasses import dataclass
from importlib import resources
from typing import Iterable, Iterator, Mapping, Optional

import audits
from audits.extract import ExtractOptions
from audits.history.record import config_fingerprint
from audits.model import Fetch, Page
from audits.site import Site
from audits.store import Kept, page_json
from crawler.crawlstate import Checkpoint, CrawlState, Validators

# The modules whose code decides what a page model holds: a stored model is
# reused only by the same extraction code and options that made it.
_EXTRACTION_SOURCES = ("extract.py", "mainbody.py", "readability.py", "model.py", "kinds.py", "phonetext.py")


def _sources(folder, names: Optional[Iterable[str]] = None) -> Iterator[bytes]:
    """The Python sources under ``folder`` (a folder, or a zipped egg's, as Scrapyd runs siteproof), in a
    fixed order: ``names`` only when given, else every module in every subpackage."""
    if names is not None:
        for name in names:
            if (folder / name).is_file():
                yield (folder / name).read_bytes()
        return
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.is_dir() and entry.name != "__pycache__":
            yield entry.name.encode()
            yield from _sources(entry)
        elif entry.name.endswith(".py"):
            yield entry.name.encode() + b"\0" + entry.read_bytes()


def extraction_fingerprint(options: ExtractOptions) -> str:
    digest = hashlib.sha256(f"{audits.__version__}\0{options!r}".encode())
    for source in _sources(resources.files(audits), _EXTRACTION_SOURCES):
        digest.update(source)
    return digest.hexdigest()


@functools.lru_cache(maxsize=1)
def rules_fingerprint() -> str:
    """Every module of the audits package: rules, engine, model, extraction alike."""
    digest = hashlib.sha256(audits.__version__.encode())
    for source in _sources(resources.files(audits)):
        digest.update(source)
    return digest.hexdigest()


def outcome_digest(fetch: Fetch) -> str:
    """A link outcome as the rules read it: without its timing, which no two runs share, nor whether
    HEAD or GET answered, which follows the order the links were met in. No rule reads either."""
    data = fetch.to_dict()
    del data["elapsed_ms"], data["method"]
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class AuditInputs:
    """What a crawl recorded, as the rules read it: page URL -> model key, fetched URL -> outcome_digest."""

    pages: Mapping[str, str]
    outcomes: Mapping[str, str]

    def key(self, site: Site) -> Optional[str]:
        return audit_key(site, self.pages, self.outcomes)


def audit_key(site: Site, pages: Mapping[str, str], outcomes: Mapping[str, str]) -> Optional[str]:
    """A digest of everything the rules read of ``site``, given each page's model key and each
    fetch's ``outcome_digest``; None when those do not cover the site exactly.

    Pages are keyed without their depth (no rule reads it; crawl order moves it)."""
    if pages.keys() != site.pages.keys() or outcomes.keys() != site.fetches.keys():
        return None
    digest = hashlib.sha256()
    for part in (rules_fingerprint(), config_fingerprint(site.config),
                 json.dumps([site.sitemap_found, sorted(site.sitemap_urls), site.partial, site.crawled])):
        digest.update(part.encode() + b"\n")
    for records in (pages, outcomes):
        for url in sorted(records):
            digest.update(f"{url}\0{records[url]}\n".encode())
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
                 resumed: Iterable[Page | Fetch] = (), origins: Iterable[str] = ()):
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
        self._texts: dict[str, tuple[str, str]] = {}  # URL -> (key, JSON) of its reused model, until the page is written
        self._external_stale: set[str] = set()  # external URLs already found to need a new check
        self._last_checks: dict[str, Optional[tuple[Fetch, float]]] = {}  # see _last_check
        # What this crawl recorded, as the rules read it (audit_key): page URL -> model key, URL -> outcome
        self.page_keys: dict[str, str] = {}
        self.outcomes: dict[str, str] = {}
        self.kept: Optional[Kept] = None  # the record as written (the record pipeline sets it)
        # The site's validators, read at once (``origins``: the start URLs'); other URLs are asked one by one.
        self._known: dict[str, Validators] = {}
        self._read_under: tuple[str, ...] = ()  # the prefixes whose every URL's validators are in _known
        if state is not None and not full:
            self._read_under = tuple(origin + "/" for origin in dict.fromkeys(origins))
            for prefix in self._read_under:
                self._known.update(state.validators_under(prefix, self.extraction))

    def _validators(self, url: str) -> Optional[Validators]:
        known = self._known.get(url)
        if known is not None or url.startswith(self._read_under):
            return known  # a first crawl asks the store nothing a page
        return self.state.validators_for(url, self.extraction)

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
        known = self._validators(url)
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
        page = self._stored(url, known.page_key)
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
            known = self._validators(url)
            if known is not None and known.body_hash == found.body_hash:
                page = self._stored(url, known.page_key)
                if page is not None:
                    self._reused[url] = known.page_key
                    self.counts["reused"] += 1
                    return page
        self.counts["fetched"] += 1
        return None

    def _stored(self, url: str, key: str) -> Optional[Page]:
        text = self.state.page_text(key)
        if text is None:
            return None
        data = json.loads(text)
        if "depth" in data:  # stored by an older siteproof, which kept the depth (0) in the model
            text = page_json(data)[1]
        self._texts[url] = (key, text)
        return Page.from_dict(data)

    def page_json(self, page: Page) -> tuple[str, str]:
        """(key, JSON) of ``page`` as the record and the store keep it (``page_json``); a page taken
        from the store keeps the JSON it came from, so nothing is encoded again."""
        stored = self._texts.pop(page.url, None)
        return stored if stored is not None else page_json(page.to_dict())

    # ---------------------------------------------------------------- external links

    def external(self, url: str, needs_body: bool) -> Optional[Fetch]:
        """A stored success for ``url`` recent enough to stand for a new check, or None."""
        if self.state is None or self.full or self.recheck_external_s <= 0:
            return None
        if url in self._external_stale:
            return None
        stored = self._last_check(url)
        fetch, checked_at = stored if stored is not None else (None, 0.0)
        if (fetch is None or time.time() - checked_at >= self.recheck_external_s
                or not _reusable_external(fetch, needs_body)):
            if not needs_body:  # a link with a #fragment asks more; it may still find an answer
                self._external_stale.add(url)
            return None
        self._external_reused.add(url)
        self.counts["external_reused"] += 1
        return fetch

    def timed_out_last_time(self, url: str) -> bool:
        """Whether the last check of external ``url`` timed out: a second timeout in a row is no
        transient, so it is not asked again (each retry of a hanging URL costs a whole timeout)."""
        if self.state is None or self.full:
            return False
        stored = self._last_check(url)
        return stored is not None and stored[0].error == "timeout"

    def _last_check(self, url: str) -> Optional[tuple[Fetch, float]]:
        """The earlier runs' last check of external ``url`` and when it was made, read once a crawl."""
        if url not in self._last_checks:
            self._last_checks[url] = self.state.external(url)
        return self._last_checks[url]

    # ---------------------------------------------------------------- the record

    def recorded(self, item: Page | Fetch, model) -> None:
        """Every Page and Fetch the crawl records passes here (the record pipeline), after the JSONL;
        ``model``: as written there, a page's ``page_json`` (key, JSON), a fetch's ``fetch_json``."""
        if self.state is None:
            return
        if isinstance(item, Page):
            key, text = model
            stored = self._reused.pop(item.url, None) == key
            found = self._found.pop(item.url, None)
            self.state.record_page(self.checkpoint, item, key, None if stored else text, found, self.extraction)
            self.page_keys[item.url] = key
            return
        self.outcomes[item.url] = outcome_digest(item)
        external = item.external and item.url not in self._external_reused and item.error != "robots-disallowed"
        if external or self.checkpoint is not None:
            self.state.record_fetch(self.checkpoint, item, model, external=external)

    def audit_inputs(self) -> Optional[AuditInputs]:
        """What the rules' findings may be kept and found under; None when they must run
        (no history, ``--full``, or a resumed crawl, whose carried-over records this does not see)."""
        if self.state is None or self.full or self.resumed:
            return None
        return AuditInputs(self.page_keys, self.outcomes)

    def sitemap(self, found: bool, urls: list[str]) -> None:
        if self.checkpoint is not None:
            self.state.save_sitemap(self.checkpoint, found, urls)
