"""sitemap.xml parsing, for the spider and for stored crawls (the orphan-page rule is in audits.rules.sitemap).

``parse_sitemap`` turns a sitemap body (``<urlset>``, ``<sitemapindex>``, or
a plain-text list of URLs; gzipped or not) into page URLs and child sitemap
URLs. It never raises on junk: a body it cannot read yields two empty lists.
"""
from __future__ import annotations

import zlib
from urllib.parse import urlsplit

from lxml import etree

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
