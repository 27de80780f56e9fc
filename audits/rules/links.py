"""Link checks: broken-link, unverifiable-link, redirected-link and broken-fragment.

These are site rules: they join each page's links with the recorded fetches
(``site.fetch``) and never fetch anything themselves. A link whose target was
not checked (no Fetch), is ignored by ``[links] ignore``, or is not http(s)
(mailto:, tel:, javascript:, data:) is skipped rather than guessed about.

Each rule reports once per (page, target) even when a page links the same URL
many times; the evidence names the first occurrence and the count.
"""
from __future__ import annotations

import difflib
import re
from typing import TYPE_CHECKING, Any, Callable, Iterator, Optional
from urllib.parse import parse_qsl, unquote, urlsplit

from dataclasses import replace

from audits.identity import FETCHED_SCHEMES, page_key
from audits.kinds import UNSEEN
from audits.model import NOT_FETCHED_BY_RULE, Fetch, Hit, Hop, Link, Page
from audits.registry import site_rule

if TYPE_CHECKING:
    from audits.site import Site

# Statuses that bot protection (Cloudflare, Akamai, LinkedIn's 999) answers a
# crawler with while a browser gets the page: they say nothing about the link.
BOT_WALL_STATUSES = frozenset({401, 403, 429, 999})

# Resource hints name an origin to warm up, not a resource to load; a pingback URL
# (WordPress's xmlrpc.php) takes POSTs only and answers 405 to a check.
_NOT_FETCHED_RELS = frozenset({"preconnect", "dns-prefetch", "pingback"})

# <link> rels a browser loads or that name the page itself: the rest (feeds, oEmbed, EditURI,
# wp-json, shortlinks, hreflang and prev/next alternates) are metadata a visitor never sees.
_VISIBLE_RELS = frozenset({"stylesheet", "icon", "apple-touch-icon", "apple-touch-icon-precomposed", "mask-icon",
                           "manifest", "preload", "modulepreload", "prefetch", "canonical"})

# Query parameters that track a visit without changing the page (the same page under another URL).
_TRACKING_PARAMS = re.compile(r"^(utm_[a-z]+|gclid|fbclid|msclkid|mc_cid|mc_eid|_ga|ref)$", re.I)
# <meta http-equiv="refresh" content="0; url=...">: the delay, when it is written first.
_REFRESH_DELAY = re.compile(r"^\s*(\d+(?:\.\d*)?)")

_ERRORS = {
    "timeout": "which timed out",
    "connection-refused": "which refused the connection",
    "dns-error": "whose host name does not resolve",
    "redirect-loop": "which redirects in a loop",
    "too-many-redirects": "which redirects too many times",
    "tls-error": "whose HTTPS certificate or handshake failed",
    "connection-lost": "which dropped the connection",
}

_NOUNS = {"img": "Image", "script": "Script", "iframe": "Embedded frame", "source": "Media",
          "link": "Resource", "meta-refresh": "Meta refresh", "area": "Image-map link",
          "style": "Background image"}
_LINK_RELS = {"canonical": "Canonical link", "stylesheet": "Stylesheet", "icon": "Icon",
              "alternate": "Alternate-version link", "preload": "Preloaded resource",
              "manifest": "Web app manifest"}


class _Occurrence:
    """The first link to one target on one page, and how many times the page links it."""

    __slots__ = ("page", "link", "count")

    def __init__(self, page: Page, link: Link):
        self.page, self.link, self.count = page, link, 1

    def describe(self) -> str:
        """'Link "Book now" (body, line 12)' — who on the page points where."""
        link = self.link
        noun = _NOUNS.get(link.tag, "Link")
        if link.tag == "link":
            rels = link.rel.lower().split()
            noun = next((_LINK_RELS[r] for r in rels if r in _LINK_RELS), noun)
        text = " ".join(link.text.split())
        if len(text) > 60:
            text = text[:59].rstrip() + "…"
        where = link.context + (f", line {link.line}" if link.line else "")
        label = f'{noun} "{text}"' if text else noun
        return f"{label} ({where})"

    def times(self) -> str:
        return f" ({self.count} links to it on this page)" if self.count > 1 else ""

    def evidence(self) -> dict:
        link = self.link
        return {"text": link.text, "context": link.context, "tag": link.tag, "line": link.line,
                "count": self.count}


