"""The only pipeline: stream every Page and Fetch to the crawl record as it arrives.

The record is pages.jsonl and fetches.jsonl in the output folder, and, through
the spider's Recrawl, the history store (validators, external outcomes, the
checkpoint a killed crawl resumes from). A resumed crawl's folder is written
afresh from the checkpoint's records, then the crawl goes on appending.
"""
from __future__ import annotations

from audits.model import Fetch, Page
from audits.store import RecordWriter, WRITE_ERRORS, write_failure


class RecordPipeline:
    """Writes pages.jsonl and fetches.jsonl through RecordWriter; nothing is kept in memory."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.writer: RecordWriter | None = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open_spider(self):
        spider = self.crawler.spider
        self.writer = RecordWriter(spider.out_dir)
        for record in spider.recrawl.resumed:
            self._write(record)

    def close_spider(self):
        if self.writer is not None:
            try:
                self.writer.close()
            except WRITE_ERRORS as exc:
                spider = self.crawler.spider
                spider.failure = spider.failure or write_failure(spider.out_dir, exc)

    def process_item(self, item):
        spider = self.crawler.spider
        if spider.failure:
            return item  # the crawl is stopping: one line says why, not a traceback per item
        try:
            self._write(item)
            spider.recrawl.recorded(item)
        except WRITE_ERRORS as exc:
            # A full disk fails every later write too: stop the crawl, and crawl() raises it once.
            spider.failure = write_failure(spider.out_dir, exc)
            from scrapy.utils.defer import deferred_from_coro

            deferred_from_coro(self.crawler.engine.close_spider_async(reason="write-failed"))
        return item

    def _write(self, item):
        self.writer.write(item)
        self.crawler.spider.unreached.pop(item.url, None)
        stats = self.crawler.stats
        if isinstance(item, Page):
            stats.inc_value("siteproof/pages")
        elif isinstance(item, Fetch):
            stats.inc_value("siteproof/fetches")
            if item.is_broken:
                stats.inc_value("siteproof/errors")
