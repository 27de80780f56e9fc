"""What kind of page a page is, and the signals that said so.

Extraction records facts about a page (``PageFacts``: its URL, WordPress body
classes, og:type, JSON-LD types, meta refresh, bracketed placeholders, forms,
words); ``classify`` decides the kind from them, first signal that applies wins,
and returns the signals it used as evidence. Only articles are judged by the
content rules (readability, thin-content, missing-cta, related posts, citations):
a tag archive, a redirect stub or a privacy policy has no call to action to miss.

Nothing here knows one site: the signals are WordPress's own body classes,
schema.org types, URL shapes every CMS uses (``/tag/x/``, ``/page/2/``,
``/2024/05/``) and the words a legal page is titled with. The order is in
docs/extraction.md ("Page kinds").
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional
from urllib.parse import parse_qs, urlsplit

ARTICLE, LISTING, ARCHIVE, FORM, LEGAL = "article", "listing", "archive", "form", "legal"
REDIRECT, TEMPLATE, HOME, OTHER = "redirect", "template", "home", "other"
ERROR, FRAGMENT, ASSET = "error", "fragment", "asset"
KINDS = (ARTICLE, LISTING, ARCHIVE, FORM, LEGAL, REDIRECT, TEMPLATE, HOME, OTHER, ERROR, FRAGMENT, ASSET)
# Files a static export or mirror saves with an HTML name that are no page of the site: a saved error
# page ("Not Found" bodies under srcset names, WordPress 404 pages under image names), an empty file, a
# piece of a page (no <html>, <head>, <body> or <title>; a form document other pages show in an iframe),
# a theme's or font's demo page. No on-page or content rule judges them.
NOT_PAGES = frozenset({ERROR, FRAGMENT, ASSET})
# Of those, the ones whose links and numbers are not content a visitor meets: an error page's are the
# site template's (judged where they work), a demo page's are the package's. A fragment shown in an
# iframe is seen, so its links and numbers still count.
UNSEEN = frozenset({ERROR, ASSET})


@dataclass(frozen=True)
class PageFacts:
    """What extraction saw that tells a blog post from a home page, an archive, a form or a stub."""

    url: str
    title: str = ""
    body_classes: frozenset[str] = frozenset()
    og_type: str = ""
    ld_types: frozenset[str] = frozenset()  # JSON-LD @types, lower case
    listing: bool = False  # several <article>s side by side
    h1_count: int = 0
    word_count: int = 0  # words of the main body's prose
    article_main: bool = False  # the main body is an <article> element
    refresh: Optional[float] = None  # seconds before a meta refresh sends the reader to another URL
    page_words: int = 0  # visible words anywhere on the page
    placeholders: tuple[str, ...] = ()  # "[Condition Name]"-style blanks in the main body, in order
    forms: int = 0  # forms with a submit control in the main body (search forms aside)
    document: bool = True  # the source has a doctype, <html>, <head>, <body> or <title> (else a fragment)
    short_text: str = ""  # the whole visible text of a page of at most ERROR_WORDS words


# schema.org's article types. MedicalWebPage is not one: it is a WebPage about a medical topic, which clinic
# generators write on condition, service and location pages alike.
_ARTICLE_TYPES = frozenset({"article", "blogposting", "newsarticle", "medicalscholarlyarticle",
                            "scholarlyarticle", "techarticle", "report", "socialmediaposting"})
_ARCHIVE_BODY = ("category", "tag", "author", "date", "post-type-archive", "tax-", "archive")
_LISTING_BODY = ("blog", "search", "search-results")
_POST_BODY = ("single-post", "single", "single-format-standard")  # in the order evidence names them
# Custom post types that hold articles under another name.
_ARTICLE_POST_TYPES = frozenset({"post", "article", "articles", "blog", "blog_post", "blog-post", "blogpost", "news",
                                 "insight", "insights", "resource", "resources", "story", "stories"})


def _custom_post_type(body_classes) -> Optional[str]:
    """The custom post type a WordPress single entry's body classes name ("single-testimonial"), else None."""
    if "single" not in body_classes or "single-post" in body_classes:  # a post, whatever else the theme adds
        return None
    for c in sorted(body_classes):
        kind = c[len("single-"):] if c.startswith("single-") else ""
        if kind and not kind.startswith("format-") and kind not in _ARTICLE_POST_TYPES:
            return kind
    return None


