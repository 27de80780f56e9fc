"""What a run leaves in the history: its findings, its pages' facts, its link targets' outcomes.

A RunSnapshot is built from a finished Report (``snapshot``) or loaded back from
the store; ``audits.history.diff`` compares two of them. Every record is a small
frozen value with a content ``digest``, so the store keeps one copy of each
distinct record however many runs saw it.
"""
from __future__ import annotations

import hashlib
import json
import statistics
from dataclasses import dataclass, field
from typing import Any, Iterable, Optional

from audits.baseline import fingerprint

# The finding fields kept in the history (the report.json finding object, plus its fingerprint).
FINDING_FIELDS = ("rule", "severity", "url", "target", "message", "evidence", "fingerprint")


def _values(record) -> list:
    # dataclasses.asdict deep-copies every value: too slow for a 2,000-page run's records.
    return [getattr(record, name) for name in record.__dataclass_fields__]


# One encoder for every digest (json.dumps with options builds one per call: 30,000 calls a large run).
_CANONICAL = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def digest(value: Any) -> str:
    return hashlib.sha256(_CANONICAL.encode(value).encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True)
class PageFacts:
    """The facts of one page that a diff compares (``body_hash``: the body text's digest)."""

    url: str
    status: Optional[int]
    title: Optional[str] = None
    meta_description: Optional[str] = None
    h1: Optional[str] = None  # the page's h1 texts, one per line
    canonical: Optional[str] = None
    word_count: int = 0
    grade: Optional[float] = None  # Flesch-Kincaid grade of the article body
    is_article: bool = False
    body_hash: Optional[str] = None

    @property
    def ok(self) -> bool:
        """Answered 200 with HTML: the only pages that can be 'added' or 'removed'."""
        return self.status == 200

    def digest(self) -> str:
        return digest(_values(self))


@dataclass(frozen=True)
class Outcome:
    """How one link target answered: status or error, and where a redirect ended."""

    target: str
    status: Optional[int] = None
    error: Optional[str] = None
    final_url: Optional[str] = None

    def digest(self) -> str:
        return digest(_values(self))

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {"status": self.status}
        if self.error:
            out["error"] = self.error
        if self.final_url:
            out["final_url"] = self.final_url
        return out


@dataclass(frozen=True)
class RunSnapshot:
    findings: tuple[dict, ...] = ()  # report.json finding objects with their fingerprint
    pages: dict[str, PageFacts] = field(default_factory=dict)  # by URL
    outcomes: dict[str, Outcome] = field(default_factory=dict)  # by target (fragment dropped)

    def median_grade(self) -> Optional[float]:
        return median_grade(self.pages.values())

    def same_records(self, other: "RunSnapshot") -> set[str]:
        """Which of "findings", "pages" and "outcomes" hold exactly the records of ``other``, as the store
        digests them (their JSON: 1, 1.0 and True differ), the findings counted as a multiset."""
        same = set()
        mine, theirs = _in_order(self.findings), _in_order(other.findings)
        if mine == theirs and all(_same_json(a["evidence"], b["evidence"]) for a, b in zip(mine, theirs)):
            same.add("findings")  # their other fields are strings or None, equal only when their JSON is
        for part in ("pages", "outcomes"):
            mine, theirs = getattr(self, part), getattr(other, part)
            if mine.keys() == theirs.keys() and _records_text(mine) == _records_text(theirs):
                same.add(part)
        return same


def _in_order(findings: Iterable[dict]) -> list[dict]:
    # Findings tied on this key keep their order: two orders of them compare unequal, never wrongly equal.
    return sorted(findings, key=lambda f: (f["fingerprint"], f["rule"], f["url"], f.get("target") or "",
                                           f["message"], f["severity"]))


def _same_json(a: Any, b: Any) -> bool:
    """``a == b`` and of the same JSON types all the way down (evidence is small: a few values)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same_json(value, b[key]) for key, value in a.items())
    if isinstance(a, list):
        return len(a) == len(b) and all(map(_same_json, a, b))
    return a == b


def _records_text(records: dict) -> str:
    return _CANONICAL.encode([_values(records[k]) for k in sorted(records)])


def median_grade(pages: Iterable[PageFacts]) -> Optional[float]:
    grades = [p.grade for p in pages if p.is_article and p.grade is not None]
    return round(statistics.median(grades), 1) if grades else None


def finding_record(finding, fingerprint_of=fingerprint) -> dict:
    data = finding.to_dict()
    record = {k: data.get(k) for k in FINDING_FIELDS if k != "fingerprint"}
    record["fingerprint"] = fingerprint_of(finding)
    return record


def page_facts(page) -> PageFacts:
    r = page.readability
    body = " ".join(page.body_text.split())
    return PageFacts(
        url=page.url,
        status=page.status,
        title=page.title,
        meta_description=page.meta_description,
        h1="\n".join(page.h1s) or None,
        canonical=page.canonical,
        word_count=page.word_count,
        grade=round(r.flesch_kincaid_grade, 1) if r else None,
        is_article=page.is_article,
        body_hash=hashlib.sha256(body.encode("utf-8")).hexdigest()[:32] if body else None,
    )


# Link rows that carry no outcome: the target was never requested.
_UNCHECKED = ("not-checked", "ignored")


def outcomes(link_rows: Iterable[dict]) -> dict[str, Outcome]:
    found: dict[str, Outcome] = {}
    for row in link_rows:
        target = row["target"].split("#", 1)[0]
        if target in found or row.get("error") in _UNCHECKED:
            continue
        final = row.get("final_url")
        found[target] = Outcome(target=target, status=row.get("status"), error=row.get("error"),
                                final_url=final if final != target else None)
    return found


def snapshot(report) -> RunSnapshot:
    """What a finished Report leaves in the history."""
    return RunSnapshot(
        findings=tuple(finding_record(f, report.fingerprint) for f in report.findings),
        pages={p.url: page_facts(p) for p in report.pages},
        outcomes=outcomes(report.links),
    )
