"""Scrapy's per-request bookkeeping, without the parts siteproof never reads.

An unchanged re-crawl is mostly Scrapy's own work per request (each 304 is a few
milliseconds of CPU, and there is one per page), so what runs for every request
and answer is kept to what the crawl uses:

- ``Stats``: Scrapy 2.13+ looks every attribute of its stats collector up through a
  ``__getattribute__`` that wraps the methods to warn about a deprecated ``spider``
  argument (an f-string and a caught AttributeError per access, and stats are
  touched several times per request). Nothing here passes that argument.
- ``DownloaderStats``: Scrapy's counts requests and answers by method and status, and
  also serializes every request again (``request_httprepr``) and sizes every answer's
  headers only to add up bytes, which nothing reads; the counts stay.
- ``CoreStats``: Scrapy's counts every answer and item (``response_received_count``,
  ``item_scraped_count``) through a signal per answer and per item, whose async
  dispatch costs a gathered task per item; nothing reads them. The start and finish
  times and the finish reason (which crawler/run.py reads) are kept.
- ``QuietLogFormatter``: Scrapy builds a DEBUG log record ("Crawled (304) ...",
  "Scraped from ...") for every answer and item, and only the handler drops it
  when the level is higher (the root logger's level is NOTSET). Below DEBUG
  nothing is built; at DEBUG (``-s LOG_LEVEL=DEBUG``) every line is there as before.
"""
from __future__ import annotations

import logging

from scrapy import signals
from scrapy.downloadermiddlewares.stats import DownloaderStats as ScrapyDownloaderStats
from scrapy.extensions.corestats import CoreStats as ScrapyCoreStats
from scrapy.logformatter import LogFormatter
from scrapy.statscollectors import MemoryStatsCollector


class Stats(MemoryStatsCollector):
    __getattribute__ = object.__getattribute__


class DownloaderStats(ScrapyDownloaderStats):
    def process_request(self, request):
        self.stats.inc_value("downloader/request_count")
        self.stats.inc_value(f"downloader/request_method_count/{request.method}")

    def process_response(self, request, response):
        self.stats.inc_value("downloader/response_count")
        self.stats.inc_value(f"downloader/response_status_count/{response.status}")
        return response


class CoreStats(ScrapyCoreStats):
    @classmethod
    def from_crawler(cls, crawler):
        stats = cls(crawler.stats)
        crawler.signals.connect(stats.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(stats.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(stats.item_dropped, signal=signals.item_dropped)
        return stats


class QuietLogFormatter(LogFormatter):
    def __init__(self, debug: bool = True):
        self.debug = debug

    @classmethod
    def from_crawler(cls, crawler):
        level = crawler.settings.get("LOG_LEVEL") or logging.DEBUG
        if isinstance(level, str):
            level = logging.getLevelNamesMapping().get(level.upper(), logging.DEBUG)
        return cls(level <= logging.DEBUG)

    def crawled(self, request, response, spider):
        return super().crawled(request, response, spider) if self.debug else None

    def scraped(self, item, response, spider):
        return super().scraped(item, response, spider) if self.debug else None
