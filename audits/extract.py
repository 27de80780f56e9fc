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
import functools
import json
import re
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Optional
from urllib.parse import unquote, urljoin, urlsplit, uses_relative

import phonenumbers
from lxml import etree

from audits import kinds, mainbody, relatedblocks
from audits.mainbody import BODY, INVISIBLE, text_of
from audits.model import Action, Heading, Image, Link, Page, Paragraph, PhoneSeen, RelatedBlock
from audits.phonetext import HELP_SECTIONS, OTHER_LINES, dialled, owner_named
from audits.readability import measure
from audits.wordcount import tally, words_of

ASSET = "asset"


@dataclass(frozen=True)
class ExtractOptions:
    phone_region: str = "US"
    other_lines: tuple[str, ...] = OTHER_LINES


def extract_options(config) -> ExtractOptions:
    """Options from ``[site] phone_region`` and ``[audits.phone] other_lines``."""
    return ExtractOptions(phone_region=config.site.phone_region or "US",
                          other_lines=tuple(config.audit_options("phone").other_lines))


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
        # Imported here: bs4 costs a quarter of a second to import, and a server that labels its pages
        # (or a re-crawl answered with 304s) never needs it.
        from bs4.dammit import EncodingDetector

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


# Whether any element sits FLATTEN_DEPTH levels below the root, asked of libxml2: almost no page
# has one, and finding out in Python read every element's depth.
_AT_FLATTEN_DEPTH = etree.XPath("boolean(self::*" + "/*" * FLATTEN_DEPTH + ")")


def _flatten_deep(root) -> None:
    if not _AT_FLATTEN_DEPTH(root):
        return
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
    # Handed to libxml2 as UTF-8 with the encoding named: a str is converted by lxml first, which made
    # parsing a fifth slower (the trees and line numbers are the same: compared on 5,900 pages).
    parser = etree.HTMLParser(no_network=True, remove_pis=True, huge_tree=True, encoding="utf-8")
    root = etree.fromstring(text.encode("utf-8"), parser)
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
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_HIDDEN_CLASSES = frozenset({"screen-reader-text", "sr-only", "visually-hidden", "screen-reader-only",
                             "elementor-screen-only", "hidden"})
# Resource hints name an origin, and rel="pingback" (WordPress) an endpoint for POSTs that answers
# 405 to a GET: a browser loads none of them.
_NO_FETCH_RELS = frozenset({"dns-prefetch", "preconnect", "pingback"})
# CSS url(...) in a style attribute: page builders (Divi, Elementor, Wix) set background images this way.
_STYLE_URL = re.compile(r"url\(\s*(['\"]?)([^'\")]+)\1\s*\)", re.I)
_LAZY_SRC = ("data-src", "data-lazy-src")
_MEDIA_SRC = ("source", "video", "audio", "track", "embed")
# A HubSpot form embedded by script ("hbspt.forms.create"), or a Calendly/Acuity script naming its URL.
_EMBED_SCRIPT = re.compile(r"hbspt\.forms\.create|Calendly\.init\w*\(\s*\{\s*url\s*:\s*['\"]([^'\"]+)")


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
    actions: list = field(default_factory=list)


@dataclass
class _State:
    ctx: str = BODY
    main: bool = False
    hidden: bool = False
    form: bool = False
    heading: bool = False
    link: bool = False

    @property
    def in_article(self) -> bool:
        return self.main and self.ctx == BODY


class _Text:
    """Visible text in blocks: a block ends at a block element or where the text's state changes.

    A body link travels with the block around it, so a block left out of the article (a
    copyright line, a row of links) takes its links out with it.
    """

    def __init__(self) -> None:
        self.blocks: list[_Block] = []
        self.actions: list[Action] = []  # body actions outside any block: buttons, forms, embeds, image links
        self._parts: list[str] = []
        self._links: list[str] = []
        self._pending: list[Action] = []
        self._key: Optional[tuple] = None
        self._line: Optional[int] = None
        self._linked = 0

    def flush(self) -> None:
        if not self._parts and not self._pending:
            self._key = None
            return
        if self._parts:
            text = " ".join("".join(self._parts).split())
            if text:
                ctx, main, form, heading, hidden = self._key
                self.blocks.append(_Block(text, self._links, self._line, ctx, main, form, heading, hidden,
                                          self._linked, self._pending))
                self._pending = []
        self.actions.extend(self._pending)
        self._parts, self._links, self._key, self._linked, self._pending = [], [], None, 0, []

    def add(self, text: str, st: _State, line: Optional[int]) -> None:
        key = (st.ctx, st.main, st.form, st.heading, st.hidden)
        if key != self._key:
            if self._parts and not text.strip():
                return
            self.flush()
            self._key, self._line = key, line
        if not self._parts and not text.strip():
            return
        self._parts.append(text)

    def link(self, target: str, text_length: int) -> None:
        self._links.append(target)
        self._linked += text_length

    def link_action(self, action: Action) -> None:
        self._pending.append(action)


def _root_of(base: str) -> str:
    """The base's scheme and host with path "/" ("" when it has none): what a root-relative link resolves against."""
    try:
        parts = urlsplit(base)
    except ValueError:
        return ""
    return f"{parts.scheme}://{parts.netloc}/" if parts.scheme in ("http", "https") and parts.netloc else ""