def checkable(site: "Site", link: Link) -> bool:
    """Whether a link is one these rules judge at all."""
    if urlsplit(link.target).scheme.lower() not in FETCHED_SCHEMES:
        return False
    if set(link.rel.lower().split()) & _NOT_FETCHED_RELS:
        return False
    return not site.identity.ignored(link.target)


def unseen(link: Link) -> bool:
    """A ``<link>`` a visitor never sees and the browser never loads (a feed, oEmbed, EditURI, wp-json)."""
    return link.tag == "link" and not set(link.rel.lower().split()) & _VISIBLE_RELS


def occurrences(site: "Site", by: str = "fetch_url", *,
                metadata: bool = False) -> list[tuple[str, _Occurrence]]:
    """(key, first occurrence with count) for each distinct key on each page.

    The key is the link's ``fetch_url`` (``by="fetch_url"``) or its whole ``target``.
    ``metadata`` picks the ``<link>`` elements a visitor never sees (see ``unseen``)
    instead of every other link.

    Only pages that were served (status below 400) are read: the links of an
    error page are the site template's, and already reported where they work;
    so are those of a saved error body and a package's demo page (``kinds.UNSEEN``).
    A page crawled again under another URL (see ``duplicate_pages``) is read once.
    Worked out once per site: four rules read the same occurrences.
    """
    return site.derive(("link-occurrences", by, metadata), lambda: _occurrences(site, by, metadata))


def _occurrences(site: "Site", by: str, metadata: bool) -> list[tuple[str, _Occurrence]]:
    duplicates = site.derive("duplicate-pages", lambda: duplicate_pages(site))
    # A theme's header, sidebar and footer repeat the same links on every page: judge each once.
    judged: dict[tuple[str, str, str], tuple[bool, bool]] = site.derive("link-verdicts", dict)
    out: list[tuple[str, _Occurrence]] = []
    for page in site.pages.values():
        if page.status >= 400 or page.kind in UNSEEN or page.url in duplicates:
            continue
        seen: dict[str, _Occurrence] = {}
        for link in page.links:
            verdict = judged.get((link.target, link.rel, link.tag))
            if verdict is None:
                verdict = judged[(link.target, link.rel, link.tag)] = (unseen(link), checkable(site, link))
            if verdict[0] != metadata or not verdict[1]:
                continue
            k = link.fetch_url if by == "fetch_url" else link.target
            if k in seen:
                seen[k].count += 1
            else:
                seen[k] = _Occurrence(page, link)
        out.extend(seen.items())
    return out


def _per_target(judge: Callable[[str], Any]) -> Callable[[str], Any]:
    """``judge`` remembered per target: a target linked from every page is judged once."""
    known: dict[str, Any] = {}

    def judged(target: str) -> Any:
        if target not in known:
            known[target] = judge(target)
        return known[target]

    return judged


def _tracking_only(url: str) -> bool:
    query = urlsplit(url).query
    return bool(query) and all(_TRACKING_PARAMS.match(k) for k, _ in parse_qsl(query, keep_blank_values=True))


def duplicate_pages(site: "Site") -> set[str]:
    """URLs of crawled pages that are another crawled page under a second URL.

    Sites link one page as "/services/" and "/services/?utm_source=mail", "/contact"
    and "/contact/", "/blog/café/" and "/blog/caf%C3%A9/"; a crawler fetches each
    spelling, but a person sees one page with one set of defects. Among served pages
    with the same ``page_key`` but for the query, the one the others
    name as rel=canonical (else one without a query, else the first crawled) is kept;
    another is a duplicate when its canonical names that path, its query only tracks
    (utm_*, gclid…), or it differs from the kept URL only in percent-encoding.
    Pages whose query may change the content (?page=2) and say nothing are kept.
    """
    groups: dict[str, list[Page]] = {}
    for page in site.pages.values():
        if page.status < 400:
            groups.setdefault(_page_without_query(page.url), []).append(page)
    out: set[str] = set()
    for key, pages in groups.items():
        if len(pages) < 2:
            continue
        canonicals = {p.canonical for p in pages if p.canonical}
        kept = (next((p for p in pages if p.url in canonicals), None)
                or next((p for p in pages if not urlsplit(p.url).query), None) or pages[0])
        for page in pages:
            if page is kept:
                continue
            if ((page.canonical and _page_without_query(page.canonical) == key) or _tracking_only(page.url)
                    or unquote(page.url) == unquote(kept.url)):
                out.add(page.url)
    return out


