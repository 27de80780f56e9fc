"""Small helpers the renderers share: rule metadata, link lookup, text cleaning."""
from __future__ import annotations

import re
from collections import Counter
from typing import Any, Iterable, Optional, Sequence

from audits import registry
from audits.model import Finding, Severity

SEVERITY_ORDER = ("error", "warning", "info")

# XML 1.0 cannot carry these at all (not even escaped); crawled text sometimes holds them.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_safe(text: Any) -> str:
    return _XML_INVALID.sub("\ufffd", "" if text is None else str(text))


# Terminal control (ESC sequences that clear the screen, set the window title, make OSC 8 links)
# and bidi controls that make "/rtl\u202egpj.exe" display as "/rtlexe.jpg".
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def visible(text: Any) -> str:
    """Crawled text made safe to show: control characters dropped, bidi controls written as <U+202E>."""
    s = _CONTROLS.sub("", "" if text is None else str(text))
    return _BIDI.sub(lambda m: f"<U+{ord(m.group()):04X}>", s)


def bidi_shown(text: str) -> str:
    """Bidi controls written as ⟨U+202E⟩ (for HTML, where "<" would read as markup); the type is kept."""
    if not _BIDI.search(text):
        return text
    return type(text)(_BIDI.sub(lambda m: f"\u27e8U+{ord(m.group()):04X}\u27e9", text))


def bidi_encoded(url: str) -> str:
    """Bidi controls in a URL percent-encoded: the same address, and nothing that reorders its display."""
    return _BIDI.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode("utf-8")), url)


def one_line(text: Any, limit: Optional[int] = None) -> str:
    """Collapse whitespace so a crawled string cannot break a line-based format (nor drive the terminal)."""
    s = " ".join(visible(text or "").split())
    if limit and len(s) > limit:
        s = s[: limit - 1].rstrip() + "…"
    return s


def rules_in_order(findings: Iterable[Finding]) -> list[str]:
    """Rules that found something, worst severity first, then in registry (documentation) order."""
    findings = list(findings)
    known = list(registry.load())
    worst: dict[str, int] = {}
    for f in findings:
        worst[f.rule] = max(worst.get(f.rule, 0), f.severity.rank)
    position = {r: i for i, r in enumerate(known)}
    return sorted(worst, key=lambda r: (-worst[r], position.get(r, len(known)), r))


def rule_meta(rule_id: str) -> dict[str, Any]:
    """Description, docs, default severity and help URI; a stub for a rule the registry lacks."""
    rule = registry.get(rule_id)
    if rule is None:
        return {"id": rule_id, "description": rule_id, "docs": "", "severity": "warning",
                "help_uri": f"{registry.DOCS_BASE}#{rule_id}", "scope": "", "status": "stable"}
    return {"id": rule.id, "description": rule.description, "docs": rule.docs,
            "severity": rule.severity.value, "help_uri": rule.help_uri, "scope": rule.scope,
            "status": rule.status}


def severity_counts(findings: Iterable[Finding]) -> dict[str, int]:
    c = Counter(f.severity.value for f in findings)
    return {s: c.get(s, 0) for s in SEVERITY_ORDER}


def parse_severity(value: Any) -> Severity:
    if isinstance(value, Severity):
        return value
    try:
        return Severity(str(value).lower())
    except ValueError:
        from audits.config import ConfigError

        raise ConfigError(f"unknown severity {value!r} (choose from error, warning, info)") from None


class LinkIndex:
    """Finds the link a finding is about, to show its anchor text and page region."""

    def __init__(self, links: Iterable[dict[str, Any]], findings: Iterable[Finding]):
        # Only the rows some finding asks for are kept: the table has a row per link of every page.
        wanted = {(f.url, t) for f in findings if f.target for t in (f.target, f.target.split("#", 1)[0])}
        self._rows: dict[tuple[str, str], dict[str, Any]] = {}
        for row in links:
            target = row.get("target") or ""
            for key in ((row.get("source"), target), (row.get("source"), target.split("#", 1)[0])):
                if key in wanted:
                    self._rows.setdefault(key, row)

    def get(self, finding: Finding) -> Optional[dict[str, Any]]:
        if not finding.target:
            return None
        return self._rows.get((finding.url, finding.target)) or self._rows.get(
            (finding.url, finding.target.split("#", 1)[0]))


