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


def media_type_of(body: bytes, default: str = "text/html") -> str:
    """The media type a file's content says it has: a feed, JSON, or ``default``."""
    head = (body or b"")[:2048].lstrip(b"\xef\xbb\xbf").lstrip()
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