_ARCHIVE_SEGMENTS = frozenset({"tag", "tags", "category", "categories", "author", "authors", "topic", "topics"})
_INDEX_SEGMENTS = frozenset({"blog", "news", "articles", "posts", "insights", "resources", "updates"})
_INDEX_FILES = re.compile(r"(?:^|/)(?:index|default)\.(?:html?|php|aspx?)$", re.I)
_YEAR = re.compile(r"^(?:19|20)\d\d$")
_DIGITS = re.compile(r"^\d{1,2}$")

_LEGAL = re.compile(
    r"^(?:privacy(?:[- ]policy| notice| practices)?|notice[- ]of[- ]privacy[- ]practices|hipaa(?:[- ].*)?"
    r"|terms(?:[- ](?:of[- ](?:use|service)|and[- ]conditions|&[- ]conditions|conditions))?|terms[- ]conditions"
    r"|legal(?:[- ](?:notice|information))?|disclaimers?|medical[- ]disclaimer|cookies?(?:[- ]policy)?"
    r"|accessibility(?:[- ]statement)?|website[- ]accessibility|non[- ]?discrimination(?:[- ]notice)?"
    r"|imprint|impressum|gdpr|ccpa|dmca(?:[- ]policy)?)$", re.I)
_CONTACT_SLUGS = frozenset({"contact", "contact-us", "contactus", "appointment", "appointments", "request-appointment",
                            "request-an-appointment", "book", "book-online", "book-now", "book-appointment",
                            "book-an-appointment", "schedule", "schedule-appointment", "schedule-an-appointment",
                            "new-patient-form", "new-patient-forms", "patient-forms", "intake", "intake-form",
                            "refer", "referral", "referrals", "make-a-referral"})
# Pages about the practice rather than articles, whatever their length: an about page of 900
# words with one h1 reads like a post to the length test, but it has no topic to judge.
_SITE_SLUGS = frozenset({"about", "about-us", "aboutus", "who-we-are", "our-story", "our-team", "team", "meet-the-team",
                         "meet-our-team", "staff", "our-staff", "providers", "our-providers", "our-doctors", "doctors",
                         "practitioners", "our-practitioners", "therapists", "our-therapists", "clinicians",
                         "careers", "jobs", "employment", "locations", "location", "our-locations", "directions",
                         "faq", "faqs", "insurance", "pricing", "fees", "financing", "reviews", "testimonials",
                         "gallery", "sitemap", "thank-you", "thanks", "new-patients", "patient-resources"})
# A short form page: its words are labels and an address, not prose.
FORM_PAGE_WORDS = 250
# A stub's whole page: "Redirecting… If you are not redirected, click here."
STUB_WORDS = 60
STUB_DELAY = 10.0
# A saved error body: "Not Found", "403 Forbidden", "Error 404 - Page not found".
ERROR_WORDS = 12
_ERROR_TEXT = re.compile(
    r"^(?:(?:error\s*)?(?:40[034]|410|50[0-3])\b[\s:.-]*(?:error\b)?[\s:.-]*)?"
    r"(?:(?:page|file|document)\s+)?(?:not\s+found|forbidden|access\s+denied|gone|internal\s+server\s+error"
    r"|service\s+unavailable|bad\s+request)?[\s.!]*$", re.I)
_ERROR_PHRASE = re.compile(r"\b(?:page|file|document)\s+(?:not\s+found|(?:can['’]?t|cannot|could\s+not)\s+be\s+found)"
                           r"|^(?:error\s*)?40[34]\b|^not\s+found\b", re.I)
_ERROR_SLUGS = frozenset({"404", "403", "410", "500", "404-error", "error-404", "page-not-found", "not-found"})
# Folders that hold a theme's, plugin's or font's own files: an .html there is its demo or readme page.
_ASSET_DIRS = frozenset({"node_modules", "bower_components", "vendor", "fonts", "font", "webfonts", "wp-includes",
                         "plugins"})

# At least this many placeholders, of at least two different names, make a template page.
PLACEHOLDERS = 3