# A root-relative href ("/about/", the theme's menu and footer on every page) resolves the same
# on every page of a host, so it is resolved once per process, not once per page.
@functools.lru_cache(maxsize=8192)
def _resolve_rooted(root: str, href: str) -> str:
    return resolve(root, href)


_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*):(//[^/?#])?")


def _absolute(href: str) -> bool:
    """An http(s) URL with a host, or a tel:, mailto: or other URL no base applies to (urljoin's rules).

    It resolves the same against any base of the same scheme.
    """
    m = _SCHEME.match(href)
    if m is None or href != clean_href(href):
        return False
    scheme = m.group(1).lower()
    return bool(m.group(2)) if scheme in ("http", "https") else scheme not in uses_relative


# ---------------------------------------------------------------- template regions seen before

# A theme's header, menu, sidebar and footer repeat on every page of a site. Walking one records
# its facts (links, images, headings, ids, text blocks); a later page whose region has the same
# markup, the same element regions and line layout, inherits the same state and has the same
# origin gets those facts again, its line numbers moved to where the region sits on that page.
# Regions whose facts depend on more than that (a link relative to the page's own URL, a title,
# meta or JSON-LD, whose first occurrence wins) are walked every time.
_TEMPLATE_TAGS = frozenset({"div", "nav", "header", "footer", "aside", "section", "ul", "ol"})
_TEMPLATE_REGIONS = frozenset({mainbody.NAV, mainbody.HEADER, mainbody.FOOTER, mainbody.SIDEBAR})
TEMPLATES_KEPT = 64  # distinct regions per process: a site has a few; menus marking the current page add more
SEEN_KEPT = 2048
_TEMPLATES: "OrderedDict[tuple, _TemplateFacts]" = OrderedDict()
_SEEN: "OrderedDict[int, None]" = OrderedDict()  # hashes of regions walked once: the second sighting records


def _ancestors(*elements) -> frozenset:
    found = set()
    for el in elements:
        while el is not None:
            found.add(el)
            el = el.getparent()
    return frozenset(found)


def _template_key(el, region: dict, state: tuple) -> Optional[tuple]:
    """What a region's facts depend on: its markup, its elements' regions and relative lines, the state around it."""
    top = el.sourceline
    if top is None:
        return None
    shape = []
    for d in el.iter():
        line = d.sourceline
        if line is None:
            return None
        shape.append(line - top)
        shape.append(region.get(d))
    try:
        markup = etree.tostring(el, with_tail=False)
    except (ValueError, etree.Error):
        return None
    return markup, tuple(shape), state


@dataclass
class _TemplateFacts:
    top: int
    links: list
    images: list
    headings: list
    blocks: list
    anchors: list
    forms: list
    local: dict  # target -> href, for links resolved against the recording page's own URL ("#top")

    @staticmethod
    def mark(w: "_Walker") -> tuple:
        return (len(w.links), len(w.images), len(w.headings), len(w.text.blocks), len(w.anchor_log),
                len(w.text.actions), w.first_wins, len(w.resolved), len(w.forms))

    @classmethod
    def since(cls, mark: tuple, w: "_Walker", top: int) -> Optional["_TemplateFacts"]:
        """What the walk added since ``mark``, or None when it depends on more than the key says."""
        links, images, headings, blocks, anchors, actions, first_wins, resolved, forms = mark
        if len(w.text.actions) != actions or w.first_wins != first_wins:
            return None
        local: dict[str, str] = {}
        others = set()
        for href, target, own in w.resolved[resolved:]:
            if not own:
                others.add(target)
            elif local.setdefault(target, href) != href:
                return None  # two hrefs gave one target here: which to resolve again is unknown
        if not others.isdisjoint(local):
            return None
        added = w.text.blocks[blocks:]
        if any(b.actions for b in added):
            return None
        return cls(top, w.links[links:], w.images[images:], w.headings[headings:],
                   [_Block(b.text, list(b.links), b.line, b.ctx, b.main, b.form, b.heading, b.hidden, b.linked)
                    for b in added], w.anchor_log[anchors:], w.forms[forms:], local)

    def replay(self, w: "_Walker", top: int) -> None:
        shift, local = top - self.top, self.local

        def at(target: str) -> str:
            return w.resolve(local[target]) if target in local else target

        if shift or local:
            w.links.extend(Link(at(l.target), l.text, l.context, l.tag, l.rel, l.line + shift) for l in self.links)
            w.images.extend(Image(at(i.src), i.alt, i.context, i.line + shift) for i in self.images)
            w.headings.extend(Heading(h.level, h.text, h.line + shift) for h in self.headings)
        else:
            w.links.extend(self.links)
            w.images.extend(self.images)
            w.headings.extend(self.headings)
        # Blocks are not frozen: each page gets its own.
        w.text.blocks.extend(_Block(b.text, [at(t) for t in b.links], b.line + shift, b.ctx, b.main, b.form,
                                    b.heading, b.hidden, b.linked) for b in self.blocks)
        for name in self.anchors:
            w.add_anchor(name)
        w.forms.extend(at(t) for t in self.forms)


class _Walker:
    """One walk of the tree: each element's tag handler (``_HANDLERS``) records its facts."""

    def __init__(self, url: str, base: str, lay: mainbody.Layout):
        self.url, self.base, self.lay = url, base, lay
        self.region = lay.region
        self.text = _Text()
        self.links: list[Link] = []
        self.images: list[Image] = []
        self.headings: list[Heading] = []
        self.anchors: dict[str, None] = {}
        self.meta: dict[str, str] = {}
        self.title: Optional[str] = None
        self.canonical: Optional[str] = None
        self.jsonld: list[str] = []
        self.forms: list[str] = []  # each <form action>, resolved
        self._resolved: dict[str, tuple[str, bool]] = {}
        self.root = _root_of(base)
        self.anchor_log: list[str] = []  # every id and <a name>, in order, repeats too (for template replay)
        self.first_wins = 0  # title, meta, canonical and JSON-LD seen: facts that depend on what came before
        self.resolved: list[tuple[str, str, bool]] = []  # (href, target, resolved against the page's own URL)
        self._holds_main = _ancestors(lay.main, *lay.tail)

    def add_anchor(self, name: str) -> None:
        self.anchor_log.append(name)
        self.anchors.setdefault(name, None)

    def resolve(self, href: str) -> str:
        found = self._resolved.get(href)
        if found is None:
            if self.root and (href[:1] == "/" and href[1:2] != "/" or _absolute(href)):
                # An external link or a theme's share button repeats on many pages, like the menu.
                found = self._resolved[href] = (_resolve_rooted(self.root, href), False)
            else:
                found = self._resolved[href] = (resolve(self.base, href), True)
        self.resolved.append((href, *found))
        return found[0]

    def add_link(self, target_href: str, el, ctx: str, text: str = "", rel: str = "", tag: str = "") -> str:
        target = self.resolve(target_href)
        self.links.append(Link(target=target, text=text, context=ctx, tag=tag or el.tag, rel=rel,
                               line=el.sourceline))
        return target

    def walk(self, el, st: _State, depth: int = 0) -> None:
        if st.ctx == BODY and el.tag in _TEMPLATE_TAGS and self.region.get(el) in _TEMPLATE_REGIONS \
                and el not in self._holds_main and self._walk_template(el, st, depth):
            return
        self._walk(el, st, depth)

    def _walk_template(self, el, st: _State, depth: int) -> bool:
        """Walk a header, menu, sidebar or footer, or replay its facts from a page with the same one.

        False when it cannot be told apart from another page's (no line numbers, no http origin).
        """
        if not self.root:
            return False
        key = _template_key(el, self.region, (st.main, st.hidden, st.form, st.heading, st.link, depth, self.root))
        if key is None:
            return False
        self.text.flush()  # as the walk does on entering a block (its handler never writes text here)
        facts = _TEMPLATES.get(key)
        if facts is not None:
            _TEMPLATES.move_to_end(key)
            facts.replay(self, el.sourceline)
            return True
        seen = hash(key)
        if seen not in _SEEN:  # a region met once (a post's own byline) is not worth keeping yet
            _SEEN[seen] = None
            if len(_SEEN) > SEEN_KEPT:
                _SEEN.popitem(last=False)
            self._walk(el, st, depth)
            return True
        mark = _TemplateFacts.mark(self)
        self._walk(el, st, depth)
        facts = _TemplateFacts.since(mark, self, el.sourceline)
        if facts is not None:
            _TEMPLATES[key] = facts
            if len(_TEMPLATES) > TEMPLATES_KEPT:
                _TEMPLATES.popitem(last=False)
        return True

    def _walk(self, el, st: _State, depth: int) -> None:
        tag = el.tag
        st = _State(self.region.get(el, st.ctx), st.main or el is self.lay.main or el in self.lay.tail,
                    st.hidden or _hidden(el),
                    st.form or tag == "form", st.heading or tag in _HEADINGS, st.link)
        ident = el.get("id")
        if ident:
            self.add_anchor(ident.strip())
        handler = _HANDLERS.get(tag)
        if handler is not None:
            handler(self, el, st)
        style = el.get("style")
        if style and "url(" in style.lower():
            _style_urls(self, el, style)
        if tag in ("script", "style", "template") or depth > 400:
            return
        if tag in INVISIBLE:
            st.hidden = True
        linked = tag in ("a", "area") and el.get("href") is not None
        if linked:
            st.link = True
        text = self.text
        block = tag in _BLOCK
        if block:
            text.flush()
        if el.text and not st.hidden:
            text.add(el.text, st, el.sourceline)
        for child in el:
            if isinstance(child.tag, str):
                self.walk(child, st, depth + 1)
                if child.tag in _BLOCK:
                    text.flush()
                elif child.tag == "br" and not st.hidden:
                    # A line break separates words: "(+351) 220 968 468<br>Chamada" is a number and a word.
                    text.add(" ", st, child.sourceline)
            if child.tail and not st.hidden:
                text.add(child.tail, st, child.sourceline)
        if linked and tag == "a":
            text.link(self.resolve(el.get("href")), len(" ".join(text_of(el).split())))
        if block:
            text.flush()


# ---------------------------------------------------------------- tag handlers: one part of the Page each

def _on_anchor(w: _Walker, el, st: _State) -> None:  # a, area
    name = el.get("name")
    if name and el.tag == "a":
        w.add_anchor(name.strip())
    href = el.get("href")
    if href is None:
        return
    text = link_text(el)
    target = w.add_link(href, el, st.ctx, text, el.get("rel") or "")
    if st.in_article and el.tag == "a":
        w.text.link_action(Action(kind="link", text=text, href=target, line=el.sourceline))


def _pixel(el) -> bool:
    sizes = [(el.get(a) or "").strip().removesuffix("px") for a in ("width", "height")]
    return all(v in ("0", "1") for v in sizes)


def _on_img(w: _Walker, el, st: _State) -> None:
    get = el.get
    src = get("src")
    lazy = get("data-src") or get("data-lazy-src")
    if lazy and (not src or src.strip().startswith("data:")):
        src = lazy
    alt = get("alt")
    if src is not None and src.strip():
        target = w.add_link(src, el, ASSET, alt or "")
        if not _pixel(el):  # a 1x1 tracking pixel (Facebook, analytics) is no image a reader sees
            w.images.append(Image(src=target, alt=alt, context=st.ctx, line=el.sourceline))
    for attr in ("srcset", "data-srcset", "data-lazy-srcset"):
        if get(attr):
            for u in srcset_urls(get(attr)):
                w.add_link(u, el, ASSET, alt or "")


def _on_media(w: _Walker, el, st: _State) -> None:  # source, video, audio, track, embed
    get = el.get
    # Lazy loaders (lazysizes, Wix, WP Rocket) keep the real URL in data-src/data-srcset
    # until the element scrolls into view; the browser then loads it all the same.
    src = get("src") or next((get(a) for a in _LAZY_SRC if get(a)), None)
    if src and src.strip():
        w.add_link(src, el, ASSET)
    for attr in ("srcset", "data-srcset"):
        if get(attr):
            for u in srcset_urls(get(attr)):
                w.add_link(u, el, ASSET)
    if el.tag == "video" and get("poster"):
        w.add_link(get("poster"), el, ASSET)


def _on_link(w: _Walker, el, st: _State) -> None:  # <link>
    rel = " ".join((el.get("rel") or "").lower().split())
    href = el.get("href")
    if href is None or not href.strip() or set(rel.split()) & _NO_FETCH_RELS:
        return
    target = w.add_link(href, el, ASSET, rel=rel)
    if "canonical" in rel.split():
        w.first_wins += 1
        if w.canonical is None:
            w.canonical = target


def _on_script(w: _Walker, el, st: _State) -> None:  # script, iframe
    get = el.get
    if st.in_article:
        _embed(w, el)
    src = get("src")
    if el.tag == "iframe" and (not src or not src.strip() or src.strip().lower() == "about:blank"):
        src = next((get(a) for a in _LAZY_SRC if get(a)), src)  # a lazy-loaded embed
    if src and src.strip():
        w.add_link(src, el, ASSET)
    elif el.tag == "script" and "ld+json" in (get("type") or "").lower() and el.text:
        w.first_wins += 1
        w.jsonld.append(el.text)


def _embed(w: _Walker, el) -> None:
    """An iframe or script in the body: it may embed a booking service or form (Acuity, Calendly, HubSpot…)."""
    src = (el.get("src") or "").strip()
    url = w.resolve(src) if src else ""
    if el.tag == "script" and not src:
        m = _EMBED_SCRIPT.search(el.text or "")
        url = m.group(1) if m and m.group(1) else ("https://js.hsforms.net/" if m else "")
    if url:
        w.text.actions.append(Action(kind="embed", text=el.get("title") or "", href=url, line=el.sourceline))


def _on_object(w: _Walker, el, st: _State) -> None:
    if el.get("data"):
        w.add_link(el.get("data"), el, ASSET)


def _on_meta(w: _Walker, el, st: _State) -> None:
    name = (el.get("name") or el.get("property") or "").strip().lower()
    content = el.get("content")
    if content is None:
        return
    w.first_wins += 1
    if name and name not in w.meta:
        w.meta[name] = " ".join(content.split())
    if (el.get("http-equiv") or "").strip().lower() == "refresh":
        m = re.search(r"url\s*=\s*['\"]?([^'\"]+)", content, re.I)
        if m:
            # The text is the content as written ("0; url=/new/"): its delay tells a redirect
            # (0 s) from a page that shows itself first (links.redirected_link reads it).
            w.add_link(m.group(1), el, BODY, " ".join(content.split()), tag="meta-refresh")


def _on_title(w: _Walker, el, st: _State) -> None:
    w.first_wins += 1
    if w.title is None:
        w.title = " ".join((el.text or "").split())


_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


def _on_heading(w: _Walker, el, st: _State) -> None:
    # A heading opened inside another ("<h1><h1>About Us</h1></h1>") closes it in a browser,
    # which shows an empty heading and then the inner one: the outer keeps only its own text.
    nested = next(el.iterdescendants(*_HEADINGS), None) is not None
    text = _own_text(el) if nested else text_of(el)
    w.headings.append(Heading(level=int(el.tag[1]), text=" ".join(text.split()), line=el.sourceline))


def _own_text(el) -> str:
    """An element's text without the text of the headings inside it."""
    parts = [el.text or ""]
    for child in el:
        if not isinstance(child.tag, str) or child.tag not in _HEADINGS:
            parts.append(_own_text(child) if isinstance(child.tag, str) else "")
        parts.append(child.tail or "")
    return "".join(parts)


def _on_form(w: _Walker, form, st: _State) -> None:
    """Where any form sends (url-mismatch reads it); a form with a submit button in the body (not a search
    form) is one of the article's actions too."""
    target = (form.get("action") or "").strip()
    if target:
        w.forms.append(w.resolve(target))
    if not st.in_article:
        return
    if (form.get("role") or "").lower() == "search" or form.xpath(".//input[@type='search' or @name='s']"):
        return
    submits = form.xpath(".//button[not(@type) or translate(@type,'SUBMIT','submit')='submit']"
                         " | .//input[translate(@type,'SUBMITAGE','submitage')='submit'"
                         " or translate(@type,'SUBMITAGE','submitage')='image']")
    if not submits:
        return
    s = submits[0]
    text = " ".join(text_of(s).split()) if s.tag == "button" else (s.get("value") or s.get("alt") or "")
    action = form.get("action")
    href = resolve(w.base, action) if action and action.strip() else w.url
    w.text.actions.append(Action(kind="form", text=text, href=href, line=form.sourceline))


def _on_div(w: _Walker, el, st: _State) -> None:
    url = (el.get("data-url") or "").strip()  # Calendly's inline widget
    if url and st.in_article:
        w.text.actions.append(Action(kind="embed", text="", href=w.resolve(url), line=el.sourceline))


def _on_button(w: _Walker, el, st: _State) -> None:  # button, input
    if st.in_article and not st.link and not st.form:
        text = " ".join(text_of(el).split()) if el.tag == "button" else (el.get("value") or "")
        if text:
            w.text.actions.append(Action(kind="button", text=text, line=el.sourceline))


def _style_urls(w: _Walker, el, style: str) -> None:
    """Images a style attribute loads (background-image: url(...)); tag "style", so never crawled."""
    for m in _STYLE_URL.finditer(style):
        url = m.group(2).strip()
        if url and not url.startswith("#") and url[:5].lower() != "data:":
            w.add_link(url, el, ASSET, tag="style")


_HANDLERS = {
    "a": _on_anchor, "area": _on_anchor, "img": _on_img, **dict.fromkeys(_MEDIA_SRC, _on_media),
    "link": _on_link, "script": _on_script, "iframe": _on_script, "object": _on_object, "meta": _on_meta,
    "title": _on_title, **dict.fromkeys(_HEADINGS, _on_heading), "form": _on_form, "div": _on_div,
    "button": _on_button, "input": _on_button,
}


def _hidden(el) -> bool:
    if el.get("hidden") is not None or el.get("aria-hidden") == "true":
        return True
    style = el.get("style")
    if style and re.search(r"display\s*:\s*none|visibility\s*:\s*hidden", style, re.I):
        return True
    cls = el.get("class")
    return bool(cls) and not _HIDDEN_CLASSES.isdisjoint(cls.split())


# Compiled once: el.xpath() builds a new evaluator on every call, which was most of a link's cost.
_VISIBLE_TEXTS = etree.XPath(".//text()[not(ancestor::script or ancestor::style)]")


def link_text(el) -> str:
    """A link's text; for an image link its alt, then the title or aria-label."""
    # The walk never enters <script>/<style>, so a link with no child elements has only its own text.
    text = " ".join((el.text or "").split()) if len(el) == 0 else " ".join(" ".join(_VISIBLE_TEXTS(el)).split())
    if text:
        return text
    for img in el.iter("img"):
        if img.get("alt"):
            return " ".join(img.get("alt").split())
    return " ".join((el.get("title") or el.get("aria-label") or "").split())


# ---------------------------------------------------------------- phones and text URLs

# Seven digits with at most a few separators between them: the cheapest test that a block may hold a phone.
# Typeset dashes separate too: "(270) 846 – 9994".
_PHONE_HINT = re.compile(r"\d(?:[\s().\-\u2010-\u2015]{0,3}\d){6}")


def _e164(num) -> str:
    return phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)


