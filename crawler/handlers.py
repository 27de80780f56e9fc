"""Scrapy's HTTP download handler with connections that are kept, and counted.

Scrapy sizes Twisted's pool of idle keep-alive connections to the per-host
request limit. A response reaches the engine, which sends the next request,
a moment before its connection goes back to the pool: the next request finds
the pool empty and opens a new connection, and when the old one comes back to
a full pool one is closed. On a 2,000-page crawl that was a new TCP (and, on
HTTPS, TLS) connection for most requests, in bursts that overflowed a small
server's listen queue. A pool a few times the request limit keeps them; the
number of requests in flight per host is still capped by the downloader.
"""
from __future__ import annotations

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from twisted.web.client import HTTPConnectionPool

# Idle connections kept per host, per request allowed in flight to that host.
IDLE_PER_REQUEST = 4


class _CountingPool(HTTPConnectionPool):
    # Twisted sends a request again, once, when a reused connection fails before
    # the answer: each attempt the retry middleware counts could be two at the
    # server (a connection-reset URL was asked 5 times with retries = 2).
    # Retries are the middleware's alone, so retries = 2 means three requests at most.
    retryAutomatically = False

    def __init__(self, reactor, stats):
        super().__init__(reactor, persistent=True)
        self._stats = stats

    def _newConnection(self, key, endpoint):
        self._stats.inc_value("siteproof/connections_opened")
        return super()._newConnection(key, endpoint)

    def _putConnection(self, key, connection):
        # Twisted pools every connection whose answer did not say "Connection: close", but an
        # HTTP/1.0 answer without "keep-alive" ends its connection (RFC 9112, 9.3): Python's
        # http.server and other small servers close it a moment later. The next request sent on it
        # in that moment was lost (590 of 6,000 on a real export served by http.server, dozens of
        # pages reported broken after all three attempts met a closing connection).
        parser = connection._parser
        if parser is not None and not _kept_alive(parser):
            connection.transport.loseConnection()
            return
        super()._putConnection(key, connection)


def _kept_alive(parser) -> bool:
    """Whether the server agreed to keep the connection after this answer."""
    response = parser.response
    if response is None or response.version[1:] >= (1, 1):
        return True
    tokens = b",".join(parser.connHeaders.getRawHeaders(b"connection", ())).lower()
    return b"keep-alive" in tokens


class KeepAliveDownloadHandler(HTTP11DownloadHandler):
    def __init__(self, crawler):
        super().__init__(crawler)
        from twisted.internet import reactor

        pool = _CountingPool(reactor, crawler.stats)
        pool.maxPersistentPerHost = IDLE_PER_REQUEST * max(
            1, crawler.settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN"))
        pool._factory = self._pool._factory  # Scrapy's lenient HTTP/1.1 client factory
        self._pool = pool
