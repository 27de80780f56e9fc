"""Scrapy settings that never change with the user's configuration.

Everything that follows from ``[crawl]`` is derived in one place,
``scrapy_settings(config)`` at the end (Scrapy reads only the upper-case
names). ``scrapy.cfg`` and the egg's ``scrapy`` entry point point here, so that
``scrapy crawl site -a url=http://127.0.0.1:8000/`` works from the repo root
and on a Scrapyd node; such a crawl applies ``scrapy_settings`` of its
``-a config=`` (or of the ``siteproof.toml`` it finds) and does the whole job
(crawler/job.py).
"""
from __future__ import annotations

from audits.config import Config

BOT_NAME = "siteproof"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# The spider follows Location itself so it can record each hop, name loops and
# resolve a chain whose next hop was already fetched. Meta refresh targets come
# from extract_page as links (tag "meta-refresh").
REDIRECT_ENABLED = False
METAREFRESH_ENABLED = False

# Our own ledger de-duplicates by (method, URL); fingerprinting every request
# again would only cost time.
DUPEFILTER_CLASS = "scrapy.dupefilters.BaseDupeFilter"

# Breadth first (priority = -depth, FIFO within a priority), so a page is first
# reached at its smallest depth and max_depth cuts where a visitor would expect.
SCHEDULER_MEMORY_QUEUE = "scrapy.squeues.FifoMemoryQueue"
SCHEDULER_DISK_QUEUE = "scrapy.squeues.PickleFifoDiskQueue"

# Scrapy's own, but with the per-host limit kept (see crawler/downloader.py).
DOWNLOADER = "crawler.downloader.PoliteDownloader"
# Scrapy's HTTP/1.1 handler, keeping idle connections instead of opening one per request
# (see crawler/handlers.py).
DOWNLOAD_HANDLERS = {
    "http": "crawler.handlers.KeepAliveDownloadHandler",
    "https": "crawler.handlers.KeepAliveDownloadHandler",
}

DOWNLOADER_MIDDLEWARES = {
    # Ours: 429/5xx, timeouts and lost connections with exact budgets; Retry-After never stalls.
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    # Ours: a robots.txt answering 5xx disallows the whole host (RFC 9309).
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.middlewares.RobotsMiddleware": 100,
    "crawler.middlewares.RetryAfterMiddleware": 550,
    # HEAD refused -> GET; sits outside the retry middleware so a retried HEAD is judged first.
    "crawler.middlewares.HeadFallbackMiddleware": 540,
    # Nearest the engine: a request waits here while answers wait to be recorded (resume, --resume).
    "crawler.middlewares.RecordGate": 50,
    # Not needed by a crawler that never logs in and keeps no session.
    "scrapy.downloadermiddlewares.cookies.CookiesMiddleware": None,
    "scrapy.downloadermiddlewares.httpauth.HttpAuthMiddleware": None,
    # Off-site requests are decided by the spider's scope, not allowed_domains.
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    # The same counts (crawl summaries read downloader/request_count), without the byte sizes (crawler/lean.py).
    "scrapy.downloadermiddlewares.stats.DownloaderStats": None,
    "crawler.lean.DownloaderStats": 850,
}
# Each spider middleware wraps every callback's output in another async generator, per item;
# none of Scrapy's is needed: the spider tracks depth itself, sends no Referer, must see every
# status (HttpErrorMiddleware drops 4xx/5xx), marks no start request, and checks a link of any
# length rather than dropping it unanswered (UrlLengthMiddleware would, with no Fetch).
SPIDER_MIDDLEWARES = {
    "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
    "scrapy.spidermiddlewares.referer.RefererMiddleware": None,
    "scrapy.spidermiddlewares.httperror.HttpErrorMiddleware": None,
    "scrapy.spidermiddlewares.start.StartSpiderMiddleware": None,
    "scrapy.spidermiddlewares.urllength.UrlLengthMiddleware": None,
    "scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware": None,
}
# Per-request bookkeeping without what is never read (crawler/lean.py).
STATS_CLASS = "crawler.lean.Stats"
LOG_FORMATTER = "crawler.lean.QuietLogFormatter"
ITEM_PIPELINES = {"crawler.pipelines.RecordPipeline": 100}
EXTENSIONS = {
    # The same times and finish reason, without a signal per answer and item for counts never read.
    "scrapy.extensions.corestats.CoreStats": None,
    "crawler.lean.CoreStats": 0,
    "scrapy.extensions.telnet.TelnetConsole": None,
    "scrapy.extensions.logstats.LogStats": None,
    "scrapy.extensions.memdebug.MemoryDebugger": None,
    "scrapy.extensions.feedexport.FeedExporter": None,
    "scrapy.extensions.spiderstate.SpiderState": None,
    "crawler.middlewares.BodyGate": 500,
    "crawler.progress.Progress": 500,
    # `scrapy crawl site` (as Scrapyd runs it) does siteproof's whole job; siteproof's CLI turns it off.
    "crawler.job.SiteJob": 900,
}
TELNETCONSOLE_ENABLED = False
COOKIES_ENABLED = False

# Items are written synchronously, so nothing is gained by Scrapy's default of 100
# parallel workers per callback output, which cost one asyncio task each per page.
CONCURRENT_ITEMS = 1

# Scrapy's default, stated because the spider awaits asyncio futures (page
# extraction in worker processes, crawler/extraction.py), which needs it.
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"

REACTOR_THREADPOOL_MAXSIZE = 20  # DNS lookups for many external hosts run in threads
DNSCACHE_ENABLED = True
DNS_RESOLVER = "crawler.downloader.Resolver"  # Scrapy's, plus http://[::1]:8000/ (IPv6 literal hosts)

# Quiet by default: users see our progress line and summary, not Scrapy's log.
LOG_LEVEL = "ERROR"


def scrapy_settings(config: Config) -> dict:
    """Everything ``[crawl]`` decides, as Scrapy settings; the one place they are derived.

    ``max_pages`` is not CLOSESPIDER_PAGECOUNT: that counts every response,
    asset checks included, and stops mid-flight. The spider counts the pages it
    crawls instead, and still checks the links on every page it did crawl.
    """
    crawl = config.crawl
    max_bytes = int(crawl.max_response_mb * 1024 * 1024)
    return {
        "CONCURRENT_REQUESTS": crawl.concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": crawl.concurrency_per_host,
        "DOWNLOAD_DELAY": crawl.delay_s,
        "ROBOTSTXT_OBEY": crawl.obey_robots,
        "DOWNLOAD_TIMEOUT": crawl.timeout_s,
        "DNS_TIMEOUT": crawl.timeout_s,
        "DOWNLOAD_MAXSIZE": max_bytes,
        "DOWNLOAD_WARNSIZE": max_bytes,  # one limit: no warning below it
        "USER_AGENT": crawl.user_agent,
        "SITEPROOF_RETRIES": crawl.retries,
        "SITEPROOF_MAX_RETRY_AFTER_S": crawl.max_retry_after_s,
        "SITEPROOF_UNRECORDED": crawl.concurrency_per_host,
    }
