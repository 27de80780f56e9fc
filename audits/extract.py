"""From fetched bytes to a Page: one pure function, no Scrapy, no network.

``extract_page(url, body, status=, headers=)`` decodes the body (BOM, HTTP
charset, <meta charset>, UTF-8, then windows-1252), parses it with lxml's HTML parser
(which records each element's source line) and walks the tree once, using
``audits.mainbody`` to know which region every element sits in (body, nav,
header, footer, sidebar, related-post) and where the main body is.
Decisions and measurements are in docs/extraction.md.
"""
from __future__ import annotations

import codecs
import json
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Optional
from urllib.parse import unquote, urljoin, urlsplit

import phonenumbers
from bs4.dammit import EncodingDetector
from lxml import etree

from audits import mainbody
from audits.identity import host_key
from audits.rules.cta import CtaOptions
from audits.mainbody import BODY, INVISIBLE
from audits.model import Cta, Heading, Image, Link, Page, Paragraph, PhoneSeen
from audits.readability import measure, words

ASSET = "asset"


@dataclass(frozen=True)
class ExtractOptions:
    phone_region: str = "US"
    cta_patterns: tuple[str, ...] = CtaOptions.patterns
    cta_href_patterns: tuple[str, ...] = CtaOptions.href_patterns
    cta_booking_hosts: tuple[str, ...] = CtaOptions.booking_hosts


def extract_options(config) -> ExtractOptions:
    """Options from ``[site] phone_region`` and ``[audits.cta]``."""
    cta = config.audit_options("cta")
    return ExtractOptions(phone_region=config.site.phone_region or "US",
                          cta_patterns=tuple(cta.patterns), cta_href_patterns=tuple(cta.href_patterns),
                          cta_booking_hosts=tuple(cta.booking_hosts))


# ---------------------------------------------------------------- content type and decoding

_HTML_TYPES = ("text/html", "application/xhtml+xml")
_SNIFFED_TYPES = ("", "application/octet-stream", "text/plain", "unknown/unknown")
_BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"RIFF", b"\x1f\x8b")
_HTML_START = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.I | re.S)


def media_type(content_type: Optional[str]) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def is_html(content_type: Optional[str], body: bytes) -> bool:
    """True when the response is an HTML page worth parsing (not a PDF, image, JSON, ...)."""
    head = (body or b"")[:1024].lstrip(b"\xef\xbb\xbf")
    if head.startswith(_BINARY_MAGIC):
        return False
    mt = media_type(content_type)
    if mt in _HTML_TYPES:
        return True
    if mt in _SNIFFED_TYPES and mt != "text/plain":
        return bool(_HTML_START.match(head))
    return False


_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
         (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
# WHATWG: a page labelled latin-1 or ascii is decoded as windows-1252, as browsers do.
_ALIASES = {"latin-1": "cp1252", "iso8859-1": "cp1252", "ascii": "cp1252", "us-ascii": "cp1252"}


def _codec(label: Optional[str]) -> Optional[str]:
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().strip("\"'")).name
    except LookupError:
        return None
    return _ALIASES.get(name, name)


def _charset(content_type: Optional[str]) -> Optional[str]:
    m = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", content_type or "", re.I)
    return m.group(1) if m else None


def decode(body: bytes, content_type: Optional[str] = None) -> tuple[str, str]:
    """The page's text and the encoding used: BOM, then HTTP charset, then <meta>, then UTF-8, then windows-1252."""
    for bom, enc in _BOMS:
        if body.startswith(bom):
            return body[len(bom):].decode(enc, "replace"), enc
    enc = _codec(_charset(content_type))
    if enc is None:
        enc = _codec(EncodingDetector.find_declared_encoding(body[:4096], is_html=True))
        if enc and enc.startswith("utf-16"):  # a <meta> we could read in ASCII cannot be right
            enc = "utf-8"
    if enc:
        return body.decode(enc, "replace"), enc
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        # Not UTF-8 and no label: the HTML standard's fallback for Western locales, as browsers
        # do. A statistical guess read "Déjà vu naïve" in latin-1 as "Déją vu naļve".
        return body.decode("cp1252", "replace"), "cp1252"


