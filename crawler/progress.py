"""A live progress line on stderr while crawling (a Scrapy extension).

On when stderr is a terminal, or when ``SITEPROOF_PROGRESS`` is true; off when
it is false. Redrawn at most five times a second, cleared at the end.
"""
from __future__ import annotations

import sys
import time

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from crawler.statusline import INTERVAL_S, StatusLine


class Progress:
    def __init__(self, crawler, stream=None):
        self.crawler = crawler
        self.stream = stream or sys.stderr
        self.started = time.monotonic()
        self.loop: task.LoopingCall | None = None
        self.status = StatusLine(self.stream)

    @classmethod
    def from_crawler(cls, crawler):
        wanted = crawler.settings.get("SITEPROOF_PROGRESS")
        if wanted is None:
            wanted = sys.stderr.isatty()
        if not wanted or wanted in ("0", "false", "False"):
            raise NotConfigured
        progress = cls(crawler)
        crawler.signals.connect(progress.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(progress.spider_closed, signal=signals.spider_closed)
        return progress

    def spider_opened(self, spider=None):
        self.started = time.monotonic()
        self.loop = task.LoopingCall(self.draw)
        self.loop.start(INTERVAL_S, now=True)

    def spider_closed(self, spider=None, reason=None):
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        self.draw()
        self.stream.write("\n")
        self.stream.flush()

    def queued(self) -> int:
        stats = self.crawler.stats
        waiting = (stats.get_value("scheduler/enqueued") or 0) - (stats.get_value("scheduler/dequeued") or 0)
        engine = self.crawler.engine
        active = len(engine.downloader.active) if engine is not None and engine.downloader else 0
        spider = self.crawler.spider
        later = len(getattr(spider, "externals", ()) or ())
        return max(0, waiting) + active + later

    def line(self) -> str:
        stats = self.crawler.stats
        pages = stats.get_value("siteproof/pages") or 0
        checked = stats.get_value("siteproof/fetches") or 0
        errors = stats.get_value("siteproof/errors") or 0
        elapsed = time.monotonic() - self.started
        line = f"siteproof: {pages} pages"
        counts = getattr(self.crawler.spider, "recrawl", None)
        counts = counts.counts if counts is not None else {}
        if pages and counts.get("fetched", 0) != pages:  # say what earlier runs stood for, when they did
            line += (f" ({counts.get('unchanged', 0)} unchanged, {counts.get('reused', 0)} re-used, "
                     f"{counts.get('fetched', 0)} fetched, {counts.get('resumed', 0)} resumed)")
        return (f"{line}, {checked} URLs checked, {self.queued()} queued, "
                f"{errors} errors, {elapsed:.0f}s")

    def draw(self):
        self.status.show(self.line(), now=True)
