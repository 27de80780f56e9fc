"""Where things sit on a page: template regions, the related-posts block, and the main body.

Clinic sites run on many WordPress themes and page builders, so nothing here
knows one theme's classes. Three generic signals are combined:

1. Landmarks: ``<nav> <header> <footer> <aside>`` and ARIA roles.
2. Class/id keywords split into parts ("site-footer" -> site, footer):
   nav, menu, header, footer, sidebar, widget, comment, share, related...
   A keyword match is ignored on an element that holds ``<main>``/``<article>``
   or most of the page's text, because wrappers such as "content-sidebar-wrap"
   carry those words without being boilerplate.
3. Text density, when there is no single ``<article>`` or ``<main>``: the
   element holding most paragraph text wins, widened to the ancestor whose
   extra (non-boilerplate) text is small, so buttons and titles beside the
   post content in page-builder templates stay inside the body.

The related-posts block is found by plugin markup (any class/id containing
"related", unless it also says call to action: "related-cta") or by a heading
such as "Related Posts" / "You may also like" and the link block that follows it. See docs/extraction.md for the measurements.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Optional

from lxml import etree

BODY, NAV, HEADER, FOOTER, SIDEBAR, RELATED = "body", "nav", "header", "footer", "sidebar", "related-post"

# Text of these elements is never shown to a reader.
INVISIBLE = frozenset({"script", "style", "noscript", "template", "head", "title", "svg", "math",
                       "iframe", "object", "canvas", "select", "datalist"})

_ROLES = {"navigation": NAV, "banner": HEADER, "contentinfo": FOOTER, "complementary": SIDEBAR,
          "search": SIDEBAR}
_TAGS = {"nav": NAV, "header": HEADER, "footer": FOOTER}

# Keyword parts of class names and ids, in precedence order (first region that matches wins).
_PART_KEYWORDS = (
    (NAV, {"nav", "navbar", "navigation", "menu", "menus", "menubar", "breadcrumb", "breadcrumbs",
           "pagination", "pager", "skip", "toc"}),
    (FOOTER, {"footer", "colophon", "copyright"}),
    (HEADER, {"header", "masthead", "topbar", "byline", "meta", "postmeta", "metadata", "postmetadata"}),
    (SIDEBAR, {"sidebar", "sidebars", "widgets", "comment", "comments", "respond", "disqus",
               "share", "sharing", "shares", "social", "addtoany", "sharedaddy", "sociallinks",
               "cookie", "gdpr", "popup", "modal", "newsletter", "advert", "ads", "sponsored"}),
)
# Whole tokens only: as parts these words are too common ("btn-secondary", "elementor-widget-text").
_WHOLE_TOKENS = {
    "widget": SIDEBAR, "widget-area": SIDEBAR, "secondary": SIDEBAR, "author-box": SIDEBAR,
    "author-bio": SIDEBAR, "about-author": SIDEBAR, "authorbox": SIDEBAR, "author-info": SIDEBAR,
    "post-info": HEADER, "entry-meta": HEADER, "post-meta": HEADER,
}
# Compound names written without separators or inside longer tokens (commentlist, elementor-post-info).
_SUBSTRINGS = (("comment", SIDEBAR), ("post-info", HEADER), ("postinfo", HEADER), ("entry-meta", HEADER),
               ("post-meta", HEADER), ("byline", HEADER))
_SPLIT = re.compile(r"[-_\s]+")

# Headings that introduce a related-posts block (the whole heading, case-insensitive): the defaults of
# Jetpack ("Related"), YARPP ("Related posts:"), OceanWP ("You Might Also Like"), Kadence ("Similar
# Posts"), Astra and Avada ("Related Posts") and the wordings people type into page builders.
_RELATED_RE = re.compile(r"""^\W*(?:
    (?:related|similar|recommended|suggested)(?:\s+(?:posts?|articles?|reading|content|stories|topics|blogs?|blog\s+posts?))?
  | (?:you|that\s+you)\s+(?:may|might|will|could)\s+(?:also\s+)?(?:like|enjoy|love|be\s+interested\s+in)(?:\s+reading)?
  | (?:more|other)\s+(?:articles?|posts?|stories|reading|like\s+this|to\s+read|from\s+(?:the|our)\s+blog)
  | keep\s+reading | further\s+reading | read\s+more | read\s+next | also\s+read | what\s+to\s+read\s+next
)\W*$""", re.I | re.X)


_HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")


def is_related_heading(text: str) -> bool:
    return bool(_RELATED_RE.match(_norm(text)))


def _norm(text: str) -> str:
    return " ".join(text.split())


def keyword_region(el) -> Optional[str]:
    """The region an element's class/id names suggest, or None."""
    cls, ident = el.get("class"), el.get("id")
    if not cls and not ident:
        return None
    return _names_region(cls, ident)


# A "related" name that also says call to action ("related-cta": a "Need support?" box after the
# post, a "Read more" button in a card) names the practice's next step, not a list of posts.
_CALL_TO_ACTION = frozenset({"cta", "btn", "button"})