def _header(headers: Optional[Mapping[str, Any]], name: str) -> Optional[str]:
    if not headers:
        return None
    for key, value in headers.items():
        k = key.decode("latin-1") if isinstance(key, bytes) else str(key)
        if k.lower() == name:
            if isinstance(value, (list, tuple)):
                value = value[0] if value else ""
            return value.decode("latin-1") if isinstance(value, bytes) else str(value)
    return None


_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")


# Deeper than this, an element's descendants become its children (in document order): the
# tree walk stops at some depth, and nothing past it (links, text) may be lost silently.
FLATTEN_DEPTH = 250


def _flatten_deep(root) -> None:
    depth = {root: 0}
    for el in root.iter():
        parent = el.getparent()
        d = depth[el] = depth[parent] + 1 if parent is not None else 0
        if d == FLATTEN_DEPTH:
            for node in list(el.iterdescendants()):
                el.append(node)  # moves it with its tail; its own descendants follow it out


def parse(body: bytes, headers: Optional[Mapping[str, Any]] = None):
    """The lxml root of an HTML body (None for an empty document)."""
    return parse_checked(body, headers)[0]


def parse_checked(body: bytes, headers: Optional[Mapping[str, Any]] = None):
    """The lxml root, and why the parser stopped early (None when it read the whole page).

    huge_tree lifts libxml2's element depth limit from 256 to 2048: a page with
    300 unclosed ``<p><font>`` blocks is read to its end. Deeper than that the
    parser drops the rest of the page, which must be said, not silently lost.
    """
    text, _ = decode(body, _header(headers, "content-type"))
    # lxml refuses str input that still carries an XML encoding declaration.
    text = _XML_DECL.sub("", text, count=1).replace("\x00", "")
    if not text.strip():
        return None, None
    parser = etree.HTMLParser(no_network=True, remove_pis=True, huge_tree=True)
    root = etree.fromstring(text, parser)
    stopped = next((e for e in parser.error_log if "Excessive depth" in e.message), None)
    if root is not None:
        _flatten_deep(root)
    problem = None
    if stopped is not None:
        problem = f"elements nested deeper than 2048 levels near line {stopped.line}; the rest of the page was not read"
    return root, problem


# ---------------------------------------------------------------- URLs

_STRIP = "".join(chr(c) for c in range(0x21)) + "\x7f"


def clean_href(href: str) -> str:
    # Browsers drop surrounding whitespace/control characters and any tab or newline inside.
    return href.strip(_STRIP).replace("\t", "").replace("\n", "").replace("\r", "")


def resolve(base: str, href: str) -> str:
    href = clean_href(href)
    if href[:5].lower() == "data:":
        # Inline data can be megabytes; the media type is all a report needs.
        return href if len(href) <= 120 else href.split(",", 1)[0] + ",…"
    try:
        return urljoin(base, href)
    except ValueError:
        return href


def srcset_urls(value: str) -> list[str]:
    """The URLs of a srcset attribute (commas inside URLs kept, as the HTML spec parses it)."""
    out = []
    i, n = 0, len(value)
    while i < n:
        while i < n and (value[i].isspace() or value[i] == ","):
            i += 1
        start = i
        while i < n and not value[i].isspace():
            i += 1
        url = value[start:i]
        if url.endswith(","):
            url = url.rstrip(",")
        else:
            depth = 0
            while i < n and (value[i] != "," or depth):
                depth += {"(": 1, ")": -1}.get(value[i], 0)
                i += 1
        if url:
            out.append(url)
    return out


# ---------------------------------------------------------------- the walk

_BLOCK = frozenset({
    "html", "body", "p", "div", "section", "article", "main", "header", "footer", "nav", "aside", "ul", "ol",
    "li", "dl", "dt", "dd", "blockquote", "pre", "table", "thead", "tbody", "tfoot", "tr", "td", "th",
    "caption", "h1", "h2", "h3", "h4", "h5", "h6", "figure", "figcaption", "form", "fieldset", "legend",
    "hr", "address", "details", "summary", "center", "button", "label", "option", "textarea", "menu",
})
_HIDDEN_CLASSES = frozenset({"screen-reader-text", "sr-only", "visually-hidden", "screen-reader-only",
                             "elementor-screen-only", "hidden"})
