"""On-page SEO basics: titles, meta descriptions, h1 headings and image alt text.

Only HTML pages served with status 200 are judged: an error page, a PDF or a
redirect stub (a page that meta-refreshes at once to another) has no title to
get right. The duplicate-* rules compare pages as search engines do: URLs that
declare the same canonical URL, or have the same ``page_key`` (a trailing slash,
http/https or www aside), are one page; pages marked ``noindex`` never appear in
results, so they cannot compete with another page's title and are left out.
"""
from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from typing import TYPE_CHECKING, Callable, Iterator, Optional

from audits.identity import page_key
from audits.kinds import NOT_PAGES, first_page, paginated
from audits.model import Hit, Page
from audits.registry import page_rule, site_rule
from audits.rules.links import refresh_target

if TYPE_CHECKING:
    from audits.site import Site

def judged(page: Page) -> bool:
    # A meta-refresh stub is a redirect to readers and search engines: no title or h1 to get right;
    # a saved error body, an empty file or a piece of a page is no page at all (audits.kinds.NOT_PAGES).
    return (page.status == 200 and "html" in (page.content_type or "text/html").lower()
            and page.kind != "redirect" and page.kind not in NOT_PAGES and refresh_target(page) is None)


def noindex(page: Page) -> bool:
    directives = {d.strip().lower() for d in (page.meta_robots or "").split(",")}
    return bool(directives & {"noindex", "none"})


def _text(value: Optional[str]) -> str:
    return " ".join((value or "").split())


def _quote(text: str, limit: int = 80) -> str:
    return f'"{text if len(text) <= limit else text[: limit - 1].rstrip() + "…"}"'


def group_id(field_name: str, value: str) -> str:
    """A short stable name for the pages sharing one value (the same across runs)."""
    digest = hashlib.sha1(_text(value).casefold().encode("utf-8")).hexdigest()[:10]
    return f"{field_name}:{digest}"


def _duplicates(site: "Site", field: Callable[[Page], Optional[str]], what: str) -> Iterator[Hit]:
    """One hit per page whose `field` another indexable page shares.

    The evidence names the group and its size, never the other pages: with
    thousands of pages sharing a title, listing them in every finding made the
    report grow with the square of the site. Renderers list each group's pages
    once (report.json ``duplicate_groups``).
    """
    name = what.lower().replace(" ", "_")
    # value -> page key -> the page reported for that key (the first URL of the key)
    groups: dict[str, dict[str, Page]] = defaultdict(dict)
    for page in sorted(site.pages.values(), key=lambda p: p.url):
        value = _text(field(page))
        if not value or not judged(page) or noindex(page):
            continue
        key = page_key(page.canonical or page.url)
        group = groups[value.casefold()]
        # The page a key stands for is the one at the canonical address when it is crawled,
        # not whichever copy naming it sorts first (a "thanks" page declaring the contact page canonical).
        if key not in group or (page_key(page.url) == key and page_key(group[key].url) != key):
            group[key] = page
    for folded, pages in groups.items():
        if len(pages) < 2:
            continue
        members = list(pages.values())
        group = group_id(name, folded)
        copies = _page_one_copies(pages)
        for i, page in enumerate(members):
            original = copies.get(page.url)
            mine = [c for c, o in copies.items() if o is page]
            if original is not None or (mine and len(mine) == len(members) - 1):
                yield _copy_hit(page, original, mine, what, name, field, group, len(members))
                continue
            # A few of the other pages, so the message alone says where to look.
            others = [p.url for p in members[:4] if p is not page][:3]
            rest = len(members) - 1 - len(others)
            shown = ", ".join(others) + (f" and {rest:,} more" if rest else "")
            value = _text(field(page))
            yield Hit(
                f"{what} {_quote(value)} is also used by {len(members) - 1:,} other "
                f"page{'s' if len(members) > 2 else ''}: {shown}.",
                url=page.url,
                evidence={name: value, "group": group, "group_size": len(members)},
            )


def _page_one_copies(pages: dict[str, Page]) -> dict[str, Page]:
    """``/tag/x/page/1/`` -> the ``/tag/x/`` page it copies word for word (same group only)."""
    copies = {}
    for page in pages.values():
        first = first_page(page.url)
        original = pages.get(page_key(first)) if first != page.url and paginated(page.url) == 1 else None
        if original is not None and original is not page and original.body_text == page.body_text:
            copies[page.url] = original
    return copies