def names_related(token: str) -> bool:
    """Whether one class or id token marks a related-posts block (``jp-relatedposts``, ``yarpp-related``)."""
    return "related" in token and "unrelated" not in token and not _CALL_TO_ACTION & set(_SPLIT.split(token))


@lru_cache(maxsize=4096)
def _names_region(cls: Optional[str], ident: Optional[str]) -> Optional[str]:
    names = f"{cls or ''} {ident or ''}".lower()
    tokens = names.split()
    if not tokens:
        return None
    if any(names_related(t) for t in tokens):
        return RELATED
    parts: set = set()
    hits: set = set()
    for t in tokens:
        if t in _WHOLE_TOKENS:
            hits.add(_WHOLE_TOKENS[t])
        elif t.startswith("widget_"):  # WordPress core widgets: widget_text, widget_recent_entries
            hits.add(SIDEBAR)
        parts.update(_SPLIT.split(t))
    for region, words in _PART_KEYWORDS:
        if region in hits or parts & words:
            return region
    for sub, region in _SUBSTRINGS:
        if sub in names:
            return region
    return None


@dataclass
class Layout:
    """The region of every element, and the main body's root."""

    region: dict = field(default_factory=dict)  # element -> context
    main: Optional[object] = None
    # A short box with a link, button or form right after the main body (a booking box after
    # </article>, a contact line after a "★" divider): the article's own call to action.
    tail: tuple = ()
    listing: bool = False  # several <article>s side by side: an archive, the blog or a home page
    related_heads: list = field(default_factory=list)


# Compiled once: el.xpath() builds a new evaluator on every call.
_STRING = etree.XPath("string()")


def text_of(el) -> str:
    """XPath string(): all the text inside an element, script and style included."""
    if len(el) == 0:  # most links, headings and paragraphs hold bare text
        return el.text or ""
    return _STRING(el)


def _text_len(el) -> int:
    return len(_norm(text_of(el)))


_MAIN_LIKE = etree.XPath("descendant::main | descendant::article | descendant::*[@role='main']")


def _holding_main(body) -> set:
    """The elements under ``body`` that hold a <main>, an <article> or a role="main" (each one's ancestors)."""
    holders: set = set()
    for el in _MAIN_LIKE(body):
        el = el.getparent()
        while el is not None and el not in holders:
            holders.add(el)
            el = el.getparent()
    return holders


def layout(root, body) -> Layout:
    """Classify every element under ``body`` and find the main body's root."""
    lay = Layout()
    page_text = max(_text_len(body), 1)
    holders = _holding_main(body)
    region = lay.region
    articles: list = []
    mains: list = []
    headings: list = []

    # Pass 1, top-down: landmarks and keywords, the nearest one wins.
    stack = [(body, BODY, False)]
    region[body] = BODY
    while stack:
        el, ctx, in_article = stack.pop()
        for child in el:
            tag = child.tag
            if not isinstance(tag, str):
                continue
            own = _own_region(child, tag, in_article, ctx, page_text, holders)
            cctx = own or ctx
            region[child] = cctx
            if tag == "article":
                if cctx == BODY and not in_article:
                    articles.append(child)
            elif tag == "main" or child.get("role") == "main":
                if cctx == BODY:
                    mains.append(child)
            elif tag in _HEADING_TAGS:
                headings.append(child)
            stack.append((child, cctx, in_article or tag == "article"))

    # Related posts announced by a heading: the heading and the link block after it.
    for h in headings:
        if region.get(h) in (BODY, SIDEBAR, RELATED) and _RELATED_RE.match(_norm(text_of(h))):
            block = related_block(h)
            if block:
                lay.related_heads.append(h)
                for node in block:
                    for d in node.iter():
                        if region.get(d) == BODY:
                            region[d] = RELATED
                region[h] = RELATED

    articles = [a for a in articles if region.get(a) == BODY]
    lay.listing = len(articles) >= 2
    if len(articles) == 1:
        lay.main = articles[0]
    elif mains:
        lay.main = mains[0]
    else:
        lay.main = _densest(body, region)
    if lay.main is not None and lay.main is not body:
        lay.tail = _tail(lay.main, region)
    return lay


TAIL_TEXT = 400  # characters: a booking or contact box, not another section of the page
_ACTIONABLE = etree.XPath("boolean(descendant-or-self::a[@href] | descendant::button | descendant::form"
                          " | descendant::iframe | descendant::input[@type='submit'])")
_HOLDS_CONTENT = etree.XPath("boolean(descendant-or-self::article | descendant-or-self::main"
                             " | descendant::h1 | descendant::img[ancestor::a])")
_WORDY = re.compile(r"\w")


def _decorative(el) -> bool:
    """A divider: an <hr>, an empty spacer, a row of "★" or "* * *", with nothing to click."""
    if el.tag in INVISIBLE:
        return True
    return not _WORDY.search(text_of(el)) and not _ACTIONABLE(el)