# Resource hints name an origin, and rel="pingback" (WordPress) an endpoint for POSTs that answers
# 405 to a GET: a browser loads none of them.
_NO_FETCH_RELS = frozenset({"dns-prefetch", "preconnect", "pingback"})
# CSS url(...) in a style attribute: page builders (Divi, Elementor, Wix) set background images this way.
_STYLE_URL = re.compile(r"url\(\s*(['\"]?)([^'\")]+)\1\s*\)", re.I)
_LAZY_SRC = ("data-src", "data-lazy-src")
_MEDIA_SRC = ("source", "video", "audio", "track", "embed")


@dataclass
class _Block:
    text: str
    links: list
    line: Optional[int]
    ctx: str
    main: bool
    form: bool
    heading: bool
    hidden: bool
    linked: int = 0  # characters of link text
    ctas: list = field(default_factory=list)


@dataclass
class _State:
    ctx: str = BODY
    main: bool = False
    hidden: bool = False
    form: bool = False
    heading: bool = False
    link: bool = False


class _Walker:
    def __init__(self, url: str, base: str, lay: mainbody.Layout, opts: ExtractOptions):
        self.url, self.base, self.lay, self.opts = url, base, lay, opts
        self.region = lay.region
        self.links: list[Link] = []
        self.images: list[Image] = []
        self.headings: list[Heading] = []
        self.anchors: dict[str, None] = {}
        self.tel: list[tuple[str, str, str, Optional[int]]] = []  # href, link text, ctx, line
        self.ctas: list[Cta] = []
        self.blocks: list[_Block] = []
        self.meta: dict[str, str] = {}
        self.title: Optional[str] = None
        self.canonical: Optional[str] = None
        self.jsonld: list[str] = []
        self._parts: list[str] = []
        self._links: list[str] = []
        self._line: Optional[int] = None
        self._key: Optional[tuple] = None
        self._linked = 0
        self._resolved: dict[str, str] = {}
        self._ctas: list[Cta] = []
        self.host = host_key(url)
        self._cta = re.compile("|".join(r"\b" + re.escape(p) for p in opts.cta_patterns) or r"(?!)", re.I)
        self._cta_href = tuple(p.lower() for p in opts.cta_href_patterns)
        self._booking = tuple(h.lower().strip(".") for h in opts.cta_booking_hosts if h.strip("."))

    # text blocks -------------------------------------------------------------
    def flush(self) -> None:
        if not self._parts and not self._ctas:
            self._key = None
            return
        if self._parts:
            text = " ".join("".join(self._parts).split())
            if text:
                ctx, main, form, heading, hidden = self._key
                self.blocks.append(_Block(text, self._links, self._line, ctx, main, form, heading, hidden,
                                          self._linked, self._ctas))
                self._ctas = []
        self.ctas.extend(self._ctas)  # a CTA with no text around it (an image link) stands alone
        self._parts, self._links, self._key, self._linked, self._ctas = [], [], None, 0, []

    def add_text(self, text: str, st: _State, line: Optional[int]) -> None:
        key = (st.ctx, st.main, st.form, st.heading, st.hidden)
        if key != self._key:
            if self._parts and not text.strip():
                return
            self.flush()
            self._key, self._line = key, line
        if not self._parts and not text.strip():
            return
        self._parts.append(text)

    # links -------------------------------------------------------------------
    def resolve(self, href: str) -> str:
        target = self._resolved.get(href)
        if target is None:
            target = self._resolved[href] = resolve(self.base, href)
        return target

    def add_link(self, target_href: str, el, ctx: str, text: str = "", rel: str = "", tag: str = "") -> str:
        target = self.resolve(target_href)
        self.links.append(Link(target=target, text=text, context=ctx, tag=tag or el.tag, rel=rel,
                               line=el.sourceline))
        return target

    def walk(self, el, st: _State, depth: int = 0) -> None:
        tag = el.tag
        ctx = self.region.get(el, st.ctx)
        main = st.main or el is self.lay.main
        hidden = st.hidden or _hidden(el)
        st = _State(ctx, main, hidden, st.form or tag == "form", st.heading or tag in _HEADINGS, st.link)
        ident = el.get("id")
        if ident:
            self.anchors.setdefault(ident.strip(), None)
        self.element(el, tag, st)
        style = el.get("style")
        if style and "url(" in style.lower():
            self.style_urls(el, style)
        if tag in ("script", "style", "template") or depth > 400:
            return
        if tag in INVISIBLE:
            st.hidden = True
        if tag in ("a", "area") and el.get("href") is not None:
            st.link = True
        block = tag in _BLOCK
        if block:
            self.flush()
        if el.text and not st.hidden:
            self.add_text(el.text, st, el.sourceline)
        for child in el:
            if isinstance(child.tag, str):
                self.walk(child, st, depth + 1)
                if child.tag in _BLOCK:
                    self.flush()
            if child.tail and not st.hidden:
                self.add_text(child.tail, st, child.sourceline)
        if tag == "a" and el.get("href") is not None:
            self._links.append(self.resolve(el.get("href")))
            self._linked += len(" ".join(el.xpath("string()").split()))
        if block:
            self.flush()

    def element(self, el, tag: str, st: _State) -> None:
        get = el.get
        if tag in ("a", "area"):
            name = get("name")
            if name and tag == "a":
                self.anchors.setdefault(name.strip(), None)
            href = get("href")
            if href is None:
                return
            text = link_text(el)
            target = self.add_link(href, el, st.ctx, text, get("rel") or "")
            if target[:4].lower() == "tel:":
                self.tel.append((target, text, st.ctx, el.sourceline))
            if st.main and st.ctx == BODY and tag == "a":
                self.cta_link(target, text, el)
        elif tag == "img":
            src = get("src")
            lazy = get("data-src") or get("data-lazy-src")
            if lazy and (not src or src.strip().startswith("data:")):
                src = lazy
            alt = get("alt")
            if src is not None and src.strip():
                target = self.add_link(src, el, ASSET, alt or "")
                self.images.append(Image(src=target, alt=alt, context=st.ctx, line=el.sourceline))
            for attr in ("srcset", "data-srcset", "data-lazy-srcset"):
                if get(attr):
                    for u in srcset_urls(get(attr)):
                        self.add_link(u, el, ASSET, alt or "")
        elif tag in _MEDIA_SRC:
            # Lazy loaders (lazysizes, Wix, WP Rocket) keep the real URL in data-src/data-srcset
            # until the element scrolls into view; the browser then loads it all the same.
            src = get("src") or next((get(a) for a in _LAZY_SRC if get(a)), None)
            if src and src.strip():
                self.add_link(src, el, ASSET)
            for attr in ("srcset", "data-srcset"):
                if get(attr):
                    for u in srcset_urls(get(attr)):
                        self.add_link(u, el, ASSET)
            if tag == "video" and get("poster"):
                self.add_link(get("poster"), el, ASSET)
        elif tag == "link":
            rel = " ".join((get("rel") or "").lower().split())
            href = get("href")
            if href is None or not href.strip() or set(rel.split()) & _NO_FETCH_RELS:
                return
            target = self.add_link(href, el, ASSET, rel=rel)
            if "canonical" in rel.split() and self.canonical is None:
                self.canonical = target
        elif tag in ("script", "iframe"):
            if st.main and st.ctx == BODY:
                self.cta_embed(el)
            src = get("src")
            if tag == "iframe" and (not src or not src.strip() or src.strip().lower() == "about:blank"):
                src = next((get(a) for a in _LAZY_SRC if get(a)), src)  # a lazy-loaded embed
            if src and src.strip():
                self.add_link(src, el, ASSET)
            elif tag == "script" and "ld+json" in (get("type") or "").lower() and el.text:
                self.jsonld.append(el.text)
        elif tag == "object" and get("data"):
            self.add_link(get("data"), el, ASSET)
        elif tag == "meta":
            self.meta_tag(el)
        elif tag == "title" and self.title is None:
            self.title = " ".join((el.text or "").split())
        elif tag in _HEADINGS:
            text = " ".join(el.xpath("string()").split())
            self.headings.append(Heading(level=int(tag[1]), text=text, line=el.sourceline))
        elif tag == "form":
            if st.main and st.ctx == BODY:
                self.cta_form(el)
        elif tag == "div" and get("data-url"):  # Calendly's inline widget
            if st.main and st.ctx == BODY:
                self.cta_widget(el)
        elif tag in ("button", "input"):
            if st.main and st.ctx == BODY and not st.link and not st.form:
                text = " ".join(el.xpath("string()").split()) if tag == "button" else (get("value") or "")
                if text and self.cta_text(text):
                    self.ctas.append(Cta(kind=_cta_kind(text, ""), text=text, href=None, line=el.sourceline))

    def meta_tag(self, el) -> None:
        name = (el.get("name") or el.get("property") or "").strip().lower()
        content = el.get("content")
        if content is None:
            return
        if name and name not in self.meta:
            self.meta[name] = " ".join(content.split())
        if (el.get("http-equiv") or "").strip().lower() == "refresh":
            m = re.search(r"url\s*=\s*['\"]?([^'\"]+)", content, re.I)
            if m:
                # The text is the content as written ("0; url=/new/"): its delay tells a redirect
                # (0 s) from a page that shows itself first (links.redirected_link reads it).
                self.add_link(m.group(1), el, BODY, " ".join(content.split()), tag="meta-refresh")

    def style_urls(self, el, style: str) -> None:
        """Images a style attribute loads (background-image: url(...)); tag "style", so never crawled."""
        for m in _STYLE_URL.finditer(style):
            url = m.group(2).strip()
            if url and not url.startswith("#") and url[:5].lower() != "data:":
                self.add_link(url, el, ASSET, tag="style")

    # calls to action ----------------------------------------------------------
    def cta_text(self, text: str) -> bool:
        """Text matching a CTA pattern, "book" used as a noun ("Dr. Lee's book, …") aside."""
        for m in self._cta.finditer(text):
            if m.group(0).lower() == "book" and _book_noun(text, m.start()):
                continue
            return True
        return False

    def booking_host(self, url: str) -> bool:
        host = (urlsplit(url).hostname or "").lower().rstrip(".") if "//" in url else ""
        return bool(host) and any(host == h or host.endswith("." + h) for h in self._booking)

    def cta_link(self, target: str, text: str, el) -> None:
        scheme = target.split(":", 1)[0].lower()
        if scheme == "tel":
            self._ctas.append(Cta(kind="tel", text=text, href=target, line=el.sourceline))
            return
        if scheme in ("sms", "mailto"):  # "Text us", "Email our care team": a way to ask
            self._ctas.append(Cta(kind="contact", text=text, href=target, line=el.sourceline))
            return
        if scheme in ("javascript", "data"):
            return
        path = ""
        if scheme in ("http", "https"):
            parts = urlsplit(target)
            # href patterns describe this site's pages: "/books/" on another site is not a booking page.
            if host_key(target) == self.host:
                path = parts.path.lower()
            elif self.booking_host(target):  # Calendly, Zocdoc, Jane…: booking whatever the wording
                self._ctas.append(Cta(kind="appointment", text=text, href=target, line=el.sourceline))
                return
        if (text and self.cta_text(text)) or any(p in path for p in self._cta_href):
            self._ctas.append(Cta(kind=_cta_kind(text, path), text=text, href=target, line=el.sourceline))

    def cta_embed(self, el) -> None:
        """An iframe or script that embeds a booking service or form (Acuity, Calendly, HubSpot…)."""
        src = (el.get("src") or "").strip()
        url = self.resolve(src) if src else ""
        if el.tag == "script" and not src:
            m = _EMBED_SCRIPT.search(el.text or "")
            url = m.group(1) if m and m.group(1) else ("https://js.hsforms.net/" if m else "")
        if url and self.booking_host(url) and not url.startswith("https://js.hsforms.net/forms/embed/"):
            self.ctas.append(Cta(kind="form", text=el.get("title") or "", href=url, line=el.sourceline))

    def cta_widget(self, el) -> None:
        url = (el.get("data-url") or "").strip()
        if url and self.booking_host(self.resolve(url)):
            self.ctas.append(Cta(kind="form", text="", href=self.resolve(url), line=el.sourceline))

    def cta_form(self, form) -> None:
        if (form.get("role") or "").lower() == "search" or form.xpath(".//input[@type='search' or @name='s']"):
            return
        submits = form.xpath(".//button[not(@type) or translate(@type,'SUBMIT','submit')='submit']"
                             " | .//input[translate(@type,'SUBMITAGE','submitage')='submit'"
                             " or translate(@type,'SUBMITAGE','submitage')='image']")
        if not submits:
            return
        s = submits[0]
        text = " ".join(s.xpath("string()").split()) if s.tag == "button" else (s.get("value") or s.get("alt") or "")
        action = form.get("action")
        href = resolve(self.base, action) if action and action.strip() else self.url
        self.ctas.append(Cta(kind="form", text=text, href=href, line=form.sourceline))


