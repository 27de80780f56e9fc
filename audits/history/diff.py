"""What changed between two runs: a pure comparison of two RunSnapshots.

Findings match across runs by fingerprint, counted (two identical problems need
two fixes). A page is "removed" when it answered 200 in BASE and in HEAD answers
an error or is no longer reached; a partial HEAD that did not fetch a page says
nothing about it, so that page is never removed and its findings never fixed.
Findings of a removed page are neither new nor fixed: the page went away, nobody
fixed it. With no BASE (a site's first run) every finding is new.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Optional

from audits.identity import path_key
from audits.history.facts import PageFacts, RunSnapshot

# Page facts a diff reports, in this order; "body" compares the body text's digest.
PAGE_FIELDS = ("status", "title", "meta_description", "h1", "canonical", "word_count", "grade", "body")
SEVERITY_RANK = {"error": 2, "warning": 1, "info": 0}


@dataclass(frozen=True)
class Changes:
    new: list[dict] = field(default_factory=list)  # finding objects (with fingerprint), worst first
    fixed: list[dict] = field(default_factory=list)
    open: int = 0  # findings present in both runs
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[dict] = field(default_factory=list)  # {"url", "fields": {name: [before, after]}}
    links: list[dict] = field(default_factory=list)  # {"target", "before", "after"}

    def to_dict(self) -> dict[str, Any]:
        return {"findings": {"new": self.new, "fixed": self.fixed, "open": self.open},
                "pages": {"added": self.added, "removed": self.removed, "changed": self.changed},
                "links": {"changed": self.links}}


def _order(finding: dict):
    return (-SEVERITY_RANK.get(finding["severity"], 0), finding["rule"], finding["url"], finding.get("target") or "")


def _value(facts: PageFacts, name: str):
    return facts.body_hash if name == "body" else getattr(facts, name)


def _reached_ok(snap: RunSnapshot, url: str) -> bool:
    facts = snap.pages.get(url)
    return facts is not None and facts.ok


def _answered_error(snap: RunSnapshot, url: str) -> bool:
    facts = snap.pages.get(url)
    if facts is not None:
        return not facts.ok
    outcome = snap.outcomes.get(url)
    return outcome is not None and (outcome.error is not None or (outcome.status or 0) >= 400)


def compare(base: Optional[RunSnapshot], head: RunSnapshot, *, head_partial: bool = False) -> Changes:
    if base is None:
        return Changes(new=sorted(head.findings, key=_order))
    removed = sorted(url for url, facts in base.pages.items() if facts.ok and not _reached_ok(head, url)
                     and (_answered_error(head, url) or not head_partial))
    added = sorted(url for url, facts in head.pages.items() if facts.ok and not _reached_ok(base, url))
    gone = {path_key(u) for u in removed}
    looked_at = {path_key(u) for u in head.pages}

    remaining = Counter(f["fingerprint"] for f in base.findings)
    new, still = [], 0
    for finding in head.findings:
        fp = finding["fingerprint"]
        if remaining[fp] > 0:
            remaining[fp] -= 1
            still += 1
        elif path_key(finding["url"]) not in gone:
            new.append(finding)
    fixed = []
    for finding in base.findings:
        fp = finding["fingerprint"]
        page = path_key(finding["url"])
        if remaining[fp] > 0 and page not in gone and (not head_partial or page in looked_at):
            remaining[fp] -= 1
            fixed.append(finding)

    listed = set(added) | set(removed)
    changed = []
    for url in sorted(set(base.pages) & set(head.pages) - listed):
        before, after = base.pages[url], head.pages[url]
        fields = {name: [_value(before, name), _value(after, name)] for name in PAGE_FIELDS
                  if _value(before, name) != _value(after, name)}
        if fields:
            changed.append({"url": url, "fields": fields})
    links = [{"target": t, "before": base.outcomes[t].summary(), "after": head.outcomes[t].summary()}
             for t in sorted(set(base.outcomes) & set(head.outcomes))
             if base.outcomes[t].summary() != head.outcomes[t].summary()]
    return Changes(new=sorted(new, key=_order), fixed=sorted(fixed, key=_order), open=still,
                   added=added, removed=removed, changed=changed, links=links)
