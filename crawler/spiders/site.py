"""The one spider: request, extract_page, yield Page and Fetch, follow internal links.

What it finds leaves it only as items (Page, Fetch, SitemapUrls) and stats;
crawler/pipelines.py writes the record from them and crawler/run.py reads the stats.

Request modes (``meta["sp_mode"]``):
  page     GET an internal <a>/<area>/meta-refresh target; parse it when it is HTML
  check    HEAD an asset or an external URL (GET only when the server refuses HEAD)
  body     GET an external page once, to read its ids for a linked #fragment
  sitemap  GET a sitemap (robots.txt Sitemap: lines, /sitemap.xml, index children)
  robots   GET /robots.txt for its Sitemap: lines when robots.txt is not obeyed

External URLs are checked while the site is crawled, in the slots the site's
own host cannot use (``concurrency - concurrency_per_host``), so a slow
external host never holds up the site and the crawl ends with its slowest
request, not after a second phase. Sitemap URLs are recorded, not fetched:
orphan detection needs to know which of them no page links to, and a status
check of every listed URL would double the requests on large sites.
"""
from __future__ import annotations

import dataclasses
import itertools
import re
from pathlib import Path
from typing import AsyncIterator, Iterable, Iterator, Optional, Sequence
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import CloseSpider, DontCloseSpider
from scrapy.utils.defer import deferred_from_coro

from audits import kinds
from audits.config import Config, config_argument, load_config
from audits.extract import anchors_of, extract_options, is_html
from audits.model import Fetch, Page
from audits.sitemap import parse_sitemap
from crawler.extraction import ExtractionError, Extractor, worker_count
from crawler.items import SitemapUrls
from crawler.ledger import Ledger, PendingHop
from crawler.outcomes import error_name, looks_like_challenge, plain_headers
from crawler.recrawl import Recrawl
from crawler.scope import Scope
from crawler.settings import scrapy_settings
from crawler.signals import crawl_over

CRAWLED_TAGS = ("a", "area", "meta-refresh")  # navigable links; everything else is only checked
MAX_REDIRECTS = 10
_SITEMAP_LINE = re.compile(r"^\s*sitemap\s*:\s*(\S+)", re.IGNORECASE | re.MULTILINE)