_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_APPOINTMENT = re.compile(r"appointment|\bbook|schedul|request|reserv|consult", re.I)


# "book" as a noun: after an article or possessive ("the book", "Dr. Lee's book"), or followed by
# a comma, "s", "store", "club", "by"… ("book, The Body Keeps the Score").
_BOOK_NOUN_BEFORE = re.compile(r"(?:\b(?:a|an|the|this|that|his|her|their|its|my|new|latest|free|e-)\s*|['’]s\s+)$", re.I)
_BOOK_NOUN_AFTER = re.compile(r"(?:s|store|shelf|let|mark|keeping|ed)?\s*[,:;)]|(?:s|store|shelf|let|mark|keeping)\b"
                              r"|\s+(?:by|about|on|review|club|cover|title)\b", re.I)
# A HubSpot form embedded by script ("hbspt.forms.create"), or a Calendly/Acuity script naming its URL.
_EMBED_SCRIPT = re.compile(r"hbspt\.forms\.create|Calendly\.init\w*\(\s*\{\s*url\s*:\s*['\"]([^'\"]+)")


def _book_noun(text: str, start: int) -> bool:
    return bool(_BOOK_NOUN_BEFORE.search(text[:start]) or _BOOK_NOUN_AFTER.match(text, start + 4))


def _cta_kind(text: str, href: str) -> str:
    return "appointment" if _APPOINTMENT.search(text) or _APPOINTMENT.search(href) else "contact"