def _page_without_query(url: str) -> str:
    return page_key(url.split("#", 1)[0].split("?", 1)[0])


def is_external(site: "Site", fetch: Fetch) -> bool:
    """External when the crawler says so, or when the URL or where it ended is another host."""
    own = site.identity.is_own
    return fetch.external or not own(fetch.url) or bool(fetch.final_url and not own(fetch.final_url))


def is_bot_wall(site: "Site", fetch: Fetch) -> bool:
    """An external answer that a crawler cannot judge: 401/403/429/999 or a challenge page."""
    return (fetch.challenge or fetch.status in BOT_WALL_STATUSES) and is_external(site, fetch)


def _broken(site: "Site", fetch: Fetch) -> bool:
    # too-large means the server answered with a body bigger than we read: the link works.
    if fetch.error in (*NOT_FETCHED_BY_RULE, "too-large"):
        return False
    return fetch.is_broken and not is_bot_wall(site, fetch)


def _chain(fetch: Fetch) -> list[dict]:
    return [{"url": h.url, "status": h.status} for h in fetch.redirect_chain]


def _outcome(fetch: Fetch) -> str:
    """', which returns 404' or ', which redirects (301) to X, which returns 404'."""
    if fetch.error in _ERRORS:
        if fetch.error in ("redirect-loop", "too-many-redirects"):
            return f", {_ERRORS[fetch.error]}"
        ending = _ERRORS[fetch.error]
    elif fetch.error:
        ending = f"which failed ({fetch.error})"
    else:
        ending = f"which returns {fetch.status}"
        if fetch.status == 429:
            ending += " (rate limited: lower [crawl] concurrency_per_host or raise delay_s)"
    if fetch.redirect_chain and fetch.final_url:
        codes = ", ".join(str(h.status) for h in fetch.redirect_chain)
        return f", which redirects ({codes}) to {fetch.final_url}, {ending}"
    return f", {ending}"


def _broken_links(site: "Site", metadata: bool) -> Iterator[tuple[str, _Occurrence, Fetch]]:
    broken = site.derive("broken-targets", lambda: _per_target(lambda target: _broken_fetch(site, target)))
    for target, occ in occurrences(site, metadata=metadata):
        fetch = broken(target)
        if fetch is not None:
            yield target, occ, fetch


def _broken_fetch(site: "Site", target: str) -> Optional[Fetch]:
    fetch = site.fetch(target)
    return fetch if fetch is not None and _broken(site, fetch) else None


@site_rule("broken-link", "error")
def broken_link(site: "Site", opts: None) -> Iterator[Hit]:
    """A link or asset on a page answers 4xx/5xx, cannot connect, times out, or loops redirects.

    **Why it matters.** A patient who clicks "Book now" and lands on an error
    page leaves; search engines read many broken links as a neglected site. A
    missing image, script or stylesheet breaks the page itself.

    **Example.** `<a href="/old-services/">Services</a>` where `/old-services/`
    returns 404, or a link that redirects to a page that returns 410. One
    finding per page and target, however often the page repeats the link.

    **How to fix.** Point the link at the page's current address, or remove it.
    Not reported here: targets the crawler was not allowed to fetch by
    robots.txt (`robots-disallowed`), targets matching `[links] ignore`,
    responses larger than `[crawl] max_response_mb` (the link works), and
    external sites that wall off bots (see `unverifiable-link`). An internal
    401/403/429 is reported: it is your own site refusing the visit.
    """
    for target, occ, fetch in _broken_links(site, metadata=False):
        yield Hit(
            f"{occ.describe()} points to {target}{_outcome(fetch)}{occ.times()}.",
            target=target, url=occ.page.url, line=occ.link.line,
            evidence={"status": fetch.status, "error": fetch.error, "redirect_chain": _chain(fetch),
                      "final_url": fetch.final_url, **occ.evidence()},
        )


