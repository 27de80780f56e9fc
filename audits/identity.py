"""Who the site is: its own hosts, its canonical URL, and when two URLs are one page.

Every part of siteproof that asks "is this host the site's own?" or "is this
the same page?" asks this module. ``SiteIdentity.from_config`` builds the answer
once from ``[site]`` and ``[links]``:

- the site's own hosts are the start URLs', the aliases', and the canonical
  URL's, www and apex alike, under http or https; a non-default port counts
  (``127.0.0.1:8000`` and ``127.0.0.1:8001`` are two sites);
- the names a page should not use for the site (``naming_problem``) are the
  canonical host's twin and the aliases, but not the start URLs: a crawl of a
  staging copy links to its staging host by design;
- old domains are former names, never the site's own.

Page keys need no configuration and are plain functions: ``page_key`` (one page
as a visitor reaches it), ``path_key`` (one page on any host, for baselines) and
``slash_twin``. Plain Python, no network.
"""
from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Iterable, Optional
from urllib.parse import unquote, urlsplit, urlunsplit

if TYPE_CHECKING:
    from audits.config import Config

DEFAULT_PORTS = {"http": 80, "https": 443}
FETCHED_SCHEMES = ("http", "https")  # mailto:, tel:, javascript:, data: ... are never requested

HostKey = tuple[str, Optional[int]]  # (host without "www.", explicit non-default port)


def bare_host(host: str) -> str:
    """A host name lower-cased, without a trailing dot or a leading ``www.``: www and apex alike."""
    host = host.lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


@lru_cache(maxsize=200_000)
def host_key(url: str) -> Optional[HostKey]:
    """(bare host, explicit non-default port) of a URL or a bare domain; None when it has no host.

    The scheme does not count: http and https of one host are the same site.
    """
    try:
        parts = urlsplit(url if "//" in url else f"//{url}")
        port = parts.port
    except ValueError:
        return None
    host = bare_host(parts.hostname or "")
    if not host:
        return None
    return host, (None if port == DEFAULT_PORTS.get(parts.scheme.lower()) else port)


@dataclass(frozen=True)
class Origin:
    scheme: str  # "" for a host written without one ("www.example.com/contact")
    host: str  # lower-cased, www kept
    port: Optional[int]  # the scheme's default port when none is written

    @property
    def netloc(self) -> str:
        return self.host if self.port in (None, DEFAULT_PORTS.get(self.scheme)) else f"{self.host}:{self.port}"

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.netloc}"


_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:(?!\d)", re.I)


@lru_cache(maxsize=200_000)  # the theme's links name the same few URLs on every page
def origin_of(url: str) -> Optional[Origin]:
    """The origin a URL (or a host written in text) names; None for mailto:, tel: and the like."""
    if "://" not in url and not url.startswith("//"):
        if _SCHEME.match(url):  # mailto:info@site, tel:, sms:: an address, not the site named by URL
            return None
        url = "//" + url
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        return None
    scheme = parts.scheme.lower()
    return Origin(scheme, host, DEFAULT_PORTS.get(scheme) if port is None and scheme else port)


def _twin(host: str) -> str:
    return host[4:] if host.startswith("www.") else "www." + host


@lru_cache(maxsize=200_000)
def page_key(url: str) -> str:
    """One key for the addresses of one page, as a visitor reaches it.

    The fragment is dropped, a trailing slash folded, percent-encoding decoded,
    and http/https, www/apex and an explicit default port merged: a link to any
    of them reaches the page. The query counts (``?page=2`` is another page).
    """
    parts = urlsplit(url.strip())
    host = bare_host(parts.hostname or "")
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = host if port in (None, 80, 443) else f"{host}:{port}"
    path = unquote(parts.path).rstrip("/") or "/"
    return urlunsplit(("", netloc, path, parts.query, ""))


_PAGE_SUFFIXES = ("/index.html", "/index.htm", ".html", ".htm")


def path_key(url: str) -> str:
    """A page's address without its origin: the path and query only.

    For matching one page across hosts (a staging copy and production, a build
    folder and the live site) and across a static site's spellings: /blog/a,
    /blog/a/, /blog/a.html and /blog/a/index.html are alike. Baseline files
    store these keys, so they must not change.
    """
    parts = urlsplit(url)
    path = parts.path or "/"
    lowered = path.lower()
    for suffix in _PAGE_SUFFIXES:
        if lowered.endswith(suffix):
            path = path[: -len(suffix)]
            break
    path = path.rstrip("/") or "/"
    return f"{path}?{parts.query}" if parts.query else path