def _hidden(el) -> bool:
    if el.get("hidden") is not None or el.get("aria-hidden") == "true":
        return True
    style = el.get("style")
    if style and re.search(r"display\s*:\s*none|visibility\s*:\s*hidden", style, re.I):
        return True
    cls = el.get("class")
    return bool(cls) and not _HIDDEN_CLASSES.isdisjoint(cls.split())


def link_text(el) -> str:
    """A link's text; for an image link its alt, then the title or aria-label."""
    text = " ".join(t for t in el.xpath(".//text()[not(ancestor::script or ancestor::style)]"))
    text = " ".join(text.split())
    if text:
        return text
    for img in el.iter("img"):
        if img.get("alt"):
            return " ".join(img.get("alt").split())
    return " ".join((el.get("title") or el.get("aria-label") or "").split())


# ---------------------------------------------------------------- phones and text URLs

# Seven digits with at most a few separators between them: the cheapest test that a block may hold a phone.
_PHONE_HINT = re.compile(r"\d(?:[\s().\-]{0,3}\d){6}")


def _e164(num) -> str:
    return phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)


def phones_in_text(text: str, region: str, bare: bool = False) -> list[tuple[str, str]]:
    """(E.164, raw) for each valid number in visible text (``bare``: digit runs count too)."""
    if not _PHONE_HINT.search(text):
        return []
    # An unbroken run of digits ("Order 2024061233") is an id far more often than a phone number
    # written for people, who group digits; such runs are skipped. A number labelled as a fax
    # ("Fax: (559) 425-1119") is not one patients call, and is skipped too.
    return [(_e164(m.number), m.raw_string)
            for m in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID)
            if (bare or not m.raw_string.isdigit()) and not _FAX_LABEL.search(text, max(0, m.start - 16), m.start)]