def phones_in_text(text: str, region: str, bare: bool = False,
                   labels: Optional[re.Pattern] = None) -> list[tuple[str, str]]:
    """(E.164, raw) for each valid number in visible text (``bare``: digit runs count too).

    A number right after one of ``labels`` ("Fax: (559) 425-1119", "After hours: …") is not
    the clinic's line and is skipped.
    """
    return [(number, raw) for number, raw, _, _ in _phone_spans(text, region, bare, labels)]


def _phone_spans(text: str, region: str, bare: bool = False,
                 labels: Optional[re.Pattern] = None) -> list[tuple[str, str, int, int]]:
    """``phones_in_text`` with where each number starts and ends in ``text``."""
    if not _PHONE_HINT.search(text):
        return []
    return [m[:4] for m in _matched_phones(text, region, bare, labels or _label_pattern(OTHER_LINES)) if not m[4]]


def _labelled_numbers(text: str, region: str, labels: re.Pattern) -> set[str]:
    """The numbers ``text`` writes right after a label of another line ("Crisis Line: 1-800-742-1890")."""
    if not _PHONE_HINT.search(text):
        return set()
    return {m[0] for m in _matched_phones(text, region, False, labels) if m[4]}


# The theme's header, footer and call-to-action lines repeat on every page: their numbers are
# matched once per process (phonenumbers' matcher was a tenth of a page's extraction).
@functools.lru_cache(maxsize=4096)
def _matched_phones(text: str, region: str, bare: bool, labels: re.Pattern) -> tuple:
    found, after = [], 0
    for m in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID):
        lead = text[max(after, m.start - 24):m.start]
        after = m.end
        # An unbroken run of digits ("Order 2024061233") is an id far more often than a phone number
        # written for people, who group digits; unless a call or text invites the reader to dial it.
        if m.raw_string.isdigit() and not bare and not _CALL_LEAD.search(lead):
            continue
        if _DATE.match(m.raw_string):  # "03.06.2025", "2024-05-17": a review's or post's date
            continue
        # The number of another line is kept, marked, so a tel: link dialling it is known as that line too.
        other = labels.search(lead) or _EMERGENCY_ALTERNATIVE.search(lead)
        found.append((_e164(m.number), m.raw_string, m.start, m.end, bool(other)))
    return tuple(found)