def _segments(url: str) -> tuple[list[str], dict]:
    parts = urlsplit(url)
    path = _INDEX_FILES.sub("/", parts.path or "/")
    segs = [s.lower() for s in path.split("/") if s]
    if segs and "." in segs[-1]:  # /privacy-policy.html: the slug without its extension
        segs[-1] = segs[-1].rsplit(".", 1)[0]
    return segs, parse_qs(parts.query)


_PAGE_KEYS = ("paged", "page")  # the query keys that number a list's pages


def paginated(url: str) -> Optional[int]:
    """The page number of a paginated copy (``/tag/x/page/2/``, ``?paged=2``), else None."""
    segs, query = _segments(url)
    if len(segs) >= 2 and segs[-2] == "page" and segs[-1].isdigit():
        return int(segs[-1])
    for key in _PAGE_KEYS:
        if query.get(key, [""])[0].isdigit():
            return int(query[key][0])
    return None


def next_page(url: str, target: str) -> bool:
    """``target`` is the page after ``url`` in the same paginated list: ``/blog/`` -> ``/blog/page/2/``,
    ``/tag/x/page/2/`` -> ``/tag/x/page/3/``, ``/events/?page=4`` -> ``/events/?page=5``."""
    n = paginated(target)
    return n is not None and n == (paginated(url) or 1) + 1 and _list_of(target) == _list_of(url)


def _list_of(url: str) -> str:
    """The URL of a paginated list without its page number."""
    parts = urlsplit(first_page(url))
    query = "&".join(p for p in parts.query.split("&") if p and p.split("=", 1)[0] not in _PAGE_KEYS)
    return parts._replace(query=query, fragment="").geturl()


def first_page(url: str) -> str:
    """A paginated copy's first page: ``/tag/x/page/1/`` -> ``/tag/x/`` (other URLs unchanged)."""
    parts = urlsplit(url)
    m = re.search(r"(?<=/)page/\d+/?$", parts.path)
    if m:
        return parts._replace(path=parts.path[: m.start()]).geturl()
    return url


def _title_parts(title: str) -> list[str]:
    # "Privacy Policy | Smith Dental" / "Smith Dental – Privacy Policy": either side may be the page's name.
    return [p.strip() for p in re.split(r"\s+[|–—-]\s+|\s*[|»]\s*", title) if p.strip()]


def _body_hits(classes: frozenset[str], names: tuple[str, ...]) -> list[str]:
    return sorted(c for c in classes if any(c == n or (n.endswith("-") and c.startswith(n)) for n in names))


