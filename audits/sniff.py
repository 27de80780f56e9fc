"""What a file in a build folder is, from its first bytes rather than its name.

Static exports (wget, HTTrack, Simply Static) save every URL as ``…/index.html``
or ``.htm``, so WordPress's ``/feed/`` (RSS), ``/comments/feed/`` (Atom) and
``/wp-json/`` (JSON) arrive with an HTML name. A web server would send them with
their own media type; this gives a file read from disk the same one.
"""
from __future__ import annotations

import re

_XML_DECL = re.compile(rb"^\s*<\?xml[^>]*\?>\s*(?:<!--.*?-->\s*)*", re.S)
_FEED_ROOT = {b"rss": "application/rss+xml", b"feed": "application/atom+xml", b"rdf:rdf": "application/rdf+xml"}
_ROOT = re.compile(rb"^\s*<([a-zA-Z][\w:.-]*)")
_WIDE_BOMS = (b"\xff\xfe", b"\xfe\xff")  # UTF-16 and UTF-32 start with one of these


def media_type_of(body: bytes, default: str = "text/html") -> str:
    """The media type a file's content says it has: a feed, JSON, binary data, or ``default``."""
    head = (body or b"")[:2048].lstrip(b"\xef\xbb\xbf").lstrip()
    if _binary(head):
        return "application/octet-stream"
    if head[:1] in (b"{", b"["):
        return "application/json"
    decl = _XML_DECL.match(head)
    rest = head[decl.end():] if decl else head
    root = _ROOT.match(rest)
    if root and root.group(1).lower() in _FEED_ROOT:
        return _FEED_ROOT[root.group(1).lower()]
    if decl and not rest[:14].lower().startswith(b"<!doctype html") and not (root and root.group(1).lower() == b"html"):
        return "application/xml"  # an XML declaration and a root that is not <html>: not a page
    return default


def _binary(head: bytes) -> bool:
    """NUL bytes outside UTF-16/32 text: an image or archive saved under an HTML name, which no browser
    would show as a page. UTF-16 without a BOM has a NUL in every other byte, so it is told apart."""
    if b"\x00" not in head or head.startswith(_WIDE_BOMS):
        return False
    even, odd = head[0::2], head[1::2]
    return not any(lane and lane.count(0) > 0.9 * len(lane) for lane in (even, odd))