# Two numbers at most this many characters apart in one block are offered side by side, as the
# practice's lines: "A | B", "A (Sandy Lake Office) or B (Meadville Office)".
BESIDE_GAP = 40


def _beside(spans: list[tuple[str, str, int, int]]) -> list[tuple[str, ...]]:
    """For each number, the other numbers written right beside it (a chain of close numbers)."""
    groups: list[list[int]] = []
    for i, (_, _, start, _) in enumerate(spans):
        if groups and start - spans[groups[-1][-1]][3] <= BESIDE_GAP:
            groups[-1].append(i)
        else:
            groups.append([i])
    out: list[tuple[str, ...]] = [()] * len(spans)
    for group in groups:
        numbers = [spans[i][0] for i in group]
        for i in group:
            out[i] = tuple(dict.fromkeys(n for n in numbers if n != spans[i][0]))
    return out


# Day, month and year (either order) with one separator: how dates are written, never phone numbers.
_DATE = re.compile(r"^(?:\d{1,2}([./-])\d{1,2}\1(?:19|20)?\d\d|(?:19|20)\d\d([./-])\d{1,2}\2\d{1,2})$")

# "Call or text us at 5550101118", "Phone 5594251118": a bare run the text asks people to dial.
# A number offered as the alternative to an emergency code, "In Crisis? Call 988 | 911 | 1-866-531-2600",
# is a help line like the codes beside it, not the practice's.
_EMERGENCY_ALTERNATIVE = re.compile(r"(?<!\d)(?:911|988|999|112)\s*(?:\||/|,|or)\s*$", re.I)
_CALL_LEAD = re.compile(r"\b(?:call|text|phone|tel|dial|reach us)\b[^\d]{0,16}$", re.I)


