"""Related-post blocks and the page's own topics: facts recorded during extraction, judged by rules.

A block is recorded when something on the page calls it related: a class or id with "related"
in it (Jetpack ``jp-relatedposts``, YARPP ``yarpp-related``, Contextual Related Posts
``crp_related``, Astra ``ast-single-related-posts-container``, Kadence ``entry-related``, OceanWP
``#related-posts``, Avada ``related-posts``; not a name that also says call to action, such as
``related-cta``), or a heading such as "You may also like" over a
block of links (page builders: an Elementor posts widget, a Divi blog module, a GenerateBlocks
or core query loop, a Genesis child theme's list). Each block keeps the class names that mark
it, its heading and where it sits. Whether it really is a related-posts block is the rule's
call: a latest-posts widget under a "You may also like" heading shows the same posts on every
page, and only the whole site shows that.

The page's topics are what it says about itself, the evidence that transfers between sites:
its categories and tags (``rel="category tag"`` links, WordPress post classes
``category-x tag-y``, ``article:section``/``article:tag``, JSON-LD ``articleSection``/``keywords``)
and its breadcrumb trail. Slugs are compared, so "Weight Loss" and ``/category/weight-loss/`` meet.
"""
from __future__ import annotations

import json
import re
from typing import Callable, Iterable, Optional
from urllib.parse import unquote, urlsplit

from lxml import etree

from audits import mainbody
from audits.mainbody import RELATED, SIDEBAR, text_of
from audits.model import RelatedBlock

# Class names of lists that show the newest posts whatever the page (WordPress's Recent Posts
# widget and Latest Posts block, Recent Posts Widget Extended): never a related-posts selection.
RECENT_MARKS = ("widget_recent_entries", "wp-block-latest-posts", "recent-posts", "recent_posts", "rpwe",
                "latest-posts", "latest_posts")
# Post lists of page builders: neutral (their heading says whether they are related posts).
POST_LIST_MARKS = ("elementor-posts", "elementor-widget-posts", "et_pb_posts", "et_pb_blog_grid", "wp-block-query",
                   "gb-query-loop-wrapper", "wp-block-post-template", "fusion-recent-posts", "kb-posts")
_MAX_MARKERS = 8
# A related post's category, tag or author link inside the block is not a related post.
_NOT_A_POST = frozenset({"tag", "category", "author"})


def _tokens(el) -> list[str]:
    return f"{el.get('class') or ''} {el.get('id') or ''}".lower().split()


def _marker(token: str) -> bool:
    return (mainbody.names_related(token) or token.startswith(RECENT_MARKS)
            or token.startswith(POST_LIST_MARKS))


def is_recent_marker(token: str) -> bool:
    return token.startswith(RECENT_MARKS)


def related_blocks(body, lay: "mainbody.Layout", absolute: Callable[[str], str], page_url: str) -> tuple[RelatedBlock, ...]:
    """Every block the page marks as related, with its evidence, in source order.

    ``absolute`` turns an href into an absolute URL (the page's base applied).
    """
    region = lay.region
    groups: list[tuple[list, Optional[object]]] = []  # (elements, announcing heading)
    taken: set = set()
    # Announced by a heading: the heading and the link block after it (mainbody found both).
    for h in lay.related_heads:
        nodes = mainbody.related_block(h)
        if nodes:
            groups.append((nodes, h))
            taken.update(nodes)
    # Named "related": the outermost such element; a heading block inside it joins it.
    for el in body.iter():
        if not isinstance(el.tag, str) or region.get(el) != RELATED:
            continue
        parent = el.getparent()
        if parent is not None and region.get(parent) == RELATED or el in taken or el.tag in mainbody._HEADING_TAGS:
            continue
        inner = [i for i, (nodes, _h) in enumerate(groups) if any(_inside(n, el) for n in nodes)]
        heading = next((groups[i][1] for i in inner), None)
        for i in reversed(inner):
            del groups[i]
        groups.append(([el], heading if heading is not None else _first_heading(el)))
    host = _host(page_url)
    page = page_url.split("#", 1)[0]
    out = []
    for nodes, heading in groups:
        links: dict[str, str] = {}
        for node in nodes:
            for a in node.iter("a", "area"):
                href = a.get("href")
                if not href or _NOT_A_POST & set((a.get("rel") or "").lower().split()):
                    continue
                target = absolute(href)
                key = target.split("#", 1)[0]
                if urlsplit(target).scheme not in ("http", "https") or _host(target) != host or key == page:
                    continue
                links.setdefault(key, target)
        if not links:
            continue
        parent = nodes[0].getparent()
        place = region.get(parent, mainbody.BODY) if parent is not None else mainbody.BODY
        heading_text = " ".join(text_of(heading).split()) if heading is not None else ""
        out.append(RelatedBlock(links=tuple(links.values()), heading=heading_text[:120],
                                markers=_markers(nodes, heading), place=place, line=nodes[0].sourceline))
    return tuple(sorted(out, key=lambda b: b.line or 0))


