"""What rules read and what renderers show: the ``Site`` and the finished ``Report``.

Rules and renderers import this module, never the engine: the engine
(``audits.engine.audit``) is the one place that turns a Site into a Report.
"""
from __future__ import annotations

import functools
import itertools
from collections.abc import Sequence
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterable, Iterator, Optional
from urllib.parse import urlsplit, urlunsplit

from audits import kinds
from audits.config import Config
from audits.identity import SiteIdentity
from audits.model import CONTRACT_CONTEXT, Cta, Fetch, Finding, Page, Severity
from audits.readability import english


@dataclass
class Site:
    """A crawled (or locally read) site: its pages, fetches and sitemap.

    Rules read a Site; they never fetch. ``fetch(url)`` is None for a URL that
    was not checked, and rules skip such links rather than guess.
    """

    pages: dict[str, Page] = field(default_factory=dict)
    fetches: dict[str, Fetch] = field(default_factory=dict)
    sitemap_urls: tuple[str, ...] = ()
    sitemap_found: bool = False
    partial: bool = False  # True when only part of a site was given (siteproof check on some files)
    config: Config = field(default_factory=Config)
    crawled: bool = True  # False when the pages were read from files or a stored crawl
    # What rules derive from the whole site and share, computed once (see ``derive``).
    _derived: dict = field(default_factory=dict, repr=False, compare=False)

    def derive(self, key: Any, compute: Callable[[], Any]) -> Any:
        """``compute()``, once per site and key: verdicts that several rules (or renderers) need,
        such as every link's, are worked out once for the site instead of once per rule and page."""
        if key not in self._derived:
            self._derived[key] = compute()
        return self._derived[key]

    @classmethod
    def build(cls, pages: Iterable[Page], fetches: Iterable[Fetch], config: Config,
              sitemap_urls: Iterable[str] = (), sitemap_found: bool = False,
              partial: bool = False, crawled: bool = True) -> "Site":
        site = cls(config=config, sitemap_urls=tuple(sitemap_urls), sitemap_found=sitemap_found,
                   partial=partial, crawled=crawled)
        for page in pages:
            site.pages[page.url] = page
        for f in fetches:
            site.fetches[f.url] = f
        for url, evidence in kinds.framed_only(site.pages.values(), site._landing).items():
            page = site.pages.get(url)
            if page is not None and page.kind not in kinds.NOT_PAGES:
                site.pages[url] = replace(page, kind=kinds.FRAGMENT, kind_evidence=(evidence,), is_article=False)
        for url, evidence in kinds.in_navigation(site.pages.values(), site._landing).items():
            page = site.pages.get(url)
            # WordPress's own post classes outweigh the menu (a mega-menu may list the latest posts).
            if page is not None and page.kind == kinds.ARTICLE and \
                    not any(e.startswith("body class") for e in page.kind_evidence):
                site.pages[url] = replace(page, kind=kinds.OTHER, is_article=False,
                                          kind_evidence=(evidence, *(f"declared: {e}" for e in page.kind_evidence)))
        # A copy is what the page it names canonical is: an AMP copy of the about page is no article,
        # and an AMP copy of a French post (AMP templates often drop <html lang>) is French.
        for url, page in list(site.pages.items()):
            original = site.page_at(page.canonical) if page.canonical and page.kind == kinds.ARTICLE else None
            if original is None or original.url == url:
                continue
            if page.lang is None and original.lang:
                page = site.pages[url] = replace(page, lang=original.lang, readability=(
                    page.readability if english(original.lang) else None))
            if original.kind not in (kinds.ARTICLE, *kinds.NOT_PAGES):
                site.pages[url] = replace(page, kind=original.kind, is_article=False, kind_evidence=(
                    f"a copy of {original.url} (its canonical link), which is {original.kind}",))
        return site

    def _landing(self, url: str) -> str:
        fetch = self.fetches.get(url)
        return (fetch.final_url if fetch is not None and fetch.final_url else None) or url

    @functools.cached_property
    def identity(self) -> SiteIdentity:
        """The site's own hosts, names and ignored targets (the pages' hosts when nothing is configured)."""
        return SiteIdentity.from_config(self.config, (p.url for p in self.pages.values()))

    def fetch(self, url: str) -> Optional[Fetch]:
        return self.fetches.get(url.split("#", 1)[0])

    def sitemap_pages(self) -> list[str]:
        """The sitemap's URLs that name pages of this site.

        A sitemap may only list its own host's URLs, so one naming another host is a production sitemap
        served by a preview, staging copy or local build: with no canonical_url to say which host the
        site is, its paths are this site's. With canonical_url set, another host's URL is no page here.
        """
        parts = urlsplit(self.config.canonical_origin or next(iter(self.pages), ""))
        moved: dict[str, None] = {}
        for url in self.sitemap_urls:
            if not self.identity.is_own(url):
                if self.config.site.canonical_url or not parts.netloc:
                    continue
                there = urlsplit(url)
                url = urlunsplit((parts.scheme, parts.netloc, there.path or "/", there.query, ""))
            moved[url] = None
        return list(moved)

    def page_at(self, url: str) -> Optional[Page]:
        """The crawled page a URL leads to, following a recorded redirect."""
        url = url.split("#", 1)[0]
        if url in self.pages:
            return self.pages[url]
        f = self.fetches.get(url)
        if f and f.final_url and f.final_url in self.pages:
            return self.pages[f.final_url]
        return None

    def link_rows(self) -> "LinkRows":
        """The contract's ``links`` table: every link on every page with its check result."""
        pages = list(self.pages.values())
        # A template's links repeat on every page: each target's check result is settled once.
        outcomes = {link.target: None for page in pages for link in page.links}
        return LinkRows(pages, {target: self._outcome(target) for target in outcomes})

    def _outcome(self, target: str) -> tuple:
        f = self.fetch(target)
        if f is None:
            return None, "ignored" if self.identity.ignored(target) else "not-checked", [], None
        return f.status, f.error, [h.to_dict() for h in f.redirect_chain], f.final_url if f.redirect_chain else None


