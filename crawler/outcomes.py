"""Naming what happened to a request: error names, bot walls, Retry-After.

These names are the ``Fetch.error`` vocabulary the audits and reports read.
"""
from __future__ import annotations

import re
import ssl
from email.utils import parsedate_to_datetime
from datetime import datetime, timezone
from typing import Mapping, Optional

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from twisted.internet import error as tx_error

try:  # pyOpenSSL is what Twisted's TLS uses; absent, TLS errors arrive as other types
    from OpenSSL.SSL import Error as OpenSSLError
except ImportError:  # pragma: no cover
    OpenSSLError = ssl.SSLError


def _causes(exc: BaseException):
    """The exception, what it wraps, and the reasons of a Twisted ResponseFailed."""
    seen = set()
    todo = [exc]
    while todo:
        e = todo.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        yield e
        todo.append(e.__cause__)
        todo.append(e.__context__)
        for reason in getattr(e, "reasons", ()) or ():
            todo.append(getattr(reason, "value", reason))


ROBOTS_UNAVAILABLE = "robots.txt answered with a server error"  # crawler/middlewares.py raises it


def error_name(exc: BaseException) -> str:
    """One of: timeout, connection-refused, dns-error, tls-error, too-large,
    connection-lost, robots-disallowed (or "failed: <type>" for anything else)."""
    if isinstance(exc, IgnoreRequest):
        # Two middlewares ignore our requests: robots.txt, and decompression
        # past DOWNLOAD_MAXSIZE (a gzip bomb), which is a size, not a rule.
        message = str(exc)
        if "DOWNLOAD_MAXSIZE" in message:
            return "too-large"
        if message == ROBOTS_UNAVAILABLE:
            return "robots-unavailable"
        return "robots-disallowed"
    causes = list(_causes(exc))
    if any(isinstance(e, (OpenSSLError, ssl.SSLError, tx_error.SSLError)) for e in causes):
        return "tls-error"
    if any(isinstance(e, (DownloadTimeoutError, tx_error.TimeoutError, tx_error.TCPTimedOutError))
           for e in causes):
        return "timeout"
    if any(isinstance(e, (DownloadConnectionRefusedError, tx_error.ConnectionRefusedError)) for e in causes):
        return "connection-refused"
    if any(isinstance(e, (CannotResolveHostError, tx_error.DNSLookupError)) for e in causes):
        return "dns-error"
    if isinstance(exc, DownloadCancelledError):
        # Scrapy cancels a download only when it outgrows DOWNLOAD_MAXSIZE (timeouts are named above).
        return "too-large"
    if any(isinstance(e, (DownloadFailedError, ResponseDataLossError, tx_error.ConnectionLost,
                          tx_error.ConnectionDone, tx_error.ConnectError)) for e in causes):
        return "connection-lost"
    return f"failed: {type(exc).__name__}"


TRANSIENT = ("connection-lost", "timeout")  # worth a retry (crawler/middlewares.py)

_WALL_MARKERS = re.compile(
    rb"just a moment\.\.\.|attention required|cf-browser-verification|cf_chl_|challenge-platform"
    rb"|captcha|are you a robot|access denied.{0,80}(bot|automated)|ddos-guard|perimeterx|px-captcha"
    rb"|datadome|incapsula|sucuri website firewall",
    re.IGNORECASE | re.DOTALL,
)
WALL_STATUSES = (401, 403, 429, 503, 999)


def looks_like_challenge(status: int, headers: Mapping[str, str], body: bytes) -> bool:
    """A bot wall rather than a real answer: the link could not be judged."""
    if status not in WALL_STATUSES:
        return False
    if headers.get("cf-mitigated", "").lower() == "challenge":
        return True
    if status == 999:  # LinkedIn's "request denied" to non-browsers
        return True
    return bool(_WALL_MARKERS.search(body[:65536]))


def retry_after_seconds(value: Optional[str], now: Optional[datetime] = None) -> Optional[float]:
    """Seconds asked for by a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


def plain_headers(headers) -> dict[str, str]:
    """Scrapy's bytes Headers as a lowercase str dict (first value of each)."""
    out = {}
    for key, values in headers.items():
        if values:
            out[key.decode("latin-1").lower()] = values[0].decode("latin-1")
    return out