_FAX_LABEL = re.compile(r"(?<![a-z])fax\W{0,4}$", re.I)  # "<br>" joins "…1118Fax:": no \b before fax


def phone_from_tel(href: str, region: str) -> Optional[tuple[str, str]]:
    raw = unquote(href.split(":", 1)[1]).split(";", 1)[0].strip()
    try:
        num = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    return _e164(num), raw


_TLDS = ("com|org|net|edu|gov|us|co|io|info|biz|health|clinic|care|md|me|ca|uk|de|au|mx|"
         "doctor|dental|med|medical|center|services|online|site|app|ai|tv")
_TEXT_URL = re.compile(
    r"\bhttps?://[^\s<>\"']+"
    r"|(?<![@\w.-])www\.[a-z0-9-]+(?:\.[a-z0-9-]+)+(?:[/?#][^\s<>\"']*)?"
    r"|(?<![@\w./-])(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:" + _TLDS + r")\b(?![.-]?\w)(?:/[^\s<>\"']*)?",
    re.I)
_TRAILING = ".,;:!?)]}>'\"’”»"


def urls_in_text(text: str) -> list[str]:
    """URLs and bare domains written in prose, as written, without the punctuation after them."""
    out = []
    for m in _TEXT_URL.finditer(text):
        u = m.group(0)
        while u and u[-1] in _TRAILING:
            if u[-1] == ")" and u.count("(") >= u.count(")"):
                break
            u = u[:-1]
        if "." in u:
            out.append(u)
    return out