def _copy_hit(page: Page, original: Optional[Page], copies: list[str], what: str, name: str, field, group: str,
              size: int) -> Hit:
    # Two URLs of one list are one page to fix with a canonical link or a redirect; a new title on either
    # would hide the duplicate URL rather than remove it.
    value = _text(field(page))
    if original is not None:
        message = (f"{what} {_quote(value)} is shared with {original.url}, whose content this page repeats "
                   f"(page 1 of the same list): add <link rel=\"canonical\" href=\"{original.url}\"> here "
                   "or redirect this URL there; do not rewrite the title.")
        copy_of = original.url
    else:
        message = (f"{what} {_quote(value)} is shared with {', '.join(copies)}, a /page/1/ copy of this page: give "
                   "the copy a canonical link to this page or redirect it here; this page's title is fine.")
        copy_of = None
    return Hit(message, url=page.url,
               evidence={name: value, "group": group, "group_size": size, "advice": "canonical-or-redirect",
                         "copy_of": copy_of, "copies": copies})


@page_rule("missing-title", "error")
def missing_title(page: Page, opts: None) -> Iterator[Hit]:
    """A page has no `<title>`, or an empty one.

    **Why it matters.** The title is the blue link in search results and the
    label of the browser tab; without one, search engines make one up.

    **Example.** A landing page built from a template whose `<head>` lost its
    `<title>`, or `<title></title>`.

    **How to fix.** Add a unique, descriptive title of about 50-60 characters,
    e.g. `<title>Ketamine Therapy in Fresno | OMG Wellness</title>`.
    """
    if not judged(page):
        return
    if page.title is None:
        yield Hit("Page has no <title>; add a unique, descriptive one.")
    elif not _text(page.title):
        yield Hit("Page's <title> is empty; write a unique, descriptive one.")


@site_rule("duplicate-title", "warning")
def duplicate_title(site: "Site", opts: None) -> Iterator[Hit]:
    """The same title is used on several pages.

    **Why it matters.** Search engines pick one of the pages sharing a title
    and bury the others, and a searcher cannot tell them apart.

    **Example.** Every blog post titled "Blog | OMG Wellness". One finding per
    page; its evidence names the group of pages sharing the title (`group`,
    `group_size`), and report.json lists each group's pages once under
    `duplicate_groups`. Titles are compared ignoring
    case and extra spaces. Not duplicates: URLs of one page (the same
    canonical URL, or `/a` and `/a/`; the finding names the page at the
    canonical address), pages marked `noindex`, and redirect stubs (a page
    that meta-refreshes at once to another, as static exports leave at old
    addresses).

    **How to fix.** Give each page a title that says what is on that page.
    When the pages are one list under two URLs (`/tag/x/` and `/tag/x/page/1/`
    with the same content), the finding says so (evidence `advice:
    canonical-or-redirect`): point the copy's canonical link at the first URL
    or redirect it there, and keep the title.
    """
    yield from _duplicates(site, lambda p: p.title, "Title")


@page_rule("missing-meta-description", "warning")
def missing_meta_description(page: Page, opts: None) -> Iterator[Hit]:
    """A page has no meta description, or an empty one.

    **Why it matters.** The meta description is usually the snippet under the
    title in search results; without one, search engines quote whatever text
    they find, often the menu or a cookie notice.

    **Example.** No `<meta name="description" content="...">` in the `<head>`.

    **How to fix.** Add a one or two sentence summary (about 150 characters)
    that tells a patient what the page offers.
    """
    if not judged(page):
        return
    if page.meta_description is None:
        yield Hit('Page has no <meta name="description">; add a one or two sentence summary.')
    elif not _text(page.meta_description):
        yield Hit("Page's meta description is empty; write a one or two sentence summary.")


@site_rule("duplicate-meta-description", "warning")
def duplicate_meta_description(site: "Site", opts: None) -> Iterator[Hit]:
    """The same meta description is used on several pages.

    **Why it matters.** A description copied across pages is no help in
    choosing between them, and search engines tend to replace it.

    **Example.** Every service page says "OMG Wellness offers holistic care in
    Fresno." Compared like `duplicate-title`: ignoring case and extra spaces,
    URLs of one page count once, and `noindex` pages are left out.

    **How to fix.** Write a description for each page about that page.
    """
    yield from _duplicates(site, lambda p: p.meta_description, "Meta description")