class SiteSpider(scrapy.Spider):
    name = "site"

    def __init__(self, config: Config | str | None = None, out_dir: Optional[Path] = None,
                 url: Optional[str] = None, out: Optional[str] = None, check: Sequence[str] = (),
                 recrawl: Optional[Recrawl] = None, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(config, Config):
            # `scrapy crawl site -a url=... [-a config=FILE_OR_TOML] [-a out=DIR]`, as Scrapyd runs it;
            # crawler/job.py does the rest of the job around the crawl.
            config = config_argument(config) if config else load_config()
            if url:
                config = config.with_start_urls([url])
        if not config.site.start_urls and not check:
            raise ValueError("no start URL: scrapy crawl site -a url=https://example.test/")
        self.check = tuple(check)  # only check these URLs (siteproof check --external); crawl nothing
        self.config = config
        self.out_dir = Path(out_dir or out) if (out_dir or out) else None  # None: the job picks (crawler/job.py)
        self.scope = Scope(config)
        self.ledger = Ledger(MAX_REDIRECTS)
        self.options = extract_options(config)
        self.page_budget = config.crawl.max_pages
        # Pages linked only from pages at max_depth: checked, never requested as pages; the summary says how many.
        self.beyond_depth: set[str] = set()
        self.page_requests: set[str] = set()
        self.externals: dict[str, bool] = {}  # external URLs waiting to be checked -> a link has a #fragment
        # External links are checked while the site is crawled, but never so many at once that a
        # slow external host holds the slots the site's own pages need.
        self.external_slots = max(1, config.crawl.concurrency - config.crawl.concurrency_per_host)
        self.externals_in_flight = 0
        self.recrawl = recrawl or Recrawl()  # what earlier runs may stand for (crawler/recrawl.py)
        # A lone check parses no page: no worker processes for it.
        self.extractor = Extractor(self.options, 0 if self.check else worker_count(config.crawl.workers))

    @classmethod
    def update_settings(cls, settings):
        super().update_settings(settings)
        if not settings.getbool("SITEPROOF_CONFIGURED"):
            # Run by `scrapy crawl site`: apply siteproof.toml as crawl() would.
            settings.setdict(scrapy_settings(load_config()), priority="spider")

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider._on_idle, signal=signals.spider_idle)
        crawler.signals.connect(spider._on_robots, signal=signals.robots_parsed)
        crawler.signals.connect(spider._release, signal=crawl_over, weak=False)
        return spider

    # ------------------------------------------------------------ requests

    async def start(self):
        if self.check:
            for url in self.check:
                for request in self._checks(url):
                    yield request
            return
        for request in self._resume():
            yield request
        for url in self.config.site.start_urls:
            url = url.split("#", 1)[0]
            request = self._request(url, "page", depth=0)
            if isinstance(request, scrapy.Request):
                self.page_budget -= 1
            if request:  # a Fetch when the start URL cannot even be requested
                yield request
        parts = urlsplit(self.config.site.start_urls[0])
        origin = f"{parts.scheme}://{parts.netloc}"
        if not self.config.crawl.obey_robots:
            request = self._request(f"{origin}/robots.txt", "robots", depth=0)
            if request:
                yield request
        request = self._request(f"{origin}/sitemap.xml", "sitemap", depth=0)
        if request:
            yield request

    def _resume(self) -> Iterator:
        """Take the interrupted run's records as done; request what their pages link to and nothing they cover."""
        pages = []
        for record in self.recrawl.resumed:
            if isinstance(record, Page):
                pages.append(record)
                self.page_budget -= 1
            else:
                self.ledger.claim(record.url, record.method)
                self.ledger.resolve(record)
        for page in sorted(pages, key=lambda p: p.depth):  # breadth first, as the crawl went
            yield from self._follow(page, page.depth)

    def _checks(self, url: str):
        """A lone check: HEAD, or GET for the ids when the URL carries a #fragment."""
        bare, _, fragment = url.partition("#")
        if self.scope.fetchable(bare) and not self.scope.ignored(url):
            request = self._request(bare, "body" if fragment else "check", depth=0)
            if request is not None:
                yield request

    def _request(self, url: str, mode: str, depth: int, hops: int = 0) -> scrapy.Request | Fetch | None:
        """A request for ``url``; None when it was already made; a Fetch naming a URL that cannot be requested."""
        method = "HEAD" if mode == "check" else "GET"
        if not self.ledger.claim(url, method):
            return None
        if mode == "page":  # a redirect's hop too: a page reached through it was not left past max_depth
            self.page_requests.add(url)
        external = not self.scope.internal(url)
        if self.scope.never_resolves(url):  # reached by a redirect or given as a start URL
            return self.ledger.resolve(Fetch(url=url, error="dns-error", method=method, external=external))[0]
        meta = {"sp_url": url, "sp_mode": mode, "sp_depth": depth, "sp_hops": hops, "sp_external": external,
                "dont_redirect": True, "handle_httpstatus_all": True}
        if external:
            # One check per linked URL is what a visitor's click does; robots.txt
            # governs crawling, which we never do off-site, and fetching it from
            # every linked host would double the requests.
            meta["dont_obey_robotstxt"] = True
            if self.recrawl.timed_out_last_time(url):
                meta["sp_timed_out_before"] = True  # crawler/middlewares.py: no retry of another timeout
        headers = self.recrawl.conditional_headers(url) if mode == "page" else None
        try:
            return scrapy.Request(url, method=method, headers=headers, callback=self.on_response,
                                  errback=self.on_error, meta=meta, dont_filter=True, priority=-depth)
        except ValueError:
            return self.ledger.resolve(Fetch(url=url, error="invalid-url", method=method, external=external))[0]

    # ------------------------------------------------------------ callbacks

    async def on_response(self, response) -> AsyncIterator:
        meta = response.meta
        url, mode = meta["sp_url"], meta["sp_mode"]
        self._slot_freed(meta)
        method = response.request.method
        headers = plain_headers(response.headers)
        elapsed = round(meta.get("download_latency", 0.0) * 1000, 1)
        location = headers.get("location")
        if 300 <= response.status < 400 and location and response.status != 304:
            target = urljoin(response.url, location.strip()).split("#", 1)[0]
            hop = PendingHop(response.status, target, method, meta["sp_external"], elapsed)
            for item in self._redirect(url, hop, meta):
                yield item
            for item in self._check_externals():
                yield item
            return
        content_type = headers.get("content-type")
        fetch = Fetch(url=url, status=response.status, final_url=url, content_type=content_type, method=method,
                      external=meta["sp_external"], elapsed_ms=elapsed,
                      challenge=looks_like_challenge(response.status, headers, response.body),
                      busy_s=meta.get("sp_busy_s"))
        ok = 200 <= response.status < 300
        follow: Iterable = ()
        unchanged = self.recrawl.unchanged(url) if response.status == 304 and mode == "page" else None
        if unchanged is not None:
            page, status, content_type = unchanged
            fetch = dataclasses.replace(fetch, status=status, content_type=content_type)
            follow = self._crawled(page, meta["sp_depth"])
        elif mode == "page" and ok and is_html(content_type, response.body):
            follow = await self._page(url, response, headers, meta["sp_depth"])
        elif mode == "body" and ok and is_html(content_type, response.body):
            fetch = dataclasses.replace(fetch, anchors=tuple(anchors_of(response.body, headers)))
        elif mode == "sitemap" and ok:
            follow = self._sitemap(response.body)
        elif mode == "robots" and ok:
            follow = self._robots_sitemaps(response.text if hasattr(response, "text") else "")
        for item in follow:
            yield item
        for item in self.ledger.resolve(fetch):
            yield item
        for item in self._check_externals():
            yield item

    def on_error(self, failure) -> Iterator:
        request = failure.request
        meta = request.meta
        self._slot_freed(meta)
        fetch = Fetch(url=meta["sp_url"], error=error_name(failure.value), method=request.method,
                      external=meta["sp_external"])
        yield from self.ledger.resolve(fetch)
        yield from self._check_externals()

    async def _page(self, url: str, response, headers: dict, depth: int) -> Iterator:
        """The Page, then the requests for its links; extracted in a worker while the reactor keeps fetching."""
        page = self.recrawl.same_body(url, headers, response.body, response.status)
        if page is None:
            self.extractor.expect(self.config.crawl.max_pages - self.page_budget)
            try:
                page = await self.extractor.extract(url, response.body, status=response.status, headers=headers)
            except ExtractionError as exc:
                self.crawler.stats.set_value("siteproof/failure", str(exc))  # for crawl() to raise
                raise CloseSpider("extraction-failed") from None
        return self._crawled(page, depth)

    def _crawled(self, page: Page, depth: int) -> Iterator:
        if page.depth != depth:
            page = dataclasses.replace(page, depth=depth)
        return itertools.chain((page,), self._follow(page, depth))

    def _follow(self, page: Page, depth: int) -> Iterator[scrapy.Request]:
        # Page links first: a URL both linked and embedded (<a> and <img>) is then one GET, not HEAD + GET.
        for link in sorted(page.links, key=lambda link: link.tag not in CRAWLED_TAGS):
            url = link.fetch_url
            if not url or not self.scope.fetchable(url) or self.scope.ignored(link.target):
                continue
            if self.scope.internal(url):
                # A list's next page is where the list goes on, not a level deeper: counted as one, a blog's
                # "Older posts" chain ended at max_depth and left a third of a real blog's posts unaudited.
                # An endless list is bounded by max_pages.
                to = depth if kinds.next_page(page.url, url) else depth + 1
                deeper = to <= self.config.crawl.max_depth
                crawl = (deeper and link.tag in CRAWLED_TAGS and self.page_budget > 0
                         and not self._checked_not_html(url))
                if deeper and link.tag in CRAWLED_TAGS and not crawl and not self.ledger.claimed(url):
                    self.crawler.stats.set_value("siteproof/budget_hit", True)
                elif not deeper and link.tag in CRAWLED_TAGS:
                    self.beyond_depth.add(url)
                request = self._request(url, "page" if crawl else "check", to)
                if request is not None:
                    if crawl and isinstance(request, scrapy.Request):
                        self.page_budget -= 1
                    yield request
            elif not self.scope.well_formed(url):
                if self.ledger.claim(url, "GET"):
                    yield from self.ledger.resolve(Fetch(url=url, error="invalid-url", external=True))
            elif self.scope.never_resolves(url):
                if self.config.crawl.check_external and self.ledger.claim(url, "GET"):
                    yield from self.ledger.resolve(Fetch(url=url, error="dns-error", external=True))
            elif self.config.crawl.check_external:
                known = self.recrawl.external(url, bool(link.fragment)) if not self.ledger.claimed(url) else None
                if known is not None and self.ledger.claim(url, known.method):
                    yield from self.ledger.resolve(known)
                else:
                    self.externals[url] = self.externals.get(url, False) or bool(link.fragment)
        yield from self._check_externals()

    def _check_externals(self) -> Iterator[scrapy.Request | Fetch]:
        """Send waiting external checks while fewer than ``external_slots`` are in flight.

        A URL first checked with HEAD and later linked with a #fragment is asked
        again with GET for its ids (the ledger allows a GET after a HEAD).
        """
        while self.externals and self.externals_in_flight < self.external_slots:
            url = next(iter(self.externals))
            request = self._request(url, "body" if self.externals.pop(url) else "check", depth=0)
            if isinstance(request, scrapy.Request):
                request.meta["sp_slot"] = True
                self.externals_in_flight += 1
                yield request
            elif isinstance(request, Fetch):
                yield request

    def _slot_freed(self, meta: dict) -> None:
        if meta.get("sp_slot"):
            self.externals_in_flight -= 1

    def _checked_not_html(self, url: str) -> bool:
        """Already checked with HEAD and typed as something other than HTML: a GET would read nothing more."""
        done = self.ledger.done(url)
        content_type = (done.content_type or "").lower() if done is not None else ""
        return bool(content_type) and "html" not in content_type

    def _redirect(self, url: str, hop: PendingHop, meta: dict) -> Iterator:
        fetches, next_url = self.ledger.redirect(url, hop, meta["sp_hops"])
        yield from fetches
        if next_url is None:
            return
        if not self.scope.fetchable(next_url):
            yield from self.ledger.resolve(Fetch(url=next_url, error="unsupported-scheme", external=True))
            return
        mode = meta["sp_mode"]
        internal = self.scope.internal(next_url)
        if mode == "page" and not internal:
            mode = "check"  # a link that redirects off-site is checked there, never crawled
        request = self._request(next_url, mode, meta["sp_depth"], meta["sp_hops"] + 1)
        if isinstance(request, scrapy.Request) and meta.get("sp_slot"):
            request.meta["sp_slot"] = True  # the chain keeps the external slot its first hop took
            self.externals_in_flight += 1
        if request is not None:
            yield request

    # ------------------------------------------------------------ sitemaps

    def _sitemap(self, body: bytes) -> Iterator[SitemapUrls | scrapy.Request]:
        pages, children = parse_sitemap(body)
        if pages or children:
            yield SitemapUrls(tuple(pages))
        for child in children:
            request = self._request(child.split("#", 1)[0], "sitemap", depth=0)
            if request is not None:
                yield request

    def _robots_sitemaps(self, text: str) -> Iterator[scrapy.Request]:
        for url in _SITEMAP_LINE.findall(text):
            if self.scope.fetchable(url):
                request = self._request(url.split("#", 1)[0], "sitemap", depth=0)
                if request is not None:
                    yield request

    def _on_robots(self, robotparser, request):
        """robots.txt fetched by Scrapy's RobotsTxtMiddleware: take its Sitemap: lines."""
        if not self.scope.internal(request.url):
            return
        sitemaps = getattr(getattr(robotparser, "rp", None), "sitemaps", ()) or ()
        for url in sitemaps:
            if self.scope.fetchable(url):
                follow = self._request(url.split("#", 1)[0], "sitemap", depth=0)
                if isinstance(follow, scrapy.Request):
                    self.crawler.engine.crawl(follow)

    # ------------------------------------------------------------ lifecycle

    def _on_idle(self):
        """Nothing in flight: send the external checks still waiting, if any."""
        sent = False
        for item in self._check_externals():
            if isinstance(item, scrapy.Request):
                self.crawler.engine.crawl(item)
                sent = True
            else:  # a URL that cannot be requested: its Fetch goes to the pipeline like any other
                deferred_from_coro(self.crawler.engine.scraper.start_itemproc_async(item, response=None))
        if sent or self.externals:
            raise DontCloseSpider

    def _release(self) -> None:
        """Stop the extraction workers and say what they and the ledger did; again after a hard stop."""
        self.extractor.close()
        self.crawler.stats.set_value("siteproof/pages_in_workers", self.extractor.in_workers)
        self.crawler.stats.set_value("siteproof/unresolved_redirects", self.ledger.unresolved)
        self.crawler.stats.set_value("siteproof/beyond_max_depth", len(self.beyond_depth - self.page_requests))

    def closed(self, reason):
        self._release()