# ---------------------------------------------------------------- is_article

_ARTICLE_TYPES = frozenset({"article", "blogposting", "newsarticle", "medicalwebpage", "medicalscholarlyarticle",
                            "scholarlyarticle", "techarticle", "report"})
_LISTING_BODY = frozenset({"home", "blog", "archive", "category", "tag", "search", "error404", "author",
                           "date", "page-template-contact", "search-results", "post-type-archive"})
_POST_BODY = frozenset({"single-post", "single-format-standard", "single"})


def _jsonld_types(texts: Iterable[str]) -> set[str]:
    found: set[str] = set()

    def visit(node):
        if isinstance(node, dict):
            t = node.get("@type")
            for v in (t if isinstance(t, list) else [t]):
                if isinstance(v, str):
                    found.add(v.lower())
            for key in ("@graph", "mainEntity", "mainEntityOfPage"):
                if key in node:
                    visit(node[key])
        elif isinstance(node, list):
            for item in node:
                visit(item)

    for text in texts:
        try:
            visit(json.loads(text))
        except ValueError:
            continue
    return found


def article_signals(url: str, body_classes: set[str], og_type: str, ld_types: set[str], listing: bool,
                    h1_count: int, word_count: int, has_article_el: bool) -> tuple[bool, str]:
    """Whether a page is a blog post/article, and the signal that decided it."""
    if urlsplit(url).path in ("", "/"):
        return False, "home page"
    if body_classes & _LISTING_BODY:
        return False, "listing body class"
    if listing:
        return False, "several articles"
    if og_type == "article":
        return True, "og:type"
    if ld_types & _ARTICLE_TYPES:
        return True, "json-ld"
    if body_classes & _POST_BODY or any(c.startswith("postid-") for c in body_classes):
        return True, "post body class"
    if og_type == "website" and not has_article_el:
        return False, "og:type website"
    if word_count >= 150 and h1_count == 1:
        return True, "long body, one h1"
    return False, "short or untitled"


# ---------------------------------------------------------------- public API