def _tail(main, region) -> tuple:
    """The call-to-action box right after the main body, past any decorative dividers."""
    node = main
    for _ in range(3):  # </article></main><section class="booking">: climb while main ends its parent
        sib = node.getnext()
        skipped = 0
        while sib is not None and (not isinstance(sib.tag, str) or _decorative(sib)) and skipped < 4:
            skipped += isinstance(sib.tag, str)
            sib = sib.getnext()
        if sib is not None:
            if (isinstance(sib.tag, str) and region.get(sib) == BODY and not _HOLDS_CONTENT(sib)
                    and _ACTIONABLE(sib) and _text_len(sib) <= TAIL_TEXT):
                return (sib,)
            return ()
        parent = node.getparent()
        if parent is None or parent.tag in ("body", "html") or region.get(parent) != BODY:
            return ()
        node = parent
    return ()


def _own_region(el, tag: str, in_article: bool, inherited: str, page_text: int, holders: set) -> Optional[str]:
    role = (el.get("role") or "").lower()
    if tag == "aside":
        # An aside inside the article is a callout that belongs to the post.
        own = None if in_article else SIDEBAR
    else:
        own = _TAGS.get(tag) or _ROLES.get(role)
    if own is None or own == NAV:
        # Jetpack's related-posts block is a <nav class="jp-relatedposts-i2">: the name says more than the tag.
        named = keyword_region(el)
        own = RELATED if named == RELATED else own or named
        if own is None:
            return None
    if inherited != BODY:
        return own
    # A wrapper that holds the content is not boilerplate, whatever its name says.
    if el in holders:
        return None
    # Normalising spaces only shortens the text: most elements are ruled out by their raw length.
    if own != NAV and page_text > 500:
        text = text_of(el)
        if len(text) > 0.5 * page_text and len(_norm(text)) > 0.5 * page_text:
            return None
    return own


def related_block(h) -> list:
    """The elements after a "Related Posts" heading that hold its links (climbing a few wrappers)."""
    level = int(h.tag[1])
    node = h
    for _ in range(5):
        block = []
        sib = node.getnext()
        skipped = 0
        while sib is not None:
            if not isinstance(sib.tag, str):
                sib = sib.getnext()
                continue
            links = sib.xpath(".//a[@href] | self::a[@href]")
            if not block:
                if links:
                    block.append(sib)
                elif skipped < 2 and not _heads_at_or_above(sib, level):
                    skipped += 1
                else:
                    break
            else:
                if not links or _heads_at_or_above(sib, level) or not _link_dense(sib):
                    break
                block.append(sib)
            sib = sib.getnext()
        if block:
            return block
        parent = node.getparent()
        if parent is None or parent.tag in ("body", "article", "main", "html"):
            return []
        node = parent
    return []


def _heads_at_or_above(el, level: int) -> bool:
    tags = _HEADING_TAGS[:level]
    return el.tag in tags or any(True for _ in el.iter(*tags))


def _link_dense(el) -> bool:
    total = _text_len(el)
    if total == 0:
        return True
    linked = sum(len(_norm(text_of(a))) for a in el.iter("a"))
    return linked >= 0.5 * total


_BLOCK_SCORE_TAGS = ("p", "pre", "blockquote", "li", "td", "dd", "div")
_INLINE = frozenset({"a", "abbr", "b", "bdi", "bdo", "br", "cite", "code", "em", "font", "i", "mark", "q", "s",
                     "small", "span", "strong", "sub", "sup", "time", "u", "wbr"})


def _inline_len(div) -> int:
    """Text written straight into a div, between <br>s and inline tags (not its block children's)."""
    total = len((div.text or "").strip())
    for c in div:
        if c.tag in _INLINE:
            total += len(_norm(text_of(c)))
        if c.tail:
            total += len(c.tail.strip())
    return total


def _densest(body, region):
    """The element holding the most paragraph text outside boilerplate, widened over its wrappers.

    Text counts in paragraphs, list items, cells, and as a div's own lines: page builders (Divi's
    text module, ``et_pb_text_inner``) often write a post's text straight into a div with <br>s.
    """
    scores: dict = {}
    for p in body.iter(_BLOCK_SCORE_TAGS):
        if region.get(p) != BODY:
            continue
        n = _inline_len(p) if p.tag == "div" else _text_len(p)
        if n < 25:
            continue
        parent = p.getparent()
        for share in (1.0, 0.5, 0.33):
            if parent is None:
                break
            scores[parent] = scores.get(parent, 0.0) + n * share
            parent = parent.getparent()
    if not scores:
        return body
    best = max(scores, key=scores.get)
    best_len = body_text_len(best, region)
    node = best
    while node is not body:
        parent = node.getparent()
        if parent is None or parent is body or region.get(parent) != BODY:
            break
        if body_text_len(parent, region) > 1.25 * best_len + 100:
            break
        node = parent
    return node


def body_text_len(el, region) -> int:
    """Visible text under ``el`` that is not in a boilerplate region."""
    total = 0
    stack = [el]
    while stack:
        e = stack.pop()
        if e.text:
            total += len(e.text.strip())
        for c in e:
            if c.tail:
                total += len(c.tail.strip())
            if isinstance(c.tag, str) and c.tag not in INVISIBLE and region.get(c) == BODY:
                stack.append(c)
    return total
