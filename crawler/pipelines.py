"""The only pipeline: every result of a crawl passes here as an item, and the record is written here.

Pages and Fetches stream to pages.jsonl and fetches.jsonl, ``SitemapUrls`` gather
into sitemap.json, and crawl.json says, once the crawl is over, whether it saw the
whole site (and which pages could not be fetched, and why). Through the spider's Recrawl the history store sees the same records
(validators, external outcomes, the checkpoint a killed crawl resumes from); a
resumed crawl's folder is written afresh from the checkpoint's records first.
crawler/run.py reads the outcome from the stats (``siteproof/...``) set here and
by the spider, never from the spider object.
"""
from __future__ import annotations

from typing import Optional

from scrapy import signals
from scrapy.utils.defer import deferred_from_coro

from audits import store
from audits.model import Fetch, Page
from audits.store import RecordWriter, WRITE_ERRORS, fetch_json, write_failure
from crawler.items import SitemapUrls
from crawler.signals import crawl_over


class RecordPipeline:
    """Writes the record, and keeps it (``recrawl.kept``) for the audit that follows in this process."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.writer: RecordWriter | None = None
        self.closed = False
        self.sitemap_found = False
        self.sitemap_urls: dict[str, None] = {}  # ordered set
        self.start_errors: dict[str, str] = {}  # start URL -> why it could not be fetched (the last word stands)
        self.unreached: dict[str, None] = {}  # pages requested and not recorded yet
        self.unaudited: dict[str, str] = {}  # page URL -> why it could not be fetched (after its retries)
        crawler.signals.connect(self._scheduled, signal=signals.request_scheduled)
        crawler.signals.connect(self.close_record, signal=signals.spider_closed)
        crawler.signals.connect(self.close_record, signal=crawl_over, weak=False)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open_spider(self):
        spider = self.crawler.spider
        self.out_dir, self.recrawl, self.max_pages = spider.out_dir, spider.recrawl, spider.config.crawl.max_pages
        self.start_urls = {url.split("#", 1)[0] for url in spider.config.site.start_urls}
        self.writer = RecordWriter(self.out_dir)
        self.recrawl.kept = self.writer.kept
        checkpoint = self.recrawl.checkpoint
        if checkpoint is not None and checkpoint.sitemap:
            self.sitemap_found = checkpoint.sitemap["found"]
            self.sitemap_urls = dict.fromkeys(checkpoint.sitemap["urls"])
        for record in self.recrawl.resumed:
            self._write(record)

    def _scheduled(self, request):
        if request.meta.get("sp_mode") == "page":
            self.unreached[request.meta["sp_url"]] = None

    def process_item(self, item):
        if self.stats.get_value("siteproof/failure"):
            return item  # the crawl is stopping: one line says why, not a traceback per item
        if isinstance(item, SitemapUrls):
            self.sitemap_found = True
            self.sitemap_urls.update(dict.fromkeys(item.urls))
            self.recrawl.sitemap(True, list(self.sitemap_urls))
            return item
        try:
            self.recrawl.recorded(item, self._write(item))
        except WRITE_ERRORS as exc:
            # A full disk fails every later write too: stop the crawl, and crawl() raises it once.
            self._failed(exc)
            deferred_from_coro(self.crawler.engine.close_spider_async(reason="write-failed"))
        return item

    def _write(self, item: Page | Fetch):
        """Write the record; returns what the history store keeps too: a page's (key, JSON), a fetch's JSON."""
        if isinstance(item, Page):
            model = self.recrawl.page_json(item)
            self.writer.write_page(item, model[1])
        else:
            model = fetch_json(item)
            self.writer.write_fetch(item, model)
        if item.url in self.unreached and isinstance(item, Fetch):
            self._note_unaudited(item)  # a page request answered by a Fetch alone: no page came back
        self.unreached.pop(item.url, None)
        stats = self.stats
        if isinstance(item, Page):
            stats.inc_value("siteproof/pages")
        elif isinstance(item, Fetch):
            stats.inc_value("siteproof/fetches")
            if item.is_broken:
                stats.inc_value("siteproof/errors")
            if item.url in self.start_urls:
                if item.error:
                    self.start_errors[item.url] = item.error
                else:
                    self.start_errors.pop(item.url, None)
        return model

    def _note_unaudited(self, fetch: Fetch) -> None:
        """A page the crawl meant to audit and could not fetch is listed with why, never silently missing."""
        if fetch.busy_s is not None:
            self.unaudited[fetch.url] = f"busy, asks to retry after {fetch.busy_s:g} s"
        elif fetch.error and fetch.error != "robots-disallowed":
            self.unaudited[fetch.url] = fetch.error
        elif fetch.status is not None and fetch.status >= 500:
            self.unaudited[fetch.url] = f"answered {fetch.status}"

    def _failed(self, exc: BaseException) -> None:
        if not self.stats.get_value("siteproof/failure"):  # the first failure is the one to name
            self.stats.set_value("siteproof/failure", write_failure(self.out_dir, exc))

    def close_record(self, reason: str) -> None:
        """Finish the record, however the crawl ended.

        Runs when the spider closes and again when run.py says the crawl is over
        (a hard stop skips the first); crawl.json is rewritten with what is known last.
        """
        if self.writer is None:
            return  # the spider never opened
        if not self.closed:
            self.closed = True
            for finish in (self.writer.close, self._write_sitemap):
                try:
                    finish()
                except WRITE_ERRORS as exc:
                    self._failed(exc)
            self.stats.set_value("siteproof/sitemap_found", self.sitemap_found)
            self.stats.set_value("siteproof/sitemap_urls", len(self.sitemap_urls))
            self.stats.set_value("siteproof/start_errors", dict(self.start_errors))
        partial = self._partial_reason(reason)
        try:
            store.write_crawl_state(self.out_dir, {
                "complete": partial is None, "finish_reason": reason, "partial_reason": partial,
                "unreached": list(self.unreached) if partial else [],
                "unaudited": self.unaudited,
                "retries": self.stats.get_value("siteproof/retries", 0),
                "recovered": self.stats.get_value("siteproof/recovered", 0),
            })
        except OSError as exc:
            self._failed(exc)

    def _write_sitemap(self) -> None:
        store.write_sitemap(self.out_dir, list(self.sitemap_urls), self.sitemap_found)

    def _partial_reason(self, finish_reason: str) -> Optional[str]:
        """Why this crawl did not see the whole site, or None when it did."""
        stats = self.stats
        if stats.get_value("siteproof/failure"):
            return f"stopped by an error: {stats.get_value('siteproof/failure')}"
        if stats.get_value("siteproof/interrupted"):
            return f"interrupted by {stats.get_value('siteproof/interrupted')}"
        if finish_reason not in ("finished", ""):
            return f"stopped early ({finish_reason})"
        if stats.get_value("siteproof/budget_hit"):
            return f"max_pages ({self.max_pages}) reached: linked pages were left uncrawled"
        return None