def classify(f: PageFacts) -> tuple[str, tuple[str, ...]]:
    """The page's kind and the signals that decided it (first rule that applies wins)."""
    segs, _ = _segments(f.url)
    page_no = paginated(f.url)
    base = segs[:-2] if page_no is not None and len(segs) >= 2 and segs[-2] == "page" else segs
    slug = base[-1] if base else ""

    if f.refresh is not None and f.refresh <= STUB_DELAY and f.page_words < STUB_WORDS:
        return REDIRECT, (f"meta refresh after {f.refresh:g} s", f"{f.page_words} words on the page")
    error = _error(f, slug)
    if error:
        return ERROR, error
    if not f.document:
        return FRAGMENT, ("no doctype, <html>, <head>, <body> or <title>: a piece of a page",)
    folder = next((s for s in segs[:-1] if s in _ASSET_DIRS), None)
    if folder:
        return ASSET, (f"inside a {folder}/ folder: a theme's, plugin's or font's own file",)
    blanks = list(dict.fromkeys(f.placeholders))
    if len(f.placeholders) >= PLACEHOLDERS and len(blanks) >= 2:
        shown = ", ".join(blanks[:3]) + (", …" if len(blanks) > 3 else "")
        return TEMPLATE, (f"{len(f.placeholders)} placeholders ({shown})",)
    if not segs and page_no is None:
        return HOME, ("url path /",)
    if "home" in f.body_classes and page_no is None:
        return HOME, ("body class home",)

    paged = (f"/page/{page_no}/: page {page_no} of a paginated list",) if page_no is not None else ()
    hits = _body_hits(f.body_classes, _ARCHIVE_BODY)
    if hits:
        return ARCHIVE, tuple(f"body class {c}" for c in hits[:3]) + paged
    hits = _body_hits(f.body_classes, _LISTING_BODY)
    if hits:
        return LISTING, tuple(f"body class {c}" for c in hits[:3]) + paged
    if "collectionpage" in f.ld_types or page_no is not None:
        listing = (("json-ld CollectionPage",) if "collectionpage" in f.ld_types else ()) + paged
        return (ARCHIVE if _archive_path(base) else LISTING), _archive_evidence(base) + listing

    # The page's own address names what it is (/about/, /insurance/, /testimonials/) whatever type its
    # CMS writes on it: Publii declares every page it calls a post an Article.
    section = _site_section(base, slug)
    if section:
        return OTHER, (f"url /{section}/: a page about the practice",)
    if f.og_type == "profile":
        return OTHER, ("og:type profile: a person's page",)
    # schema.org's ProfilePage says the same in JSON-LD (a practitioner's "About Jesse", an author's page).
    if "profilepage" in f.ld_types:
        return OTHER, ("json-ld ProfilePage: a person's page",)

    # WordPress names a single entry's post type in its body class: "single-testimonial", "single-product",
    # "single-event" are a custom type's entries, not blog posts (a standard post is "single-post").
    custom = _custom_post_type(f.body_classes)
    if custom:
        return OTHER, (f"body class single-{custom}: a WordPress '{custom}' entry, not a post",)

    post = [f"body class {c}" for c in _POST_BODY if c in f.body_classes] + \
           [f"body class {c}" for c in sorted(f.body_classes) if c.startswith("postid-")][:1]
    ld = sorted(f.ld_types & _ARTICLE_TYPES)
    if post or ld:
        return ARTICLE, tuple(post[:2]) + tuple(f"json-ld {t}" for t in ld[:2])

    # WordPress tells its static pages (services, about, contact) from its posts by body class; SEO
    # plugins still write og:type=article on both, so og:type and length say nothing about a page.
    wp_page = next((c for c in sorted(f.body_classes) if c.startswith("page-id-")), None)
    if wp_page and "page" in f.body_classes:
        return OTHER, (f"body class {wp_page}: a WordPress page, not a post",)

    if _archive_path(base):
        return ARCHIVE, _archive_evidence(base)
    if f.listing:
        return LISTING, ("several <article>s side by side",)
    if len(base) == 1 and slug in _INDEX_SEGMENTS:
        return LISTING, (f"url /{slug}/: a blog index",)

    legal = _legal(f, slug)
    if legal:
        return LEGAL, legal
    # /our-team/dr-lee/ is about the practice too (decided above), even with a "contact Dr. Lee" form on it.
    if "aboutpage" in f.ld_types:
        return OTHER, ("json-ld AboutPage",)
    form = _form(f, slug)
    if form:
        return FORM, form
    if f.og_type == "article":
        return ARTICLE, ("og:type article",)
    if f.og_type == "website" and not f.article_main:
        return OTHER, ("og:type website",)
    if f.word_count >= 150 and f.h1_count == 1:
        return ARTICLE, (f"long body ({f.word_count} words), one h1",)
    return OTHER, (f"short or untitled ({f.word_count} words, {f.h1_count} h1)",)


def _site_section(base: list[str], slug: str) -> str:
    """The segment that puts the page among the practice's own pages ("practitioners" of
    /practitioners/dr-lee/), or "". A section may sit under a language or a base path
    (/kr/about/, /greenleafclinic-web/practitioners/clare-park/), but a post under a blog
    (/blog/team-building-tips/, /blog/team/…) is the blog's."""
    if slug in _SITE_SLUGS:
        return slug
    for seg in base[:-1]:
        if seg in _INDEX_SEGMENTS:
            return ""
        if seg in _SITE_SLUGS:
            return seg
    return ""


def _archive_path(segs: list[str]) -> bool:
    if any(s in _ARCHIVE_SEGMENTS for s in segs[:-1]):
        return True
    # /2024/ /2024/05/ /2024/05/17/: a date archive (a post's URL has its slug after the date).
    return bool(segs) and len(segs) <= 3 and bool(_YEAR.match(segs[0])) and all(_DIGITS.match(s) for s in segs[1:])