def extract_page(url: str, body: bytes, *, status: int = 200, headers: Optional[Mapping[str, Any]] = None,
                 options: Optional[ExtractOptions] = None, source_path: Optional[str] = None) -> Page:
    """Everything siteproof needs from one fetched page."""
    opts = options or ExtractOptions()
    content_type = _header(headers, "content-type")
    ctype = media_type(content_type) or "text/html"
    if not is_html(content_type or "text/html", body or b""):
        return Page(url=url, status=status, content_type=ctype, source_path=source_path)
    root, parse_error = parse_checked(body, headers)
    if root is None:
        return Page(url=url, status=status, content_type=ctype, source_path=source_path)

    base = url
    for b in root.iter("base"):
        if b.get("href") and b.get("href").strip():
            base = resolve(url, b.get("href"))
            break
    body_el = root.find("body")
    if body_el is None:
        body_el = root
    lay = mainbody.layout(root, body_el)
    w = _Walker(url, base, lay, opts)
    w.walk(root, _State(ctx=BODY if root is body_el else mainbody.HEADER))
    w.flush()

    # The main body: prose blocks (not headings, not form labels) in the main element's body region.
    in_body = [b for b in w.blocks if b.main and b.ctx == BODY and not b.hidden and not _boilerplate_block(b)]
    paragraphs = tuple(
        Paragraph(text=b.text, links=tuple(dict.fromkeys(b.links)), line=b.line)
        for b in in_body if not b.heading and not b.form and not _standalone_link(b))
    ctas = sorted(w.ctas + [c for b in in_body for c in b.ctas], key=lambda c: c.line or 0)
    body_text = "\n\n".join(p.text for p in paragraphs)
    word_count = words(body_text)

    phones: list[PhoneSeen] = []
    text_urls: list[str] = []
    for b in w.blocks:
        if b.hidden:
            continue
        for number, raw in phones_in_text(b.text, opts.phone_region):
            phones.append(PhoneSeen(number=number, raw=raw, via="text", context=b.ctx, line=b.line))
        if "." in b.text:
            text_urls.extend(urls_in_text(b.text))
    for href, text, ctx, line in w.tel:
        parsed = phone_from_tel(href, opts.phone_region)
        if parsed is None:
            continue
        shown = phones_in_text(text, opts.phone_region, bare=True)
        phones.append(PhoneSeen(number=parsed[0], raw=parsed[1], via="tel", context=ctx,
                                shown=shown[0][0] if shown else None, line=line))
    phones.sort(key=lambda p: p.line or 0)

    related: dict[str, str] = {}  # fetch URL -> the first URL as linked
    for link in w.links:
        if (link.context == mainbody.RELATED and link.tag in ("a", "area") and link.fetch_url != url.split("#", 1)[0]
                and urlsplit(link.target).scheme in ("http", "https")):
            related.setdefault(link.fetch_url, link.target)

    body_classes = set((body_el.get("class") or "").lower().split())
    is_article, _why = article_signals(
        url, body_classes, w.meta.get("og:type", "").lower(), _jsonld_types(w.jsonld) if w.jsonld else set(),
        lay.listing, sum(1 for h in w.headings if h.level == 1), word_count,
        lay.main is not None and lay.main.tag == "article")

    return Page(
        url=url, status=status, content_type=ctype,
        title=w.title, meta_description=w.meta.get("description"), canonical=w.canonical,
        meta_robots=w.meta.get("robots"), lang=(root.get("lang") or "").strip() or None,
        headings=tuple(w.headings), anchors=tuple(a for a in w.anchors if a),
        links=tuple(w.links), images=tuple(w.images), phones=tuple(phones), ctas=tuple(ctas),
        text_urls=tuple(dict.fromkeys(text_urls)),
        body_text=body_text, paragraphs=paragraphs, is_article=is_article, word_count=word_count,
        readability=measure(body_text, [p.text for p in paragraphs]) if is_article else None,
        related_posts=tuple(related.values()), source_path=source_path, parse_error=parse_error,
    )


_COPYRIGHT = re.compile(r"©|&copy;|\(c\)\s*\d{4}|all rights reserved", re.I)


def _boilerplate_block(b: _Block) -> bool:
    # A copyright line or a row of links ("Home | About | Blog") is template, wherever it sits.
    if _COPYRIGHT.search(b.text) and len(b.text) < 200:
        return True
    return len(b.links) >= 3 and b.linked >= 0.7 * len(b.text)


def _standalone_link(b: _Block) -> bool:
    # A button or a lone link ("Schedule a Consultation") is a call to action, not prose.
    return b.linked >= 0.9 * len(b.text) and len(b.text.split()) <= 8


_IDS = etree.XPath("//@id | //a/@name")


def anchors_of(body: bytes, headers: Optional[Mapping[str, Any]] = None) -> tuple[str, ...]:
    """Element ids and <a name>s: the valid #fragment targets of a page (cheap: no region analysis)."""
    try:
        root = parse(body or b"", headers)
    except (etree.ParserError, ValueError):
        return ()
    if root is None:
        return ()
    return tuple(dict.fromkeys(str(v).strip() for v in _IDS(root) if str(v).strip()))
