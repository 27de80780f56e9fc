"""Downloader middlewares: patient retries, HEAD fallback, and skipping bodies we never read."""
from __future__ import annotations

import logging

from scrapy import signals
from scrapy.exceptions import StopDownload
from scrapy.utils.asyncio import sleep

from crawler.outcomes import TRANSIENT, error_name, retry_after_seconds

logger = logging.getLogger(__name__)


class RetryAfterMiddleware:
    """Retries 429 and 503, waiting as long as Retry-After asks (capped), and
    transient connection failures, with exponential backoff.

    Timeouts, refused connections and DNS failures are not retried: they are
    rarely transient on a live site, and each timeout retry would cost another
    ``timeout_s``. The wait happens after the download slot is released, so
    other requests to the same host keep flowing meanwhile.
    """

    STATUSES = (429, 503)
    BACKOFF_S = 0.5

    def __init__(self, retries: int, max_wait_s: float):
        self.retries = retries
        self.max_wait_s = max_wait_s

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        return cls(settings.getint("SITEPROOF_RETRIES", 2), settings.getfloat("SITEPROOF_MAX_RETRY_AFTER_S", 30.0))

    def _wait_s(self, attempt: int, asked: float | None) -> float:
        wait = asked if asked is not None else self.BACKOFF_S * (2 ** attempt)
        return min(wait, self.max_wait_s)

    def _again(self, request, attempt: int):
        meta = {**request.meta, "sp_retries": attempt + 1}
        return request.replace(meta=meta, dont_filter=True)

    async def process_response(self, request, response):
        attempt = request.meta.get("sp_retries", 0)
        if response.status not in self.STATUSES or attempt >= self.retries:
            return response
        asked = retry_after_seconds(response.headers.get("Retry-After", b"").decode("latin-1"))
        await sleep(self._wait_s(attempt, asked))
        return self._again(request, attempt)

    async def process_exception(self, request, exception):
        attempt = request.meta.get("sp_retries", 0)
        if attempt >= self.retries or error_name(exception) not in TRANSIENT:
            return None
        await sleep(self._wait_s(attempt, None))
        return self._again(request, attempt)


class HeadFallbackMiddleware:
    """A HEAD the server refuses is asked again once with GET.

    405 and 501 say HEAD is not implemented. 400 and 403 are included because
    many servers, CDNs and bot filters answer HEAD with them while GET works;
    a GET settles it, and costs one request only for those few URLs. Other
    statuses (404, 410, 5xx) are believed as they are.
    """

    REFUSED = (400, 403, 405, 501)

    def process_response(self, request, response):
        if request.method == "HEAD" and response.status in self.REFUSED and "sp_head_refused" not in request.meta:
            meta = {**request.meta, "sp_head_refused": response.status}
            return request.replace(method="GET", meta=meta, dont_filter=True)
        return response


def _texty(content_type: str) -> bool:
    ct = content_type.lower()
    return ct.startswith("text/") or "html" in ct or "xml" in ct


class BodyGate:
    """Stops downloading bodies that will not be read (an extension on ``headers_received``).

    A GET made only to check a link (HEAD refused) needs the status and, for a
    bot wall, a little HTML; a page GET needs the body only when it is HTML.
    So a 40 MB PDF linked from a post is checked, not downloaded, and never
    turns into a "too-large" error.
    """

    CHECK_BODY_LIMIT = 256 * 1024

    @classmethod
    def from_crawler(cls, crawler):
        gate = cls()
        crawler.signals.connect(gate.headers_received, signal=signals.headers_received)
        return gate

    def headers_received(self, headers, body_length, request, spider=None):
        mode = request.meta.get("sp_mode")
        if request.method != "GET" or mode not in ("check", "page", "body"):
            return
        content_type = (headers.get(b"Content-Type") or b"").decode("latin-1")
        if content_type and not _texty(content_type):
            raise StopDownload(fail=False)
        if mode == "check" and body_length is not None and body_length > self.CHECK_BODY_LIMIT:
            raise StopDownload(fail=False)


class RecordGate:
    """While a checkpoint is kept, holds new requests back when answers wait to be recorded.

    A crawl that is CPU-bound (page extraction) would otherwise download far ahead
    of what it records, and after a kill -9 a resumed crawl fetches again every
    page that was downloaded but not recorded. With the gate that is at most
    ``SITEPROOF_UNRECORDED`` answers plus the requests on the wire; the CPUs
    stay as busy, since answers beyond that only wait in a queue.
    """

    POLL_S = 0.005

    def __init__(self, crawler):
        self.crawler = crawler
        self.limit = crawler.settings.getint("SITEPROOF_UNRECORDED", 8)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _waiting(self) -> int:
        slot = self.crawler.engine.scraper.slot
        return 0 if slot is None else len(slot.queue) + len(slot.active)

    async def process_request(self, request):
        if getattr(getattr(self.crawler.spider, "recrawl", None), "checkpoint", None) is None:
            return None
        while self._waiting() >= self.limit:
            await sleep(self.POLL_S)
        return None
