"""Scrapy's downloader with its per-host concurrency limit enforced again.

Scrapy 2.19 starts each download in an asyncio task that runs later, and
counts a request as transferring only once that task runs. The loop that hands
queued requests to the network therefore sees a free slot every time and sends
the whole queue at once: with ``CONCURRENT_REQUESTS_PER_DOMAIN = 2`` a small
clinic server got 15 requests at a time. Counting the request when it is
handed on, not when its task starts, restores the limit. ``_download`` adds it
again (a set, so no harm) and removes it when the answer is in.
"""
from __future__ import annotations

from scrapy.core.downloader import Downloader
from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler


class PoliteDownloader(Downloader):
    def _wait_for_download(self, slot, request, queue_dfd):
        slot.transferring.add(request)
        return super()._wait_for_download(slot, request, queue_dfd)


class ExactRetriesHandler(HTTP11DownloadHandler):
    """Scrapy's HTTP/1.1 handler without Twisted's silent second attempt.

    Twisted's connection pool sends a request again, once, when a reused
    connection fails before the answer: each attempt the retry middleware
    counts could be two at the server (a connection-reset URL was asked 5
    times with ``retries = 2``). Retries are the middleware's alone, so a
    budget of two means three requests at most.
    """

    def __init__(self, crawler):
        super().__init__(crawler)
        self._pool.retryAutomatically = False