@site_rule("page-too-large", "error")
def page_too_large(site: "Site", opts: None) -> Iterator[Hit]:
    """A page of the site is larger than `[crawl] max_response_mb`, so its download was stopped and it was not audited.

    **Why it matters.** An HTML page of tens of megabytes is almost always a
    fault: a runaway template loop, a data dump, a page that inlines its images.
    Visitors on a phone wait for it or give up, and search engines stop reading
    it part of the way through. The crawler stops too, so nothing on the page
    was checked.

    **Example.** `/events/calendar/` streams 50 MB of HTML while
    `max_response_mb = 10`.

    **How to fix.** Find out why the page is so large and make it smaller. If
    it really must be that large, raise `[crawl] max_response_mb` to audit it.
    Links to files that are not HTML (a large PDF or video) are checked without
    downloading them and are never reported here.
    """
    limit = site.config.crawl.max_response_mb
    for url, fetch in site.fetches.items():
        if fetch.error == "too-large" and not is_external(site, fetch):
            yield Hit(f"{url} is larger than [crawl] max_response_mb = {limit:g}: its download was stopped "
                      "and the page was not audited.", url=url, evidence={"max_response_mb": limit})


@site_rule("broken-head-link", "info")
def broken_head_link(site: "Site", opts: None) -> Iterator[Hit]:
    """A `<link>` in the page's head that no visitor sees (feed, oEmbed, EditURI, wp-json) answers with an error.

    **Why it matters.** WordPress and other CMSs print links for feed readers,
    blog editors and embeds (`rel="alternate"`, `rel="EditURI"`,
    `rel="https://api.w.org/"`, hreflang alternates, `rel="shortlink"`). A person
    never sees them, so on a static export where they all 404 they are not the
    broken links a visitor meets; they are worth a look (a dead feed or a dead
    hreflang alternate), not an error on every page.

    **Example.** `<link rel="alternate" type="application/rss+xml" href="/feed/">`
    on a static export that has no `/feed/`.

    **How to fix.** Remove the links the site no longer serves (most static
    export plugins have an option for it), or serve the targets. Stylesheets,
    icons, preloads and the canonical link are loaded or read by every visit and
    stay `broken-link` errors.
    """
    for target, occ, fetch in _broken_links(site, metadata=True):
        yield Hit(
            f"{occ.describe()} points to {target}{_outcome(fetch)}{occ.times()}; no visitor sees this link.",
            target=target, url=occ.page.url, line=occ.link.line,
            evidence={"status": fetch.status, "error": fetch.error, "rel": occ.link.rel, **occ.evidence()},
        )


