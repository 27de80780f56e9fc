"""Which URLs belong to the site, which are fetched at all, which are ignored.

The site is the start URLs' hosts, the configured aliases, and the canonical
URL's host with and without ``www.``, under http or https. Plain Python.
"""
from __future__ import annotations

import fnmatch
from urllib.parse import urlsplit

from audits.config import Config

FETCHED_SCHEMES = ("http", "https")  # mailto:, tel:, javascript:, data: ... are never requested
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _host_key(url: str) -> tuple[str, int | None] | None:
    """(hostname, explicit non-default port): http and https of one host compare equal."""
    try:
        parts = urlsplit(url if "//" in url else f"http://{url}")
        port = parts.port
    except ValueError:
        return None
    host = (parts.hostname or "").rstrip(".")
    if not host:
        return None
    if port == _DEFAULT_PORTS.get(parts.scheme):
        port = None
    return host, port


def _www_twin(key: tuple[str, int | None]) -> tuple[str, int | None]:
    host, port = key
    return (host[4:], port) if host.startswith("www.") else (f"www.{host}", port)


class Scope:
    def __init__(self, config: Config):
        keys = set()
        for url in config.site.start_urls:
            keys.add(_host_key(url))
        for url in config.site.aliases:
            keys.add(_host_key(url))
        if config.canonical_origin:
            canonical = _host_key(config.canonical_origin)
            keys.add(canonical)
            if canonical:
                keys.add(_www_twin(canonical))
        keys.discard(None)
        self._hosts = frozenset(keys)
        self._ignore = tuple(config.links.ignore)

    def fetchable(self, url: str) -> bool:
        return url.split(":", 1)[0].lower() in FETCHED_SCHEMES

    def well_formed(self, url: str) -> bool:
        """A host and, if given, a valid port: what any request needs."""
        try:
            parts = urlsplit(url)
            parts.port
        except ValueError:
            return False
        return bool(parts.hostname)

    @staticmethod
    def never_resolves(url: str) -> bool:
        """A host under .invalid, which RFC 6761 reserves to never resolve.

        Answered as a DNS error without asking any resolver: the name is known
        not to exist, and a lookup could leave the machine for nothing.
        """
        host = (urlsplit(url).hostname or "").rstrip(".")
        return host == "invalid" or host.endswith(".invalid")

    def internal(self, url: str) -> bool:
        return _host_key(url) in self._hosts

    def ignored(self, url: str) -> bool:
        """``[links] ignore`` globs, matched like the engine does (target as written, and without fragment)."""
        if not self._ignore:
            return False
        bare = url.split("#", 1)[0]
        return any(fnmatch.fnmatchcase(url, p) or fnmatch.fnmatchcase(bare, p) for p in self._ignore)