class LinkRows(Sequence):
    """The contract's ``links`` table, each row made when it is read.

    A row is a dict of eleven keys per link of every page: 230,000 of them on a
    2,000-page WordPress export, about 50 MB held from the audit to the last
    report. Made on the fly from the pages (kept anyway) and one check result per
    target, the table costs a few hundred KB; each reader (report.json, the HTML
    summary, the history) walks it once.
    """

    def __init__(self, pages: list[Page], outcomes: dict[str, tuple]):
        self._pages = pages
        self._outcomes = outcomes
        self._len = sum(len(page.links) for page in pages)

    def __len__(self) -> int:
        return self._len

    def __iter__(self) -> Iterator[dict[str, Any]]:
        outcomes = self._outcomes
        for page in self._pages:
            for link in page.links:
                status, error, chain, final_url = outcomes[link.target]
                yield {
                    "source": page.url,
                    "target": link.target,
                    "status": status,
                    "error": error,
                    "redirect_chain": chain,
                    "final_url": final_url,
                    "text": link.text,
                    "context": CONTRACT_CONTEXT.get(link.context, link.context),
                    "region": link.context,
                    "tag": link.tag,
                    "line": link.line,
                }

    def __getitem__(self, index):
        if isinstance(index, slice):
            return list(self)[index]
        i = range(self._len)[index]  # IndexError as a list raises it
        return next(itertools.islice(self, i, None))

    def __eq__(self, other) -> bool:
        if isinstance(other, (LinkRows, list)):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other))
        return NotImplemented

    def __repr__(self) -> str:
        return f"<LinkRows: {self._len} links>"


@dataclass(frozen=True)
class SiteFacts:
    """What the rules settled about the site, carried on the report so every renderer shows the same answer."""

    identity: SiteIdentity = field(default_factory=SiteIdentity)
    canonical_phone: Optional[str] = None  # E.164: configured, else the rules' choice
    allowed_phones: tuple[str, ...] = ()  # [audits.phone] allow and national help lines, E.164
    max_grade: Optional[float] = None  # [audits.readability] max_grade

    def to_dict(self) -> dict[str, Any]:
        c = self.identity.canonical
        return {"canonical_origin": c.url if c else None, "hosts": self.identity.hosts(),
                "canonical_phone": self.canonical_phone, "allowed_phones": list(self.allowed_phones),
                "max_grade": self.max_grade}