@site_rule("unverifiable-link", "warning")
def unverifiable_link(site: "Site", opts: None) -> Iterator[Hit]:
    """A link could not be judged: an external bot wall (401/403/429/999, a challenge page) or a Retry-After beyond the crawl's wait.

    **Why it matters.** Many large sites (LinkedIn, Yelp, sites behind
    Cloudflare) refuse crawlers while serving people normally. Such a link may
    be fine or dead; calling it broken would be a false alarm, ignoring it
    would hide a dead link. It is never counted as `broken-link`.

    **Example.** `<a href="https://www.linkedin.com/in/dr-smith">` answers 999,
    or a review site answers 403 with a "Just a moment..." challenge page. Or
    a server answers 503 with `Retry-After: 120` while `[crawl] max_retry_after_s`
    is 30: the crawl does not stall for it and reports "busy, asks to retry
    after 120 s" at once.

    **How to fix.** Open the link in a browser once. If it works, add it to
    `[links] ignore` (or switch the rule off with `[rules] unverifiable-link = "off"`);
    if it is dead, fix or remove it.
    """
    walled = _per_target(lambda target: _bot_walled(site, target))
    for target, occ in occurrences(site):
        fetch = walled(target)
        if fetch is None:
            continue
        if fetch.busy_s is not None:
            yield Hit(
                f"{occ.describe()} points to {target}, which answered {fetch.status}: busy, asks to retry "
                f"after {fetch.busy_s:g} s{occ.times()}; it was not checked.",
                target=target, url=occ.page.url, line=occ.link.line,
                evidence={"status": fetch.status, "retry_after_s": fetch.busy_s, **occ.evidence()},
            )
            continue
        via = (f"redirects to {fetch.final_url}, which "
               if fetch.final_url and fetch.final_url != target else "")
        if fetch.challenge:
            answer = f"{fetch.status} and a bot-challenge page" if fetch.status else "a bot-challenge page"
        else:
            answer = f"{fetch.status}, as bot walls do"
        yield Hit(
            f"{occ.describe()} points to {target}, which {via}answered the checker with {answer}"
            f"{occ.times()}; open it in a browser to confirm it works.",
            target=target, url=occ.page.url, line=occ.link.line,
            evidence={"status": fetch.status, "challenge": fetch.challenge,
                      "final_url": fetch.final_url, **occ.evidence()},
        )


def _bot_walled(site: "Site", target: str) -> Optional[Fetch]:
    """The fetch when ``target`` could not be judged: a bot wall, or busy beyond the crawl's wait."""
    fetch = site.fetch(target)
    if fetch is None or fetch.error in NOT_FETCHED_BY_RULE:
        return None
    return fetch if fetch.busy_s is not None or is_bot_wall(site, fetch) else None


@site_rule("redirected-link", "warning")
def redirected_link(site: "Site", opts: None) -> Iterator[Hit]:
    """A link's target redirects (and ends on a working page); the evidence holds the chain.

    **Why it matters.** Each redirect costs the visitor a round trip and
    dilutes the link's value for search; chains of redirects also tend to
    break when the site moves again.

    **Example.** `<a href="http://clinic.test/contact">` redirects 301 to
    `https://clinic.test/contact/`. A chain that ends in an error is a
    `broken-link` instead. A page that only meta-refreshes at once
    (`<meta http-equiv="refresh" content="0; url=…">`) counts as a redirect.

    **How to fix.** Link straight to the final URL named in the message.
    """
    redirected = _per_target(lambda target: _redirected(site, target))
    for target, occ in occurrences(site):
        fetch = redirected(target)
        if fetch is None:
            continue
        final = fetch.final_url or ""
        fragment = occ.link.fragment
        instead = f"{final}#{fragment}" if final and fragment and "#" not in final else final
        codes = ", ".join(str(h.status) for h in fetch.redirect_chain)
        hops = len(fetch.redirect_chain)
        how = f"redirects ({codes})" if hops == 1 else f"redirects {hops} times ({codes})"
        advice = f" to {final}{occ.times()}; link to {instead} instead." if final else f"{occ.times()}."
        yield Hit(
            f"{occ.describe()} points to {target}, which {how}{advice}",
            target=target, url=occ.page.url, line=occ.link.line,
            evidence={"redirect_chain": _chain(fetch), "final_url": fetch.final_url, "hops": hops,
                      "status": fetch.status, **occ.evidence()},
        )


def _redirected(site: "Site", target: str) -> Optional[Fetch]:
    """The fetch of a target that redirects and ends on a working page (a meta refresh counts), else None."""
    fetch = site.fetch(target)
    if fetch is not None and not fetch.is_redirected and not fetch.error:
        fetch = _meta_refresh(site, fetch)
    if fetch is None or not fetch.is_redirected or fetch.error:
        return None
    if _broken(site, fetch) or is_bot_wall(site, fetch):
        return None
    return fetch