def _archive_evidence(segs: list[str]) -> tuple[str, ...]:
    if not _archive_path(segs):
        return ()
    return (f"url /{'/'.join(segs)}/: a {'date' if _YEAR.match(segs[0]) else 'tag, category or author'} archive",)


def _error(f: PageFacts, slug: str) -> tuple[str, ...]:
    if "error404" in f.body_classes:
        return ("body class error404",)
    if f.short_text and f.page_words <= ERROR_WORDS and _ERROR_TEXT.match(f.short_text) \
            and f.short_text.strip(" .!"):
        return (f"the whole text is {f.short_text!r}",)
    for part in _title_parts(f.title):
        if _ERROR_PHRASE.search(part):
            return (f"title {part!r}",)
    if slug in _ERROR_SLUGS:
        return (f"url /{slug}/: the site's error page",)
    return ()


def _legal(f: PageFacts, slug: str) -> tuple[str, ...]:
    if "privacy-policy" in f.body_classes:
        return ("body class privacy-policy",)
    if slug and _LEGAL.match(slug):
        return (f"url /{slug}/",)
    for part in _title_parts(f.title):
        if _LEGAL.match(part):
            return (f"title {part!r}",)
    return ()


def _form(f: PageFacts, slug: str) -> tuple[str, ...]:
    if not f.forms:
        return ()
    forms = f"{f.forms} form{'s' if f.forms > 1 else ''} in the main body"
    contact = [f"url /{slug}/"] if slug in _CONTACT_SLUGS else []
    contact += [f"body class {c}" for c in sorted(f.body_classes) if c.startswith("page-template-") and "contact" in c]
    contact += ["json-ld ContactPage"] if "contactpage" in f.ld_types else []
    if contact:
        return (forms, *contact[:2])
    if f.word_count < FORM_PAGE_WORDS:
        return (forms, f"{f.word_count} words of prose")
    return ()


# A page the navigation links from at least this share of the site's pages (and from 3 pages at least) is
# one of the site's sections, not an article.
NAV_SHARE = 0.5
NAV_MIN_PAGES = 3


def in_navigation(pages, resolve=lambda url: url) -> dict[str, str]:
    """URL -> evidence for each page the site's navigation (menu or header) links from most pages.

    About, insurance, service and condition pages are reached from the menu on every page; a blog post is
    reached from the blog's lists. The menu is the site's own say on what its sections are, and it holds
    where the type a CMS writes does not (Publii's JSON-LD Article on every page it calls a post, a
    generator's MedicalWebPage on condition pages).
    """
    # A feed or a JSON file saved with an HTML name (a mirror's feed/index.html) has no menu: it is not
    # one of the pages the share is taken of.
    seen = [p for p in pages if p.kind not in NOT_PAGES and p.kind != REDIRECT and "html" in p.content_type]
    counts: dict[str, int] = {}
    for page in seen:
        for url in {resolve(link.fetch_url) for link in page.links
                    if link.context in ("nav", "header") and link.tag in ("a", "area")}:
            counts[url] = counts.get(url, 0) + 1
    need = max(NAV_MIN_PAGES, NAV_SHARE * len(seen))
    return {url: f"in the site's navigation on {n} of {len(seen)} pages: a section of the site, not an article"
            for url, n in counts.items() if n >= need}


def framed_only(pages, resolve=lambda url: url) -> dict[str, str]:
    """URL -> evidence for each page other pages show in an ``<iframe>`` and no page links to.

    Such a document (a form builder's booking form, a map) is a part of the pages that frame
    it, with no title or h1 of its own to get right; it is a kind only the whole site can tell.
    ``resolve`` names the page a link's URL lands on (``/form.html`` is the page ``/form``).
    """
    framed: dict[str, set[str]] = {}
    linked: set[str] = set()
    for page in pages:
        for link in page.links:
            if link.tag in ("iframe", "frame"):
                framed.setdefault(resolve(link.fetch_url), set()).add(page.url)
            elif link.tag in ("a", "area"):
                linked.add(resolve(link.fetch_url))
    return {url: f"shown in an <iframe> on {len(by)} page{'s' if len(by) > 1 else ''}, linked from none"
            for url, by in framed.items() if url not in linked}
