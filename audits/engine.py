"""Run the registered rules over a Site and finish the Report.

The engine is the only place that stamps a rule's id and effective severity on
what a rule yields, applies ``[rules]`` overrides, ``[ignore]`` globs and a
baseline, sorts findings so reports diff cleanly, and settles the facts a report
shows beside its findings (``SiteFacts``). ``audit`` returns the finished,
frozen Report: nothing after it edits the result.
"""
from __future__ import annotations

import fnmatch
from datetime import datetime, timezone
from typing import Iterable, Optional
from urllib.parse import urlsplit

from audits import registry
from audits.baseline import Baseline, apply_baseline
from audits.config import Config
from audits.forked import Forked, worth_forking
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


# The costliest rules of a large site's audit (on 2,000 generated articles about half and a
# quarter of it: py-spy, benchmarks/README.md "check_bench.py"), and ones that read nothing the
# others settle: on a site this large each runs in a forked process while this one runs the rest.
APART_RULES = ("irrelevant-related-post", "unlinked-source")


def run_rules(site: Site) -> list[Finding]:
    config = site.config
    rules = [(rule, severity) for rule in registry.load().values()
             if (severity := config.effective_severity(rule)) is not None]
    apart = {rule.id: Forked(_checked, rule, severity, site) for rule, severity in rules
             if rule.id in APART_RULES and worth_forking(len(site.pages))}
    findings = [f for rule, severity in rules
                for f in (apart[rule.id].result() if rule.id in apart else _checked(rule, severity, site))]
    findings.sort(key=Finding.sort_key)
    return findings


def _checked(rule, severity: Severity, site: Site) -> list[Finding]:
    return [f for f in _run(rule, severity, site) if not _ignored(site.config, f)]


def _run(rule, severity: Severity, site: Site) -> list[Finding]:
    opts = site.config.audit_options(rule.options) if rule.options else None
    if rule.scope == "page":
        return [_finding(rule.id, severity, hit, page) for page in site.pages.values() for hit in rule.func(page, opts)]
    return [_finding(rule.id, severity, hit, site.pages.get(hit.url or "")) for hit in rule.func(site, opts)]


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
