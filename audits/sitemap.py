"""sitemap.xml: parsing for the spider, and the orphan-page rule.

``parse_sitemap`` turns a sitemap body (``<urlset>``, ``<sitemapindex>``, or
a plain-text list of URLs; gzipped or not) into page URLs and child sitemap
URLs. It never raises on junk: a body it cannot read yields two empty lists.
"""
from __future__ import annotations

from functools import lru_cache

import zlib
from typing import TYPE_CHECKING, Iterator
from urllib.parse import urlsplit, urlunsplit

from lxml import etree

from audits.model import Hit
from audits.registry import site_rule

if TYPE_CHECKING:
    from audits.engine import Site

# The sitemaps protocol caps a sitemap at 50 MB uncompressed; more is a gzip bomb or junk.
MAX_SITEMAP_BYTES = 50 * 1024 * 1024

_GZIP_MAGIC = b"\x1f\x8b"


def _gunzip(body: bytes) -> bytes:
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        data = inflater.decompress(body, MAX_SITEMAP_BYTES)
    except zlib.error:
        return b""
    return b"" if inflater.unconsumed_tail else data


def _local(tag) -> str:
    return etree.QName(tag).localname.lower() if isinstance(tag, str) else ""


def _http(url: str) -> bool:
    return urlsplit(url).scheme.lower() in ("http", "https") and bool(urlsplit(url).netloc)


def _dedupe(urls) -> list[str]:
    return list(dict.fromkeys(u for u in urls if _http(u)))


def parse_sitemap(body: bytes) -> tuple[list[str], list[str]]:
    """(page URLs, child sitemap URLs) listed in a sitemap or sitemap index."""
    if body[:2] == _GZIP_MAGIC:
        body = _gunzip(body)
    body = body.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not body:
        return [], []
    if not body.startswith(b"<"):
        # Text sitemaps: one URL a line (sitemaps.org, "Text file").
        text = body.decode("utf-8", "replace")
        return _dedupe(line.strip() for line in text.splitlines()), []
    # No entities, no network, recover from sloppy markup: sitemaps come from anywhere.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True,
                             remove_comments=True, remove_pis=True)
    try:
        root = etree.fromstring(body, parser)
    except (etree.XMLSyntaxError, ValueError):
        return [], []
    if root is None:
        return [], []
    kind = _local(root.tag)
    if kind not in ("urlset", "sitemapindex"):
        return [], []
    entry = "url" if kind == "urlset" else "sitemap"
    locs = []
    for element in root:
        if _local(element.tag) != entry:
            continue
        for child in element:
            if _local(child.tag) == "loc" and child.text:
                locs.append(child.text.strip())
                break
    locs = _dedupe(locs)
    return (locs, []) if kind == "urlset" else ([], locs)


@lru_cache(maxsize=200_000)
def same_page(url: str) -> str:
    """One key for the addresses of one page.

    The fragment is dropped, a trailing slash folded, and http/https and
    www/apex variants merged: a link to any of them reaches the page.
    """
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    host = host[4:] if host.startswith("www.") else host
    port = f":{parts.port}" if parts.port not in (None, 80, 443) else ""
    path = parts.path.rstrip("/") or "/"
    return urlunsplit(("", host + port, path, parts.query, ""))


@site_rule("orphan-page", "warning")
def orphan_page(site: "Site", opts: None) -> Iterator[Hit]:
    """A page listed in sitemap.xml that no crawled page links to.

    **Why it matters.** Visitors can only reach an orphan page from search or
    a bookmark, and search engines treat a page the site itself never links
    to as unimportant.

    **Example.** An old campaign landing page still listed in the sitemap but
    removed from every menu and post.

    **How to fix.** Link the page from a related post or the menu, or drop it
    from the sitemap (and redirect it) if it is obsolete. Links count whatever
    their form: `/a` and `/a/`, `http://` and `https://`, `www.` or not, with
    a fragment or not, or through a redirect. A page linking only to itself
    does not count, nor do asset references. Not reported: the home page and
    start URLs, sitemap URLs that answer with an error (a broken sitemap
    entry, not an orphan), and nothing at all when no sitemap was found or
    only some files of a site were checked.
    """
    if not site.sitemap_found or site.partial:
        return
    linked: set[str] = set()
    for page in site.pages.values():
        own = same_page(page.url)
        for link in page.links:
            if link.context == "asset":
                continue
            fetch = site.fetch(link.target)
            for url in (link.target, fetch.final_url if fetch and fetch.final_url else None):
                if url and same_page(url) != own:
                    linked.add(same_page(url))
    cfg = site.config
    homes = {same_page(u) for u in cfg.site.start_urls}
    homes |= {same_page(f"{p.scheme}://{p.netloc}/") for p in map(urlsplit, cfg.site.start_urls)}
    if cfg.canonical_origin:
        homes.add(same_page(cfg.canonical_origin + "/"))
    reported: set[str] = set()
    for url in site.sitemap_urls:
        key = same_page(url)
        if key in homes or key in linked or key in reported:
            continue
        fetch = site.fetch(url)
        page = site.page_at(url)
        if (fetch and fetch.is_broken) or (page and page.status >= 400):
            continue
        if fetch and fetch.final_url and same_page(fetch.final_url) in linked | homes:
            continue
        reported.add(key)
        yield Hit(
            f"{url} is listed in the sitemap but no crawled page links to it; "
            "link it from a related page or the menu, or drop it from the sitemap.",
            url=url, evidence={"in_sitemap": True, "crawled": page is not None},
        )