def link_details(finding: Finding, index: LinkIndex) -> dict[str, Any]:
    """Anchor text, page region and line for a finding: evidence first, else the links table."""
    ev = finding.evidence or {}
    row = index.get(finding) or {}
    text = ev.get("text") if isinstance(ev.get("text"), str) else row.get("text")
    context = ev.get("context") if isinstance(ev.get("context"), str) else row.get("context")
    line = finding.line or ev.get("line") or row.get("line")
    return {"text": text or "", "context": context or "", "line": line if isinstance(line, int) else None}


def duplicate_groups(findings: Iterable[Finding]) -> list[dict[str, Any]]:
    """Each group of pages sharing a value (duplicate-title...), its pages listed once.

    A finding in a group carries only the group's id and size in its evidence,
    so output stays linear in the site; this is where the pages are listed.
    Pages whose finding is not in ``findings`` (baselined, ignored) are not listed.
    """
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for f in findings:
        ev = f.evidence or {}
        group = ev.get("group")
        if not isinstance(group, str):
            continue
        entry = groups.get((f.rule, group))
        if entry is None:
            entry = groups[(f.rule, group)] = {
                "rule": f.rule, "group": group, "value": ev.get(group.split(":", 1)[0]),
                "size": ev.get("group_size"), "pages": []}
        entry["pages"].append(f.url)
    return [groups[k] for k in sorted(groups)]


def plural(n: int, word: str, many: Optional[str] = None) -> str:
    return f"{n:,} {word if n == 1 else (many or word + 's')}"


# One template link broken on every page is one problem, not a thousand rows.
REPEAT_MIN_PAGES = 3


def _repeated_target(finding: Finding) -> str:
    """What makes findings on many pages one problem: their target, or for a link to a
    #fragment of the page it is on (a template's "#nop" script button), the fragment."""
    evidence = finding.evidence or {}
    if evidence.get("same_page") and evidence.get("fragment"):
        return f"#{evidence['fragment']} (on the page itself)"
    return finding.target


def by_target(findings: Iterable[Finding], min_pages: int = REPEAT_MIN_PAGES
              ) -> tuple[list[tuple[str, str, list[Finding]]], list[Finding]]:
    """(rule, target, findings) for each rule and target found on ``min_pages`` pages or more,
    most pages first, and the findings left over (in their original order)."""
    findings = list(findings)
    groups: dict[tuple[str, str], list[Finding]] = {}
    for f in findings:
        if f.target:
            groups.setdefault((f.rule, _repeated_target(f)), []).append(f)
    repeated = {key: fs for key, fs in groups.items() if len({f.url for f in fs}) >= min_pages}
    ordered = sorted(repeated.items(), key=lambda kv: (-kv[1][0].severity.rank, -len({f.url for f in kv[1]}), kv[0]))
    grouped = {id(f) for fs in repeated.values() for f in fs}
    return [(rule, target, fs) for (rule, target), fs in ordered], [f for f in findings if id(f) not in grouped]


def by_target_records(records: Sequence[dict], min_pages: int = REPEAT_MIN_PAGES
                      ) -> tuple[list[tuple[str, str, list[dict]]], list[dict]]:
    """:func:`by_target` for finding objects as report.json and the history hold them (since_last's new
    and fixed): a template link that broke on every page since the last crawl is one change, not a thousand."""
    findings = [finding_of(r) for r in records]
    record_of = {id(f): r for f, r in zip(findings, records)}
    repeated, single = by_target(findings, min_pages)
    return ([(rule, target, [record_of[id(f)] for f in fs]) for rule, target, fs in repeated],
            [record_of[id(f)] for f in single])


def finding_of(record: dict) -> Finding:
    """A Finding from its report.json object (the history's carry a fingerprint; a target may be left out)."""
    return Finding.from_dict({"target": None, **{k: v for k, v in record.items() if k != "fingerprint"}})