@dataclass(frozen=True)
class Report:
    """The finished result of one audit; ``audits.engine.audit`` builds it and nothing edits it."""

    site: str
    config: Config
    pages: list[Page]
    links: Sequence[dict[str, Any]]  # a LinkRows from the engine: iterate it, it is not stored
    findings: list[Finding]
    links_checked: int
    started_at: str
    finished_at: str
    partial: bool = False
    crawled: bool = True  # False when the pages were read from files or a stored crawl
    baselined: int = 0  # findings matched by the --baseline file
    fixed: list[dict[str, Any]] = field(default_factory=list)  # baseline entries no longer found
    baseline_new: Optional[list[Finding]] = None  # with a baseline: the findings not in it
    notes: tuple[str, ...] = ()  # one-line remarks on the input (a guessed origin, partial input)
    facts: SiteFacts = field(default_factory=SiteFacts)
    ctas: dict[str, tuple[Cta, ...]] = field(default_factory=dict)  # page URL -> calls to action, [audits.cta]
    partial_reason: Optional[str] = None  # a crawl that stopped early: why (interrupted, max_pages...)
    crawl: Optional[dict[str, Any]] = None  # the crawl's own account: finish reason, retries, pages never reached
    # The run as recorded in the history store (audits/history/record.py): {"run", "since_last",
    # "trend"}; None when nothing was recorded (--no-history, `baseline`).
    history: Optional[dict[str, Any]] = None
    # id(finding) -> (finding, its fingerprint), filled by ``fingerprint``: report.json, findings.csv and the
    # history each need every fingerprint. The copies dataclasses.replace makes share it, and each entry
    # holds its finding, so no other object can take over that id while the entry lives.
    fingerprints: dict[int, tuple[Finding, str]] = field(default_factory=dict, repr=False, compare=False)

    def fingerprint(self, finding: Finding) -> str:
        """``audits.baseline.fingerprint`` of one of this report's findings, made once."""
        known = self.fingerprints.get(id(finding))
        if known is None or known[0] is not finding:
            from audits.baseline import fingerprint

            known = self.fingerprints[id(finding)] = (finding, fingerprint(finding))
        return known[1]

    def counts(self) -> dict[str, int]:
        c = Counter(f.severity.value for f in self.findings)
        return {s.value: c.get(s.value, 0) for s in Severity}

    def by_rule(self) -> dict[str, int]:
        return dict(sorted(Counter(f.rule for f in self.findings).items()))

    def gating(self) -> list[Finding]:
        """The findings CI acts on: with a baseline, only the new ones."""
        return list(self.findings if self.baseline_new is None else self.baseline_new)

    def known_ids(self) -> set[int]:
        """ids of the findings the baseline already knows (empty without a baseline)."""
        fresh = {id(f) for f in self.gating()}
        return set() if self.baseline_new is None else {id(f) for f in self.findings if id(f) not in fresh}

    def failing(self, fail_on: Severity) -> list[Finding]:
        return [f for f in self.gating() if f.severity.rank >= fail_on.rank]

    def to_dict(self, *, lazy_links: bool = False) -> dict[str, Any]:
        """The contract's shape; with ``lazy_links`` its links table is left a LinkRows (report.json
        writes it a row at a time), else it is a list."""
        from audits import __version__

        out = {
            "tool": {"name": "siteproof", "version": __version__},
            "site": self.site,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "config": self.config.to_dict(),
            "stats": {
                "pages": len(self.pages),
                "links_checked": self.links_checked,
                "findings": self.counts(),
                "by_rule": self.by_rule(),
                "partial": self.partial,
                "partial_reason": self.partial_reason,
                "baselined": self.baselined,
                "fixed": len(self.fixed),
                "new": len(self.baseline_new) if self.baseline_new is not None else None,
            },
            "pages": [p.summary(self.ctas.get(p.url, ())) for p in self.pages],
            "links": self.links if lazy_links else list(self.links),
            "findings": [f.to_dict() for f in self.findings],
            "fixed": self.fixed,
            "site_facts": self.facts.to_dict(),
            "since_last": (self.history or {}).get("since_last"),  # null on a site's first run
        }
        if self.history:
            out["run"] = self.history["run"]
            out["trend"] = self.history["trend"]
        if self.notes:
            out["notes"] = list(self.notes)
        if self.crawl is not None:
            out["partial"] = self.partial
            out["partial_reason"] = self.partial_reason
            out["crawl"] = self.crawl
        return out
