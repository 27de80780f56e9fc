"""The only pipeline: stream every Page and Fetch to the crawl record as it arrives.

The record is pages.jsonl and fetches.jsonl in the output folder, and, through
the spider's Recrawl, the history store (validators, external outcomes, the
checkpoint a killed crawl resumes from). A resumed crawl's folder is written
afresh from the checkpoint's records, then the crawl goes on appending.
"""
from __future__ import annotations

from audits.model import Fetch, Page
from audits.store import RecordWriter


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
            self.writer.close()

    def process_item(self, item):
        self._write(item)
        self.crawler.spider.recrawl.recorded(item)
        return item

    def _write(self, item):
        self.writer.write(item)
        stats = self.crawler.stats
        if isinstance(item, Page):
            stats.inc_value("siteproof/pages")
        elif isinstance(item, Fetch):
            stats.inc_value("siteproof/fetches")
            if item.is_broken:
                stats.inc_value("siteproof/errors")