@functools.lru_cache(maxsize=16)
def _label_pattern(labels: tuple[str, ...]) -> re.Pattern:
    # "<br>" joins "…1118Fax:": a label may follow a digit with no space, so no \b before it.
    words = "|".join(re.escape(l).replace(r"\ ", r"[\s-]+").replace(r"\-", r"[\s-]+") for l in labels if l.strip())
    return re.compile(r"(?<![a-z])(?:" + (words or r"(?!)") + r")\b[^\d]{0,12}$", re.I)


# The theme's call button repeats its tel: link on every page.
@functools.lru_cache(maxsize=1024)
def phone_from_tel(href: str, region: str) -> Optional[tuple[str, str]]:
    raw = unquote(href.split(":", 1)[1]).split(";", 1)[0].strip()
    number = dialled(raw, region)
    # "tel:(123) 456 789", "tel:+555-555-1234": the invalid-tel-link rule's business, not a number to compare
    return (number, raw) if number else None


_TLDS = ("com|org|net|edu|gov|us|co|io|info|biz|health|clinic|care|md|me|ca|uk|de|au|mx|"
         "doctor|dental|med|medical|center|services|online|site|app|ai|tv")
_TEXT_URL = re.compile(
    r"\bhttps?://[^\s<>\"']+"
    r"|(?<![@\w.-])www\.[a-z0-9-]+(?:\.[a-z0-9-]+)+(?:[/?#][^\s<>\"']*)?"
    r"|(?<![@\w./-])(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:" + _TLDS + r")\b(?![.-]?\w)(?:/[^\s<>\"']*)?",
    re.I)
