"""Downloader middlewares: patient retries, HEAD fallback, and skipping bodies we never read."""
from __future__ import annotations

import logging
import time

from scrapy import signals
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest, StopDownload
from scrapy.utils.asyncio import sleep

from crawler.outcomes import ROBOTS_UNAVAILABLE, TRANSIENT, error_name, retry_after_seconds

logger = logging.getLogger(__name__)


class RetryAfterMiddleware:
    """Retries what is usually transient, as Scrapy's RetryMiddleware would, with exact budgets.

    Retried: 429, 500, 502, 503, 504, timeouts and lost connections, each URL at
    most ``retries`` more times (``retries = 2``: three requests at most), with
    exponential backoff or the wait a Retry-After header asks for. Refused
    connections and DNS failures are not transient and are not retried, nor is
    the timeout of an external link whose last check timed out too.

    Retry-After never stalls the crawl. A wait runs as a timer while other
    requests go on. A server asking for longer than ``max_wait_s`` is not
    waited for: its answer is kept at once, marked busy (``sp_busy_s``), and
    reported as unverifiable. All honoured waits together may add at most
    ``max_wait_s`` to the crawl (they are counted as the union of their time
    spans, so waits that overlap each other cost once).
    """

    STATUSES = (429, 500, 502, 503, 504)
    BACKOFF_S = 0.5

    def __init__(self, retries: int, max_wait_s: float, stats=None):
        self.retries = retries
        self.max_wait_s = max_wait_s
        self.stats = stats
        self._waits_until = 0.0  # when the latest honoured Retry-After wait ends (monotonic)
        self._waited_s = 0.0  # time covered by honoured Retry-After waits so far

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        return cls(settings.getint("SITEPROOF_RETRIES", 2), settings.getfloat("SITEPROOF_MAX_RETRY_AFTER_S", 30.0),
                   crawler.stats)

    def _honour(self, asked: float) -> bool:
        """Whether a Retry-After wait of ``asked`` seconds fits the budget (and book it if so)."""
        now = time.monotonic()
        extra = max(0.0, now + asked - max(now, self._waits_until))
        if self._waited_s + extra > self.max_wait_s:
            return False
        self._waited_s += extra
        self._waits_until = max(self._waits_until, now + asked)
        return True

    def _again(self, request, attempt: int):
        self._count("siteproof/retries")
        meta = {**request.meta, "sp_retries": attempt + 1}
        return request.replace(meta=meta, dont_filter=True)

    def _count(self, key: str) -> None:
        if self.stats is not None:
            self.stats.inc_value(key)

    async def process_response(self, request, response):
        attempt = request.meta.get("sp_retries", 0)
        if response.status not in self.STATUSES:
            if attempt:
                self._count("siteproof/recovered")
            return response
        asked = retry_after_seconds(response.headers.get("Retry-After", b"").decode("latin-1"))
        if asked is not None and asked > self.max_wait_s:
            return self._busy(request, response, asked)
        if attempt >= self.retries:
            return response
        if asked is not None and not self._honour(asked):
            return self._busy(request, response, asked)
        await sleep(asked if asked is not None else self.BACKOFF_S * (2 ** attempt))
        return self._again(request, attempt)

    @staticmethod
    def _busy(request, response, asked: float):
        request.meta["sp_busy_s"] = asked  # response.meta is this dict: the spider reads it
        return response

    async def process_exception(self, request, exception):
        attempt = request.meta.get("sp_retries", 0)
        error = error_name(exception)
        if attempt >= self.retries or error not in TRANSIENT:
            return None
        if error == "timeout" and request.meta.get("sp_timed_out_before"):
            return None  # it timed out on the last run too (crawler/recrawl.py)
        if error != "timeout":  # a timeout has waited long enough already
            await sleep(self.BACKOFF_S * (2 ** attempt))
        return self._again(request, attempt)


class _DisallowAll:
    """The robots.txt of a host that answered 5xx: nothing may be crawled there (RFC 9309, 2.3.1.3)."""

    def allowed(self, url, user_agent) -> bool:
        return False


class RobotsMiddleware(RobotsTxtMiddleware):
    """Scrapy's robots.txt handling, except that a 5xx robots.txt disallows the whole host.

    Scrapy parses whatever body came back, so a 500 error page reads as "allow
    everything". The refused requests fail with ROBOTS_UNAVAILABLE, which the
    record names ``robots-unavailable``: the user learns why a page was not crawled.
    """

    async def _parse_robots(self, response, netloc, request):
        if response.status < 500:
            return await super()._parse_robots(response, netloc, request)
        self._stats.inc_value(f"robotstxt/response_status_count/{response.status}")
        waiting = self._parsers[netloc]
        self._parsers[netloc] = _DisallowAll()
        waiting.callback(self._parsers[netloc])

    def process_request_2(self, rp, request) -> None:
        if isinstance(rp, _DisallowAll):
            self._stats.inc_value("robotstxt/forbidden")
            raise IgnoreRequest(ROBOTS_UNAVAILABLE)
        super().process_request_2(rp, request)


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
