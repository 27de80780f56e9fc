"""Plain data that crosses every boundary: the page model, fetches, findings.

Everything here is a frozen dataclass with ``to_dict``/``from_dict`` so a crawl
can be stored as JSON lines and audited later exactly as if it were fresh.
Nothing in this module knows about Scrapy or the network.
"""
from __future__ import annotations

import dataclasses
import enum
import functools
import operator
import typing
from dataclasses import dataclass, field
from typing import Any, Callable, Optional


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Higher is worse; used for --fail-on and sorting."""
        return {"info": 0, "warning": 1, "error": 2}[self.value]


# Where on a page a link sits. "asset" is anything that is not a navigable link
# (img, script, stylesheet, icon, iframe, source).
CONTEXTS = ("body", "related-post", "nav", "header", "footer", "sidebar", "asset")
# report.json's links[].context keeps to the values the contract names; the finer
# region is reported beside it as links[].region.
CONTRACT_CONTEXT = {"header": "nav", "sidebar": "nav"}


class _Data:
    """to_dict/from_dict for nested frozen dataclasses (lists and tuples become lists)."""

    __slots__ = ()  # a crawl holds tens of thousands of links: no per-instance __dict__

    def to_dict(self) -> dict[str, Any]:
        return {name: _plain(getattr(self, name)) for name in _field_names(type(self))}

    @classmethod
    def from_dict(cls, data: dict[str, Any]):
        return _loader(cls)(data)

    def __reduce__(self):
        # Pages come back from extraction processes pickled: dataclasses' own slots pickling
        # looks the fields up again for every object (a third of a large check's unpickling).
        return type(self), _field_values(type(self))(self)


@functools.lru_cache(maxsize=None)
def _field_hints(cls) -> tuple[tuple[str, Any], ...]:
    # Resolving string annotations is slow; a stored crawl calls from_dict per record.
    hints = typing.get_type_hints(cls)
    return tuple((f.name, hints[f.name]) for f in dataclasses.fields(cls))


@functools.lru_cache(maxsize=None)
def _field_names(cls) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


@functools.lru_cache(maxsize=None)
def _field_values(cls) -> Callable[[Any], tuple]:
    names = _field_names(cls)
    get = operator.attrgetter(*names)
    return get if len(names) > 1 else lambda obj: (get(obj),)


_SCALARS = frozenset((str, int, float, bool, type(None)))


def _plain(value: Any) -> Any:
    if type(value) in _SCALARS:  # most values; exact types, so a str-valued Enum still becomes its value
        return value
    if isinstance(value, _Data):
        return value.to_dict()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


@functools.lru_cache(maxsize=None)
def _field_builders(cls) -> tuple[tuple[str, Any], ...]:
    return tuple((name, _builder(hint)) for name, hint in _field_hints(cls))


@functools.lru_cache(maxsize=None)
def _loader(cls) -> Callable[[dict[str, Any]], Any]:
    """``cls.from_dict``, made once per class: only the fields that need it are converted (most are
    JSON scalars already), and keys the class does not have (another version's) are left out."""
    names = frozenset(_field_names(cls))
    convert = tuple((name, build) for name, build in _field_builders(cls) if build is not _same)

    def load(data: dict[str, Any]):
        kwargs = dict(data) if names.issuperset(data) else {k: v for k, v in data.items() if k in names}
        for name, build in convert:
            if name in kwargs:
                kwargs[name] = build(kwargs[name])
        return cls(**kwargs)

    return load


def _same(value: Any) -> Any:
    return value


@functools.lru_cache(maxsize=None)
def _builder(hint: Any):
    """The function that turns a JSON value into ``hint``'s type; made once per type hint,
    because a stored crawl (and a re-crawl's reused pages) builds thousands of pages."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is typing.Union:
        inner = [a for a in args if a is not type(None)]
        build = _builder(inner[0]) if len(inner) == 1 else _same
        if build is _same:  # Optional[str] and the like: JSON has the value as it is
            return _same
    elif origin in (tuple, list) and args:
        item, kind = _builder(args[0]), origin
        build = (lambda value: kind(value)) if item is _same else (lambda value: kind([item(v) for v in value]))
    elif isinstance(hint, type) and issubclass(hint, _Data):
        build = _loader(hint)
    elif isinstance(hint, type) and issubclass(hint, enum.Enum):
        build = hint
    else:
        return _same
    return lambda value: None if value is None else build(value)


@dataclass(frozen=True, slots=True)
class Link(_Data):
    """One link or asset reference on a page, as written there.

    ``target`` is absolute with its fragment kept; ``tag`` is the element that
    holds it (a, area, img, link, script, iframe, source, meta-refresh; "style" for a
    url() in a style attribute).
    """

    target: str
    text: str = ""
    context: str = "body"
    tag: str = "a"
    rel: str = ""
    line: Optional[int] = None

    @property
    def fetch_url(self) -> str:
        """The target without its fragment: what is actually requested."""
        return self.target.split("#", 1)[0]

    @property
    def fragment(self) -> str:
        return self.target.split("#", 1)[1] if "#" in self.target else ""


@dataclass(frozen=True, slots=True)
class Image(_Data):
    src: str
    alt: Optional[str] = None  # None: no alt attribute at all; "" is a deliberate empty alt
    context: str = "body"
    line: Optional[int] = None


@dataclass(frozen=True, slots=True)
class Action(_Data):
    """A link, button, form or embed in the article body: what a reader could act on.

    Extraction records these facts; the missing-cta rule decides, with its
    ``[audits.cta]`` options, which are calls to action.
    """

    kind: str  # link | button | form | embed (an iframe, script or widget naming a URL)
    text: str = ""
    href: Optional[str] = None  # absolute; a form's action, an embed's URL
    line: Optional[int] = None


@dataclass(frozen=True, slots=True)
class Cta(_Data):
    """A call to action in the article body, as the missing-cta rule decides it."""

    kind: str  # tel | appointment | contact | form
    text: str = ""
    href: Optional[str] = None
    line: Optional[int] = None


@dataclass(frozen=True, slots=True)
class PhoneSeen(_Data):
    """A phone number as it appears on a page.

    ``via`` is "text" for a number in visible text and "tel" for a tel: href;
    ``raw`` is how it was written; ``shown`` is, for a tel: link, the number in
    the link's own text (E.164) when it shows one.
    """

    number: str  # E.164, e.g. +15594251118
    raw: str
    via: str = "text"
    context: str = "body"
    shown: Optional[str] = None
    line: Optional[int] = None
    # Numbers written right beside this one in the same text, as alternatives
    # ("Call A | B", "A (Sandy Lake office) or B (Meadville office)").
    beside: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Paragraph(_Data):
    """A block of the article body, with the links inside it (for source citations)."""

    text: str
    links: tuple[str, ...] = ()
    line: Optional[int] = None


@dataclass(frozen=True, slots=True)
class Heading(_Data):
    level: int
    text: str
    line: Optional[int] = None


@dataclass(frozen=True, slots=True)
class RelatedBlock(_Data):
    """A block of links to other pages that the page marks as "related" (a fact; the rule decides).

    ``markers`` are the class/id names that mark it (``jp-relatedposts``, ``yarpp-related``,
    ``widget_recent_entries``...); ``heading`` is the heading that announces it, if any;
    ``place`` is the region it sits in (body, sidebar, footer...).
    """

    links: tuple[str, ...]  # absolute same-site URLs as linked, one per page, in order
    heading: str = ""
    markers: tuple[str, ...] = ()
    place: str = "body"
    line: Optional[int] = None


@dataclass(frozen=True, slots=True)
class Readability(_Data):
    flesch_reading_ease: float
    flesch_kincaid_grade: float
    smog_index: float = 0.0
    gunning_fog: float = 0.0
    dale_chall: float = 0.0
    sentences: int = 0
    long_sentence_share: float = 0.0  # sentences over 20 words / all sentences
    long_paragraph_share: float = 0.0  # paragraphs over 150 words / all paragraphs
    hardest_sentences: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Page(_Data):
    """Everything siteproof knows about one fetched HTML page."""

    url: str
    status: int = 200
    content_type: str = "text/html"
    title: Optional[str] = None
    meta_description: Optional[str] = None
    canonical: Optional[str] = None
    meta_robots: Optional[str] = None
    lang: Optional[str] = None
    headings: tuple[Heading, ...] = ()
    anchors: tuple[str, ...] = ()  # element ids and <a name>s: valid #fragment targets
    links: tuple[Link, ...] = ()
    images: tuple[Image, ...] = ()
    phones: tuple[PhoneSeen, ...] = ()
    actions: tuple[Action, ...] = ()  # article-body links, buttons, forms, embeds
    text_urls: tuple[str, ...] = ()  # URLs written as plain visible text
    form_targets: tuple[str, ...] = ()  # where the page's forms send, resolved (<form action>, search forms too)
    body_text: str = ""  # the article's main body only
    paragraphs: tuple[Paragraph, ...] = ()
    # article | listing | archive | form | legal | redirect | template | home | other (audits.kinds);
    # "" on a page stored before kinds existed. Only articles meet the content rules.
    kind: str = ""
    kind_evidence: tuple[str, ...] = ()  # the signals that decided the kind ("body class tag", "og:type article")
    is_article: bool = False  # kind == "article"
    word_count: int = 0
    readability: Optional[Readability] = None
    related_posts: tuple[str, ...] = ()  # absolute URLs from the related-posts block
    related_blocks: tuple[RelatedBlock, ...] = ()  # every block marked "related", with its evidence
    topics: tuple[str, ...] = ()  # the page's own taxonomy: "category:x", "tag:y", "breadcrumb:z", "section:w"
    source_path: Optional[str] = None  # the local file a page came from (siteproof check)
    parse_error: Optional[str] = None  # why the HTML parser stopped before the end of the page
    depth: int = 0

    @property
    def h1s(self) -> list[str]:
        return [h.text for h in self.headings if h.level == 1]

    def summary(self, ctas: typing.Iterable[Cta] = ()) -> dict[str, Any]:
        """The page entry of report.json (contract shape, plus extra fields); ``ctas`` as the rule decided."""
        r = self.readability
        return {
            "url": self.url,
            "status": self.status,
            "title": self.title,
            "is_article": self.is_article,
            "kind": self.kind or ("article" if self.is_article else "other"),
            "kind_evidence": list(self.kind_evidence),
            "word_count": self.word_count,
            "readability": r.to_dict() if r else None,
            "related_posts": list(self.related_posts),
            "ctas": [c.to_dict() for c in ctas],
            "phones": sorted({p.number for p in self.phones}),
            "meta_description": self.meta_description,
            "canonical": self.canonical,
            "h1": self.h1s,
            "source_path": self.source_path,
        }


@dataclass(frozen=True, slots=True)
class Hop(_Data):
    url: str
    status: int


# robots.txt kept the crawler away: nothing is known about the URL itself.
NOT_FETCHED_BY_RULE = ("robots-disallowed", "robots-unavailable")


@dataclass(frozen=True, slots=True)
class Fetch(_Data):
    """The outcome of requesting one distinct URL (fragment stripped).

    ``error`` names what went wrong when there was no usable response:
    timeout, connection-refused, dns-error, redirect-loop, too-many-redirects,
    too-large, tls-error, connection-lost, robots-disallowed, robots-unavailable
    (robots.txt answered 5xx, which disallows everything: RFC 9309).
    ``redirect_chain`` lists each redirecting hop (URL and its 3xx status);
    ``final_url`` is where the chain ended.
    """

    url: str
    status: Optional[int] = None
    error: Optional[str] = None
    redirect_chain: tuple[Hop, ...] = ()
    final_url: Optional[str] = None
    content_type: Optional[str] = None
    method: str = "GET"
    external: bool = False
    anchors: Optional[tuple[str, ...]] = None  # ids/names, when the body was read for #fragments
    elapsed_ms: Optional[float] = None
    challenge: bool = False  # the body looked like a bot wall (Cloudflare etc.)
    busy_s: Optional[float] = None  # answered 429/5xx asking to retry later than the crawl waits (Retry-After)

    @property
    def is_broken(self) -> bool:
        if self.busy_s is not None:
            return False  # not judged: the server asked us to come back later
        if self.error:
            return self.error not in NOT_FETCHED_BY_RULE
        return self.status is not None and self.status >= 400

    @property
    def is_redirected(self) -> bool:
        return bool(self.redirect_chain)


@dataclass(frozen=True, slots=True)
class Hit(_Data):
    """What a rule yields; the engine stamps rule id and effective severity."""

    message: str
    target: Optional[str] = None
    evidence: dict = field(default_factory=dict)
    url: Optional[str] = None  # defaults to the page the rule was run on
    line: Optional[int] = None


@dataclass(frozen=True, slots=True)
class Finding(_Data):
    rule: str
    severity: Severity
    url: str
    target: Optional[str]
    message: str
    evidence: dict = field(default_factory=dict)
    line: Optional[int] = None
    source_path: Optional[str] = None

    def sort_key(self):
        return (-self.severity.rank, self.rule, self.url, self.target or "", self.line or 0)