def _meta_refresh(site: "Site", fetch: Fetch) -> Fetch:
    """``fetch`` as a redirect when its page only meta-refreshes (0 s) to another URL.

    Search engines and browsers treat `<meta http-equiv="refresh" content="0; url=X">`
    as a redirect to X; the HTTP answer is a plain 200. Timed refreshes (a page shown
    for some seconds first) are not redirects.
    """
    page = site.pages.get(fetch.url)
    if page is None or fetch.status is None or not 200 <= fetch.status < 300:
        return fetch
    target = refresh_target(page)
    if target is None:
        return fetch
    landed = site.fetch(target)
    if landed is not None and (landed.is_broken or landed.is_redirected):
        return fetch  # a refresh into an error or further redirects: judged on the refresh page
    return replace(fetch, redirect_chain=(Hop(fetch.url, fetch.status),), final_url=target)


def refresh_target(page: Page) -> Optional[str]:
    """Where ``page`` sends every visitor at once (`<meta http-equiv="refresh" content="0; url=X">`), if elsewhere.

    Such a page is a redirect stub a static export leaves at an old address: nobody reads it.
    """
    for link in page.links:
        m = _REFRESH_DELAY.match(link.text) if link.tag == "meta-refresh" else None
        if m and float(m.group(1)) == 0 and page_key(link.fetch_url) != page_key(page.url):
            return link.fetch_url
    return None


def _fragment_moot(fragment: str) -> bool:
    """Fragments a browser handles without an element of that id.

    "#" and "#top" scroll to the top (HTML's "indicated part of the document"
    rules); "#:~:text=" is a text fragment; "#!..." and "#/..." are
    client-side routes handled by script. A fragment holding "=" is parameters
    for a script or viewer, not an id: Elementor's popup links
    ("#elementor-action:action=popup:open&settings=…"), "#access_token=…",
    a PDF's "#page=3".
    """
    return (not fragment or fragment.lower() == "top" or fragment.startswith((":~:", "!", "/"))
            or "=" in unquote(fragment))


def _anchors_of(site: "Site", url: str) -> Optional[tuple[str, ...]]:
    """The ids and names on the page a URL leads to, or None when that page was not read."""
    page = site.page_at(url)
    if page is not None:
        return page.anchors if page.status < 400 and "html" in (page.content_type or "html") else None
    fetch = site.fetch(url)
    if fetch is None or fetch.is_broken or fetch.anchors is None:
        return None
    return fetch.anchors


@site_rule("broken-fragment", "warning")
def broken_fragment(site: "Site", opts: None) -> Iterator[Hit]:
    """A link to `page#frag` where the target page has no element with that id or name.

    **Why it matters.** The visitor lands at the top of the page instead of
    the section promised ("See our pricing"), which on a long page reads as
    broken.

    **Example.** `<a href="/services/#pricing">` while `/services/` has
    `<h2 id="prices">`. An element with `id="pricing"` or `<a name="pricing">`
    satisfies the link.

    **How to fix.** Change the fragment to an id that exists (the message
    suggests a close one), or add the id to the target section. Not reported:
    `#` and `#top` (browsers scroll to the top), text fragments (`#:~:text=`),
    script routes (`#!/…`, `#/…`), parameters for a script or viewer
    (a fragment holding "=", such as Elementor's `#elementor-action:…` popups
    or a PDF's `#page=3`), and targets whose page was not read
    (not crawled, not HTML, or broken: see `broken-link`).
    """
    anchors_at = _per_target(lambda target: _anchors_of(site, target))
    for target, occ in occurrences(site, "target"):
        fragment = occ.link.fragment
        if _fragment_moot(fragment):
            continue
        anchors = anchors_at(target)
        if anchors is None:
            continue
        if fragment in anchors or unquote(fragment) in anchors:
            continue
        landed = site.page_at(target)
        page_url = landed.url if landed is not None else occ.link.fetch_url
        close = difflib.get_close_matches(unquote(fragment), anchors, n=1)
        hint = f' (did you mean "#{close[0]}"?)' if close else ""
        yield Hit(
            f'{occ.describe()} points to {target}, but {page_url} has no element with id or name '
            f'"{unquote(fragment)}"{hint}{occ.times()}.',
            target=target, url=occ.page.url, line=occ.link.line,
            evidence={"fragment": fragment, "suggestion": close[0] if close else None,
                      "same_page": page_url == occ.page.url, **occ.evidence()},
        )