@page_rule("missing-h1", "warning")
def missing_h1(page: Page, opts: None) -> Iterator[Hit]:
    """A page has no `<h1>` heading (or only empty ones).

    **Why it matters.** The h1 tells readers and search engines what the page
    is about; screen-reader users jump to it first.

    **Example.** A post whose title is styled text in a `<div>`, or an `<h1>`
    holding only an image without alt text.

    **How to fix.** Mark the page's main heading up as one `<h1>`.
    """
    if not judged(page):
        return
    h1s = page.h1s
    if not h1s:
        yield Hit("Page has no <h1>; mark its main heading up as one.")
    elif not any(_text(h) for h in h1s):
        yield Hit("Page's <h1> has no text; put the page's main heading in it.",
                  evidence={"h1_count": len(h1s)})


@page_rule("multiple-h1", "warning")
def multiple_h1(page: Page, opts: None) -> Iterator[Hit]:
    """A page has more than one `<h1>` heading.

    **Why it matters.** Several h1s blur what the page is about and confuse
    screen-reader navigation.

    **Example.** The logo wrapped in `<h1>` in the header plus the post title
    in another `<h1>`.

    **How to fix.** Keep one `<h1>` for the page's main heading; make the
    others `<h2>` or plain elements. An empty `<h1>` shows nothing and is not
    counted; an h1 opened inside another (`<h1><h1>About Us</h1></h1>`) is,
    as a browser reads it, an empty h1 and one with text.
    """
    if not judged(page):
        return
    heads = [h for h in page.headings if h.level == 1 and h.text.strip()]  # an empty <h1> shows nothing
    h1s = [h.text for h in heads]
    if len(h1s) > 1:
        shown = ", ".join(_quote(_text(h)) for h in h1s[:4])
        yield Hit(f"Page has {len(h1s)} <h1> headings ({shown}); keep one.",
                  line=heads[1].line, evidence={"h1": [_text(h) for h in h1s]})


@page_rule("missing-alt", "warning")
def missing_alt(page: Page, opts: None) -> Iterator[Hit]:
    """An `<img>` in the page's content has no alt attribute.

    **Why it matters.** Screen readers announce an image without alt by its
    file name, and search engines cannot tell what it shows.

    **Example.** `<img src="/img/team.jpg">` in a post. `alt=""` is fine: it
    marks a decorative image deliberately. Images in the header, navigation,
    sidebar and footer count too: a screen reader reads the logo's file name
    on every page. One finding per image source on a page; a template image
    found on many pages is one line in the text output and one row in
    report.html, its pages listed under it.

    **How to fix.** Describe what the image shows for someone who cannot see
    it (`alt="Dr. Smith with a patient"`), or use `alt=""` if it is decoration.
    """
    if not judged(page):
        return
    counts: dict[str, int] = defaultdict(int)
    first = {}
    for image in page.images:
        if image.alt is not None:
            continue
        counts[image.src] += 1
        first.setdefault(image.src, image)
    for src, image in first.items():
        name = src if not src.startswith("data:") else src[:40] + "…"
        where = image.context + (f", line {image.line}" if image.line else "")
        yield Hit(f"Image {name} ({where}) has no alt attribute; describe it, or use alt=\"\" "
                  "if it is decoration.",
                  target=src, line=image.line,
                  evidence={"context": image.context, "line": image.line, "count": counts[src]})


@page_rule("unparsable-page", "error")
def unparsable_page(page: Page, opts: None) -> Iterator[Hit]:
    """The HTML parser could not read a page to its end.

    **Why it matters.** Everything after the point where parsing stopped is
    unseen: its links are not checked and its text is not judged, so a broken
    link there would go unreported. Browsers are more forgiving and show the
    page, so nobody notices.

    **Example.** Elements nested more than 2,048 levels deep, typically
    thousands of unclosed `<div>` or `<font>` tags from a broken template or
    pasted content (`<p><font>` blocks that are never closed nest one level
    deeper each time).

    **How to fix.** Close the tags the template or editor leaves open; the
    line in the finding is where the parser gave up.
    """
    if page.parse_error:
        line = re.search(r"line (\d+)", page.parse_error)
        yield Hit(f"Page could not be read to its end: {page.parse_error}; close the tags left open.",
                  line=int(line.group(1)) if line else None, evidence={"parse_error": page.parse_error})