_TRAILING = ".,;:!?)]}>'\"’”»"


# What every match of _TEXT_URL contains ("://", "www." or a dot and a TLD): searching for it first
# skips most prose at C speed. Written to start at its ":" or "." only, the rarest characters in it.
_TEXT_URL_HINT = re.compile(r"[.:](?:(?<=:)//|(?<=www\.)|(?<=\.)(?:" + _TLDS + r")\b)", re.I)


def urls_in_text(text: str) -> list[str]:
    """URLs and bare domains written in prose, as written, without the punctuation after them."""
    out = []
    if not _TEXT_URL_HINT.search(text):
        return out
    for m in _TEXT_URL.finditer(text):
        u = m.group(0)
        while u and u[-1] in _TRAILING:
            if u[-1] == ")" and u.count("(") >= u.count(")"):
                break
            u = u[:-1]
        if "." in u:
            out.append(u)
    return out


# ---------------------------------------------------------------- page kind facts

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


# "[Condition Name]", "[City]", "{{ doctor_name }}": blanks a developer template leaves for the writer.
# Capitalised words only, so "[1]", "[sic]", "[…]" and Cloudflare's "[email protected]" are not blanks.
_PLACEHOLDER = re.compile(r"\[(?:[A-Z][\w'’&/.-]*)(?:\s+[A-Za-z][\w'’&/.-]*){0,5}\]|\{\{\s*[\w. -]{1,40}\}\}"
                          r"|\blorem ipsum\b", re.I)
_NOT_PLACEHOLDER = frozenset({"[read more]", "[more]", "[continue reading]", "[learn more]", "[edit]", "[top]",
                              "[back to top]", "[close]", "[show]", "[hide]", "[citation needed]"})