def _inside(node, ancestor) -> bool:
    while node is not None:
        if node is ancestor:
            return True
        node = node.getparent()
    return False


def _first_heading(el):
    return next(iter(el.iter(*mainbody._HEADING_TAGS)), None)


def _markers(nodes: list, heading) -> tuple[str, ...]:
    found: dict[str, None] = {}
    for node in nodes:
        for el in node.iter():
            if isinstance(el.tag, str):
                found.update((t, None) for t in _tokens(el) if _marker(t))
            if len(found) >= _MAX_MARKERS:
                return tuple(found)[:_MAX_MARKERS]
    # The widget around a heading block names it ("widget_recent_entries" around "You may also like").
    for start in [nodes[0]] + ([heading] if heading is not None else []):
        el = start.getparent()
        while el is not None and el.tag not in ("body", "html"):
            found.update((t, None) for t in _tokens(el) if is_recent_marker(t))
            el = el.getparent()
    return tuple(found)[:_MAX_MARKERS]


def _host(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


# ---------------------------------------------------------------- the page's own topics

_POST_CLASS = re.compile(r"^(?:post-\d+|type-[\w-]+|postid-\d+)$")
_SLUG = re.compile(r"[^\w]+", re.U)
# WordPress and Blogger defaults that name no topic.
_NO_TOPIC = frozenset({"uncategorized", "uncategorised", "sin-categoria", "non-classe", "allgemein", "general"})


def slug(text: str) -> str:
    return _SLUG.sub("-", unquote(text).strip().lower()).strip("-_")


def _path_slug(url: str) -> str:
    parts = [p for p in urlsplit(url).path.split("/") if p]
    return slug(parts[-1]) if parts else ""


def page_topics(root, lay: "mainbody.Layout", absolute: Callable[[str], str], page_url: str,
                jsonld: Iterable[str]) -> tuple[str, ...]:
    """The page's categories, tags, sections and breadcrumb trail, as "kind:slug" strings."""
    found: dict[str, None] = {}

    def add(kind: str, value: str) -> None:
        s = slug(value)
        if s and s not in _NO_TOPIC and not s.isdigit():
            found[f"{kind}:{s}"] = None

    region = lay.region
    for a in root.iter("a"):
        rel = (a.get("rel") or "").lower().split()
        if ("tag" in rel or "category" in rel) and a.get("href") and region.get(a) not in (RELATED, SIDEBAR):
            add("category" if "category" in rel else "tag", _path_slug(absolute(a.get("href"))))
    post = _post_element(lay.main)
    if post is not None:
        for t in _tokens(post):
            if t.startswith("category-"):
                add("category", t[9:])
            elif t.startswith("tag-"):
                add("tag", t[4:])
    for meta in root.iter("meta"):
        prop = (meta.get("property") or meta.get("name") or "").lower()
        if prop in ("article:section", "article:tag") and meta.get("content"):
            add("section" if prop == "article:section" else "tag", meta.get("content"))
    crumbs = _jsonld_topics(jsonld, add, page_url)
    if not crumbs:
        _html_breadcrumbs(root, absolute, page_url, add)
    return tuple(found)


def _post_element(main):
    """The element WordPress gave its post classes (``post-12 type-post category-x``): main or an ancestor."""
    el = main
    while el is not None and el.tag not in ("html",):
        tokens = _tokens(el)
        if any(_POST_CLASS.match(t) for t in tokens) and el.tag != "body":
            return el
        el = el.getparent()
    return None


def _jsonld_topics(texts: Iterable[str], add, page_url: str) -> bool:
    """articleSection, keywords and BreadcrumbList from JSON-LD; True when a breadcrumb trail was found."""
    crumbs = False

    def visit(node) -> None:
        nonlocal crumbs
        if isinstance(node, list):
            for item in node:
                visit(item)
            return
        if not isinstance(node, dict):
            return
        types = node.get("@type")
        types = {t.lower() for t in (types if isinstance(types, list) else [types]) if isinstance(t, str)}
        if "breadcrumblist" in types:
            items = node.get("itemListElement") or []
            trail = [i for i in (items if isinstance(items, list) else []) if isinstance(i, dict)]
            for item in trail[1:]:  # the first is the home page
                target = item.get("item")
                url = target.get("@id") if isinstance(target, dict) else target
                name = item.get("name") or (target.get("name") if isinstance(target, dict) else None)
                if isinstance(url, str) and url.split("#")[0].rstrip("/") == page_url.split("#")[0].rstrip("/"):
                    continue  # the page itself
                if isinstance(url, str) and url:
                    add("breadcrumb", _path_slug(url))
                    crumbs = True
                elif isinstance(name, str) and item is not trail[-1]:
                    add("breadcrumb", name)
                    crumbs = True
        for key, kind in (("articleSection", "section"), ("keywords", "tag")):
            value = node.get(key)
            values = value if isinstance(value, list) else (value.split(",") if isinstance(value, str) else [])
            for v in values:
                if isinstance(v, str):
                    add(kind, v)
        for key in ("@graph", "mainEntity", "mainEntityOfPage", "breadcrumb"):
            if key in node:
                visit(node[key])

    for text in texts:
        try:
            visit(json.loads(text or ""))
        except ValueError:
            continue
    return crumbs


# The first element whose class, id or aria-label holds "breadcrumb" in any case, found by libxml2
# rather than by reading every element's names in Python (a fifth of a page's topics). No other
# character lower-cases to one of its letters, so ASCII case folding finds what str.lower() does.
# Most pages have no trail: all their names, read at once, say so faster still.
_NAMES = etree.XPath("descendant-or-self::*/@class | descendant-or-self::*/@id"
                     " | descendant-or-self::*/@aria-label", smart_strings=False)
_FOLD = "translate({}, 'ABCDEMRU', 'abcdemru')"
_FIRST_TRAIL = etree.XPath("(descendant-or-self::*[" + " or ".join(
    f"contains({_FOLD.format(a)}, 'breadcrumb')" for a in ("@class", "@id", "@aria-label")) + "])[1]")


def _html_breadcrumbs(root, absolute, page_url: str, add) -> None:
    """Links in an element named breadcrumb(s) (Yoast, Rank Math, themes), home and the page left out."""
    home = _host(page_url)
    page = page_url.split("#", 1)[0].rstrip("/")
    if "breadcrumb" not in " ".join(_NAMES(root)).lower():
        return
    for el in _FIRST_TRAIL(root):
        for a in el.iter("a"):
            href = a.get("href")
            if not href:
                continue
            target = absolute(href).split("#", 1)[0]
            if _host(target) == home and urlsplit(target).path.strip("/") and target.rstrip("/") != page:
                add("breadcrumb", _path_slug(target))
        return  # the first trail is the page's own
