"""Run the registered rules over a Site and finish the Report.

The engine is the only place that stamps a rule's id and effective severity on
what a rule yields, applies ``[rules]`` overrides, ``[ignore]`` globs and a
baseline, sorts findings so reports diff cleanly, and settles the facts a report
shows beside its findings (``SiteFacts``). ``audit`` returns the finished,
frozen Report: nothing after it edits the result.
"""
from __future__ import annotations

import fnmatch
import sys
from datetime import datetime, timezone
from typing import Iterable, Optional
from urllib.parse import urlsplit

from audits import registry
from audits.baseline import Baseline, apply_baseline
from audits.config import Config
from audits.model import Cta, Finding, Hit, Page, Severity
from audits.rules import phones
from audits.rules.cta import calls_to_action
from audits.site import Report, Site, SiteFacts


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
    rules = [(rule, severity) for rule in registry.load().values()
             if (severity := config.effective_severity(rule)) is not None]
    apart = [rule.id for rule, _ in rules if rule.id in APART] if _may_fork(site) else []
    found = _Apart(site, apart) if apart else None
    try:
        by_rule = {rule.id: _run(rule, severity, site) for rule, severity in rules if rule.id not in apart}
        if found is not None:
            by_rule.update(found.result())
    finally:
        if found is not None:
            found.close()
    # In registry order, as one loop over the rules would have found them: the sort below is stable.
    findings = [f for rule, _ in rules for f in by_rule[rule.id] if not _ignored(config, f)]
    findings.sort(key=Finding.sort_key)
    return findings


def _run(rule, severity: Severity, site: Site) -> list[Finding]:
    opts = site.config.audit_options(rule.options) if rule.options else None
    if rule.scope == "page":
        return [_finding(rule.id, severity, hit, page) for page in site.pages.values() for hit in rule.func(page, opts)]
    return [_finding(rule.id, severity, hit, site.pages.get(hit.url or "")) for hit in rule.func(site, opts)]


# The largest site-wide rule on a large site (a third of `check`'s audit on 2,000 articles). With a
# second CPU it runs in a forked copy of this process while the other rules run here: the same
# functions on the same data, so the same findings.
APART = ("irrelevant-related-post",)
APART_FROM_PAGES = 300


def _may_fork(site: Site) -> bool:
    """Fork only on Linux, in a process running no other thread (a child can inherit a lock another
    thread held: the crawl process, with its reactor's threads, audits in one process), with a CPU to spare."""
    import threading

    from audits.sources import available_cpus

    return (len(site.pages) >= APART_FROM_PAGES and sys.platform.startswith("linux")
            and threading.active_count() == 1 and available_cpus() > 1)


_forked_site: Optional[Site] = None  # what a forked child audits; never pickled


def _run_apart(ids: list[str]) -> dict[str, list[Finding]]:
    site = _forked_site
    rules = registry.load()
    return {rule_id: _run(rules[rule_id], site.config.effective_severity(rules[rule_id]), site) for rule_id in ids}


class _Apart:
    """``ids``' findings, computed in a forked child while the caller runs the other rules."""

    def __init__(self, site: Site, ids: list[str]):
        global _forked_site
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        _forked_site = site
        try:
            self._pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"))
            self._future = self._pool.submit(_run_apart, ids)  # forks here
        finally:
            _forked_site = None

    def result(self) -> dict[str, list[Finding]]:
        return self._future.result()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


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


def site_facts(site: Site) -> SiteFacts:
    """The facts a report shows beside its findings, settled by the same functions the rules use."""
    config = site.config
    return SiteFacts(
        identity=site.identity,
        canonical_phone=phones.canonical_number(site),
        allowed_phones=tuple(sorted(phones.allowed_numbers(site, config.audit_options("phone")))),
        max_grade=float(config.audit_options("readability").max_grade),
    )


def page_ctas(site: Site) -> dict[str, tuple[Cta, ...]]:
    """Each page's calls to action as missing-cta decides them: report.json's pages[].ctas."""
    options = site.config.audit_options("cta")
    return {url: calls_to_action(page, options) for url, page in site.pages.items()}


def audit(site: Site, *, baseline: Optional[Baseline] = None, notes: Iterable[str] = (),
          started_at: Optional[str] = None, findings: Optional[list[Finding]] = None) -> Report:
    """The finished report: findings, facts, and with a ``baseline`` which findings are new and which fixed.

    ``findings``: what ``run_rules(site)`` returned for inputs identical to this site's (a re-crawl
    that changed nothing the rules read: crawler/recrawl.py), so the rules need not run again.
    """
    if findings is None:
        findings = run_rules(site)
    pages = sorted(site.pages.values(), key=lambda p: p.url)
    new, baselined, fixed = None, 0, []
    if baseline is not None:
        # A page that was not looked at (partial input) has not been fixed.
        checked = [p.url for p in pages] if site.partial else None
        new, baselined, fixed = apply_baseline(findings, baseline, checked=checked)
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
        crawled=site.crawled,
        baselined=baselined,
        fixed=fixed,
        baseline_new=new,
        notes=tuple(notes),
        facts=site_facts(site),
        ctas=page_ctas(site),
    )