def placeholders(texts: Iterable[str]) -> tuple[str, ...]:
    """The template blanks in some text, in order (repeats kept)."""
    found = []
    for text in texts:
        if "[" not in text and "{{" not in text and "orem" not in text:
            continue
        for m in _PLACEHOLDER.finditer(text):
            token = m.group(0)
            if token[0] == "[" and (token.lower() in _NOT_PLACEHOLDER or not token[1].isupper()):
                continue
            found.append(" ".join(token.split()))
    return tuple(found)


# Markup only a whole document has; a file without any of it is a piece of one (an include, a snippet).
_DOCUMENT = re.compile(rb"<(?:!doctype|html|head|body|title)[\s>]", re.I)


def _is_document(body: bytes) -> bool:
    """Whether ``body`` has whole-document markup outside comments: a snippet's "<!-- Add in <head> … -->"
    names the tag it goes in, it does not have one."""
    for m in _DOCUMENT.finditer(body):
        if body.rfind(b"<!--", 0, m.start()) <= body.rfind(b"-->", 0, m.start()):
            return True
    return False

_REFRESH_DELAY = re.compile(r"\s*(\d+(?:\.\d*)?)")


def _refresh(links: list[Link], url: str) -> Optional[float]:
    """Seconds before the page's meta refresh sends the reader elsewhere (None: it does not)."""
    for link in links:
        if link.tag == "meta-refresh" and link.fetch_url != url.split("#", 1)[0]:
            m = _REFRESH_DELAY.match(link.text)
            return float(m.group(1)) if m else 0.0
    return None


# ---------------------------------------------------------------- public API


def extract_page(url: str, body: bytes, *, status: int = 200, headers: Optional[Mapping[str, Any]] = None,
                 options: Optional[ExtractOptions] = None, source_path: Optional[str] = None) -> Page:
    """Everything siteproof needs from one fetched page."""
    opts = options or ExtractOptions()
    content_type = _header(headers, "content-type")
    ctype = media_type(content_type) or "text/html"
    if not is_html(content_type or "text/html", body or b""):
        return Page(url=url, status=status, content_type=ctype, source_path=source_path, kind=kinds.OTHER,
                    kind_evidence=(f"{ctype}, not HTML",))
    root, parse_error = parse_checked(body, headers)
    if root is None:
        return Page(url=url, status=status, content_type=ctype, source_path=source_path, kind=kinds.FRAGMENT,
                    kind_evidence=("empty document",))

    body_el = root.find("body")
    if body_el is None:
        body_el = root
    lay = mainbody.layout(root, body_el)
    base = _base(root, url)
    w = _Walker(url, base, lay)
    w.walk(root, _State(ctx=BODY if root is body_el else mainbody.HEADER))
    w.text.flush()

    in_body = _article_blocks(w.text.blocks)
    prose = _prose(in_body)
    paragraphs = tuple(Paragraph(text=b.text, links=tuple(dict.fromkeys(b.links)), line=b.line) for b in prose)
    body_text = "\n\n".join(p.text for p in paragraphs)
    # Each visible block's words counted once, for the page, the body and readability's paragraphs.
    visible = [b for b in w.text.blocks if not b.hidden]
    tallies = {id(b): tally(b.text) for b in visible}
    paragraph_tallies = [tallies[id(b)] for b in prose]
    paragraph_words = [words_of((t,)) for t in paragraph_tallies]
    word_count = words_of(paragraph_tallies)
    actions = _actions(w.text.actions, in_body)
    page_words = words_of(tallies.values())
    short_text = " ".join(b.text for b in visible) if page_words <= kinds.ERROR_WORDS else ""
    kind, evidence = kinds.classify(kinds.PageFacts(
        url=url, title=w.title or "", body_classes=frozenset((body_el.get("class") or "").lower().split()),
        og_type=w.meta.get("og:type", "").lower(), ld_types=frozenset(_jsonld_types(w.jsonld)),
        listing=lay.listing, h1_count=sum(1 for h in w.headings if h.level == 1), word_count=word_count,
        article_main=lay.main is not None and lay.main.tag == "article", refresh=_refresh(w.links, url),
        page_words=page_words, short_text=short_text, document=_is_document(body) or b"\x00" in body[:64],
        placeholders=placeholders(b.text for b in in_body), forms=sum(1 for a in actions if a.kind == "form")))
    is_article = kind == kinds.ARTICLE
    blocks = relatedblocks.related_blocks(body_el, lay, w.resolve, url)
    lang = (root.get("lang") or "").strip() or None

    return Page(
        url=url, status=status, content_type=ctype,
        title=w.title, meta_description=w.meta.get("description"), canonical=w.canonical,
        meta_robots=w.meta.get("robots"), lang=lang,
        headings=tuple(w.headings), anchors=tuple(a for a in w.anchors if a),
        links=tuple(w.links), images=tuple(w.images), phones=_phones(w.text.blocks, w.links, opts),
        actions=actions, text_urls=_text_urls(w.text.blocks), form_targets=tuple(w.forms),
        body_text=body_text, paragraphs=paragraphs, kind=kind, kind_evidence=evidence, is_article=is_article,
        word_count=word_count,
        readability=measure(readable_text(paragraphs), [p.text for p in paragraphs], lang, paragraph_words)
        if is_article else None,
        related_posts=_related_posts(blocks), related_blocks=blocks,
        topics=relatedblocks.page_topics(root, lay, w.resolve, url, w.jsonld),
        source_path=source_path, parse_error=parse_error,
    )


