"""Run the registered rules over a Site and assemble the Report.

The engine is the only place that stamps a rule's id and effective severity on
what a rule yields, applies ``[rules]`` overrides and ``[ignore]`` globs, and
sorts findings so reports diff cleanly.
"""
from __future__ import annotations

import fnmatch
import functools
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Iterable, Optional
from urllib.parse import urlsplit

from audits import registry
from audits.config import Config
from audits.identity import SiteIdentity
from audits.model import CONTRACT_CONTEXT, Cta, Fetch, Finding, Hit, Page, Severity
from audits.rules.cta import calls_to_action


def _strip_fragment(url: str) -> str:
    return url.split("#", 1)[0]


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

    @classmethod
    def build(cls, pages: Iterable[Page], fetches: Iterable[Fetch], config: Config,
              sitemap_urls: Iterable[str] = (), sitemap_found: bool = False,
              partial: bool = False) -> "Site":
        site = cls(config=config, sitemap_urls=tuple(sitemap_urls), sitemap_found=sitemap_found,
                   partial=partial)
        for page in pages:
            site.pages[page.url] = page
        for f in fetches:
            site.fetches[f.url] = f
        return site

    def fetch(self, url: str) -> Optional[Fetch]:
        return self.fetches.get(_strip_fragment(url))

    def page_at(self, url: str) -> Optional[Page]:
        """The crawled page a URL leads to, following a recorded redirect."""
        url = _strip_fragment(url)
        if url in self.pages:
            return self.pages[url]
        f = self.fetches.get(url)
        if f and f.final_url and f.final_url in self.pages:
            return self.pages[f.final_url]
        return None

    @functools.cached_property
    def identity(self) -> SiteIdentity:
        """The site's own hosts, names and ignored targets (the pages' hosts when nothing is configured)."""
        return SiteIdentity.from_config(self.config, (p.url for p in self.pages.values()))

    def link_rows(self) -> list[dict[str, Any]]:
        """The contract's ``links`` table: every link on every page with its check result."""
        rows = []
        for page in self.pages.values():
            for link in page.links:
                f = self.fetch(link.target)
                rows.append({
                    "source": page.url,
                    "target": link.target,
                    "status": f.status if f else None,
                    "error": f.error if f else ("ignored" if self.identity.ignored(link.target) else "not-checked"),
                    "redirect_chain": [h.to_dict() for h in f.redirect_chain] if f else [],
                    "text": link.text,
                    "context": CONTRACT_CONTEXT.get(link.context, link.context),
                    "region": link.context,
                    "tag": link.tag,
                    "line": link.line,
                })
        return rows


@dataclass
class Report:
    site: str
    config: Config
    pages: list[Page]
    links: list[dict[str, Any]]
    findings: list[Finding]
    links_checked: int
    started_at: str
    finished_at: str
    partial: bool = False
    crawled: bool = True  # False when the pages were read from files or a stored crawl
    baselined: int = 0  # findings matched by the --baseline file
    fixed: list[dict[str, Any]] = field(default_factory=list)  # baseline entries no longer found
    baseline_new: Optional[list[Finding]] = None  # with a baseline: the findings not in it
    extra: dict[str, Any] = field(default_factory=dict)
    ctas: dict[str, tuple[Cta, ...]] = field(default_factory=dict)  # page URL -> calls to action, [audits.cta]

    def counts(self) -> dict[str, int]:
        c = Counter(f.severity.value for f in self.findings)
        return {s.value: c.get(s.value, 0) for s in Severity}

    def by_rule(self) -> dict[str, int]:
        return dict(sorted(Counter(f.rule for f in self.findings).items()))

    def failing(self, fail_on: Severity) -> list[Finding]:
        return [f for f in self.findings if f.severity.rank >= fail_on.rank]

    def to_dict(self) -> dict[str, Any]:
        from audits import __version__

        return {
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
                "baselined": self.baselined,
                "fixed": len(self.fixed),
                "new": len(self.baseline_new) if self.baseline_new is not None else None,
            },
            "pages": [p.summary(self.ctas.get(p.url, ())) for p in self.pages],
            "links": self.links,
            "findings": [f.to_dict() for f in self.findings],
            "fixed": self.fixed,
            **self.extra,
        }


def _ignored(config: Config, finding: Finding) -> bool:
    if not config.ignore:
        return False
    parts = urlsplit(finding.url)
    candidates = [finding.url, parts.path or "/"]
    if finding.source_path:
        candidates.append(finding.source_path)
    for pattern, ids in config.ignore.items():
        if "*" in ids or finding.rule in ids:
            if any(fnmatch.fnmatchcase(c, pattern) for c in candidates):
                return True
    return False


def run_rules(site: Site) -> list[Finding]:
    config = site.config
    findings: list[Finding] = []
    for rule in registry.load().values():
        severity = config.effective_severity(rule)
        if severity is None:
            continue
        opts = config.audit_options(rule.options) if rule.options else None
        if rule.scope == "page":
            for page in site.pages.values():
                for hit in rule.func(page, opts):
                    findings.append(_finding(rule.id, severity, hit, page))
        else:
            for hit in rule.func(site, opts):
                findings.append(_finding(rule.id, severity, hit, site.pages.get(hit.url or "")))
    findings = [f for f in findings if not _ignored(config, f)]
    findings.sort(key=Finding.sort_key)
    return findings


def _finding(rule_id: str, severity: Severity, hit: Hit, page: Optional[Page]) -> Finding:
    url = hit.url or (page.url if page else "")
    return Finding(
        rule=rule_id,
        severity=severity,
        url=url,
        target=hit.target,
        message=hit.message,
        evidence=dict(hit.evidence),
        line=hit.line,
        source_path=page.source_path if page else None,
    )


def now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def audit(site: Site, started_at: Optional[str] = None) -> Report:
    findings = run_rules(site)
    pages = sorted(site.pages.values(), key=lambda p: p.url)
    cta_options = site.config.audit_options("cta")
    return Report(
        site=(site.config.site.start_urls[0] if site.config.site.start_urls else site.config.canonical_origin + "/"),
        config=site.config,
        pages=pages,
        links=site.link_rows(),
        findings=findings,
        links_checked=len(site.fetches),
        started_at=started_at or now(),
        finished_at=now(),
        partial=site.partial,
        ctas={p.url: calls_to_action(p, cta_options) for p in pages},
    )