def slash_twin(url: str) -> str:
    """The same URL with its trailing slash added or dropped (fragment dropped).

    Servers commonly answer both /post and /post/ without a redirect, and a
    crawler records whichever it met first.
    """
    base, sep, query = url.split("#", 1)[0].partition("?")
    return (base[:-1] if base.endswith("/") else base + "/") + sep + query


@dataclass(frozen=True)
class SiteIdentity:
    """The site's own hosts, names, old domains and ignored link targets, from ``Config``."""

    canonical: Optional[Origin] = None
    own: frozenset[HostKey] = frozenset()
    names: frozenset[str] = frozenset()  # canonical host, its twin and the aliases (www kept)
    old: frozenset[str] = frozenset()  # old domains and their twins
    ignore: tuple[str, ...] = ()  # [links] ignore globs

    @classmethod
    def from_config(cls, config: "Config", page_urls: Iterable[str] = ()) -> "SiteIdentity":
        """``page_urls`` name the site only when the configuration names no host at all."""
        canonical = origin_of(config.canonical_origin) if config.canonical_origin else None
        configured = [*config.site.start_urls, config.canonical_origin, *config.site.aliases]
        own = {host_key(u) for u in configured if u} or {host_key(u) for u in page_urls}
        own.discard(None)
        names: set[str] = {canonical.host, _twin(canonical.host)} if canonical else set()
        for alias in config.site.aliases:
            o = origin_of(alias)
            if o:
                names |= {o.host, _twin(o.host)}
        old: set[str] = set()
        for domain in config.site.old_domains:
            o = origin_of(domain)
            if o:
                old |= {o.host, _twin(o.host)}
        return cls(canonical, frozenset(own), frozenset(names), frozenset(old - names),
                   tuple(config.links.ignore))

    # ------------------------------------------------------------ hosts

    def is_own(self, url: str) -> bool:
        """The URL (or bare domain) is on one of the site's own hosts.

        Any scheme; www and apex alike; a non-default port counts, so another
        service on the same machine is another site.
        """
        return host_key(url) in self.own

    def is_old_domain(self, url: str) -> bool:
        o = origin_of(url)
        return o is not None and o.host in self.old

    def hosts(self) -> list[str]:
        """The site's own hosts as ``host`` or ``host:port``, sorted (www and apex as one)."""
        return sorted(h if p is None else f"{h}:{p}" for h, p in self.own)

    def naming_problem(self, url: str) -> Optional[str]:
        """Why a URL names the site wrongly ("scheme", "host", "port", "old-domain"), or None.

        Only the canonical host's www/apex twin, the aliases and the old domains
        are wrong names: the start URLs are where this crawl reached the site (a
        staging copy links to itself by design). A name without a scheme is
        judged on its host alone, since the reader's browser picks the scheme.
        """
        c = self.canonical
        o = origin_of(url)
        if c is None or o is None or (o.scheme and o.scheme not in DEFAULT_PORTS):
            return None
        if o.host in self.old:
            return "old-domain"
        if o.host not in self.names:
            return None
        if o.host != c.host:
            return "host"
        if o.scheme and o.scheme != c.scheme:
            return "scheme"
        if o.scheme and o.port != c.port:
            return "port"
        return None

    def canonical_form(self, url: str) -> str:
        """The same path, query and fragment on the canonical origin."""
        parts = urlsplit(url if "://" in url else "//" + url)
        c = self.canonical
        rest = parts.path or "/"
        if parts.query:
            rest += "?" + parts.query
        if parts.fragment:
            rest += "#" + parts.fragment
        return c.url + rest

    # ------------------------------------------------------------ targets

    def ignored(self, url: str) -> bool:
        """``[links] ignore``: a glob matches the target as written or without its fragment."""
        if not self.ignore:
            return False
        bare = url.split("#", 1)[0]
        return any(fnmatch.fnmatchcase(url, g) or fnmatch.fnmatchcase(bare, g) for g in self.ignore)