def _base(root, url: str) -> str:
    """The URL relative links resolve against: the first <base href>, else the page's own."""
    for b in root.iter("base"):
        if b.get("href") and b.get("href").strip():
            return resolve(url, b.get("href"))
    return url


_COPYRIGHT = re.compile(r"©|&copy;|\(c\)\s*\d{4}|all rights reserved", re.I)


def _article_blocks(blocks: list[_Block]) -> list[_Block]:
    """The main body: visible blocks of the main element's body region that are not template."""
    return [b for b in blocks if b.main and b.ctx == BODY and not b.hidden and not _boilerplate_block(b)]


def _boilerplate_block(b: _Block) -> bool:
    # A copyright line or a row of links ("Home | About | Blog") is template, wherever it sits.
    if len(b.text) < 200 and _COPYRIGHT.search(b.text):
        return True
    return len(b.links) >= 3 and b.linked >= 0.7 * len(b.text)


def _prose(in_body: list[_Block]) -> list[_Block]:
    """The blocks of the article's prose: not headings, form labels or lone links."""
    return [b for b in in_body if not b.heading and not b.form and not _standalone_link(b)]


# A block that already ends a sentence: ".", "!", "?", "…" or a lead-in ":" (its list follows), then quotes.
_CLOSED = re.compile(r"[.!?…:][\"'”’)\]]*$")


def readable_text(paragraphs: Iterable[Paragraph]) -> str:
    """The body as readability reads it: each block (paragraph, list item, table cell) ends a sentence.

    A list of symptoms or a table's cells carry no full stops; joined as they stand they read as
    one long sentence, which doubled a page's grade and quoted run-together items as its "hardest
    sentence". ``body_text`` keeps the text as written.
    """
    return "\n\n".join(t if _CLOSED.search(t) else t + "." for t in (p.text for p in paragraphs))


def _standalone_link(b: _Block) -> bool:
    # A button or a lone link ("Schedule a Consultation") is a call to action, not prose.
    return b.linked >= 0.9 * len(b.text) and len(b.text.split()) <= 8


def _actions(loose: list[Action], in_body: list[_Block]) -> tuple[Action, ...]:
    """Links, buttons, forms and embeds of the article body, in source order."""
    return tuple(sorted(loose + [a for b in in_body for a in b.actions], key=lambda a: a.line or 0))


def _phones(blocks: list[_Block], links: list[Link], opts: ExtractOptions) -> tuple[PhoneSeen, ...]:
    """Numbers in visible text, then tel: links (with the number their text shows), in source order."""
    region, labels = opts.phone_region, _label_pattern(opts.other_lines)
    phones = []
    previous, previous_ctx = "", ""
    other_lines: set[str] = set()
    help_section = ""  # the region of the heading that opened a list of help lines: it ends with the region
    for b in blocks:
        if b.hidden:
            continue
        if b.heading:
            help_section = b.ctx if HELP_SECTIONS.search(b.text) else ""
        elif help_section != b.ctx:
            help_section = ""  # the page's footer after a "Crisis Resources" section is the practice's again
        # A label in its own element, "<h4>Fax</h4><p>(559) 425-1119</p>", names the number that opens the next block.
        label = previous if len(previous) <= 30 and labels.search(previous + " ") else ""
        text = f"{label} {b.text}" if label else b.text
        before = previous if previous_ctx == b.ctx else ""
        previous, previous_ctx = b.text, b.ctx
        spans = _phone_spans(text, region, labels=labels)
        other_lines |= _labelled_numbers(text, region, labels)
        if help_section and not b.heading:
            # The practice's own number, written above the list (in the header), is still its own there:
            # "Prevention & resources: … Chardon Performance Therapy — (440) 299-7171".
            own = {p.number for p in phones}
            other_lines |= {number for number, _, _, _ in spans if number not in own}
            spans = [span for span in spans if span[0] in own]
        phones.extend(PhoneSeen(number=number, raw=raw, via="text", context=b.ctx, line=b.line, beside=beside,
                                owner=owner_named(text[:start], before, raw))
                      for (number, raw, start, _), beside in zip(spans, _beside(spans)))
    for link in links:
        if link.tag in ("a", "area") and link.target[:4].lower() == "tel:":
            parsed = phone_from_tel(link.target, region)
            # "Crisis Line: <a href="tel:18007421890">1-800-742-1890</a>": the link dials the labelled line.
            if parsed is not None and parsed[0] not in other_lines:
                shown = phones_in_text(link.text, region, bare=True)
                phones.append(PhoneSeen(number=parsed[0], raw=parsed[1], via="tel", context=link.context,
                                        shown=shown[0][0] if shown else None, line=link.line))
    return tuple(sorted(phones, key=lambda p: p.line or 0))


def _text_urls(blocks: list[_Block]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(u for b in blocks if not b.hidden and "." in b.text for u in urls_in_text(b.text)))


def _related_posts(blocks: tuple[RelatedBlock, ...]) -> tuple[str, ...]:
    """The related-post blocks' links, the first URL as linked for each page; latest-posts widgets left out."""
    related: dict[str, str] = {}
    for block in blocks:
        if not any(relatedblocks.is_recent_marker(m) for m in block.markers):
            for link in block.links:
                related.setdefault(link.split("#", 1)[0], link)
    return tuple(related.values())


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
