"""Baselines: accept today's findings so CI fails only on new ones.

``siteproof baseline --out FILE`` records a fingerprint per finding;
``--baseline FILE`` then drops the findings it knows, counts them, and lists
the recorded ones that no longer occur (fixed). A fingerprint is what makes a
finding the same finding tomorrow: the rule, the page's URL path (not its
origin, so a staging host and production match), the target normalised the
same way for the site's own URLs, and only the evidence that tells two
findings of one rule on one page apart (a phone number, a title). Line
numbers, counts, scores, statuses and message wording are left out, so moving
a paragraph, re-ordering pages, a 404 turning into a 410 or a reworded message
do not make an old problem look new.

This module is the one fingerprint implementation: the SARIF renderer's
``partialFingerprints`` use ``fingerprint()`` too.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Optional
from urllib.parse import urlsplit, urlunsplit

from audits import registry
from audits.config import ConfigError
from audits.identity import path_key
from audits.model import Finding

VERSION = 1

# Evidence that distinguishes two findings of one rule on one page. Everything
# else (line, count, status, redirect chain, scores, anchor text) may drift
# without the problem changing, so it stays out of the fingerprint.
IDENTITY_EVIDENCE = frozenset({
    "number", "dials", "shown", "raw", "where", "fragment",
    "title", "meta_description", "description", "source", "citation", "src",
})

def target_key(target: Optional[str], page_url: str) -> str:
    """A target on the page's own host becomes a path like the page; others stay whole URLs."""
    if not target:
        return ""
    parts = urlsplit(target)
    if parts.scheme not in ("http", "https"):
        return target.strip()  # a phone number in E.164, a mailto:, ...
    page = urlsplit(page_url)
    # Only the page's exact origin: http:// or www. variants are what url-mismatch is about.
    if (parts.scheme.lower(), parts.netloc.lower()) == (page.scheme.lower(), page.netloc.lower()):
        key = path_key(target)
        return f"{key}#{parts.fragment}" if parts.fragment else key
    path = parts.path or "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, parts.query, parts.fragment))


def _norm_value(value: Any) -> Any:
    if isinstance(value, str):
        return " ".join(value.split()).casefold()
    if isinstance(value, (list, tuple)):
        return sorted((_norm_value(v) for v in value), key=repr)
    return value


def evidence_key(evidence: dict) -> dict:
    return {k: _norm_value(v) for k, v in sorted(evidence.items())
            if k in IDENTITY_EVIDENCE and v not in (None, "", [], ())}


def _canonical_rule(rule_id: str) -> str:
    rule = registry.get(rule_id)
    return rule.id if rule else rule_id


def key_of(finding: Finding) -> list:
    """The readable parts a fingerprint is made of (also stored in the baseline file)."""
    return [_canonical_rule(finding.rule), path_key(finding.url),
            target_key(finding.target, finding.url), evidence_key(finding.evidence or {})]


def _digest(key: list) -> str:
    blob = json.dumps(key, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:32]


def fingerprint(finding: Finding) -> str:
    """A stable id for a finding: same problem, same fingerprint, across runs and hosts."""
    return _digest(key_of(finding))


@dataclass
class Baseline:
    entries: list[dict] = field(default_factory=list)  # each: fingerprint, rule, url, target, message, key
    created_at: str = ""
    path: Optional[str] = None

    def counts(self) -> Counter:
        return Counter(e["fingerprint"] for e in self.entries)


def _entry(finding: Finding) -> dict:
    key = key_of(finding)
    return {"fingerprint": _digest(key), "rule": finding.rule, "severity": finding.severity.value,
            "url": finding.url, "target": finding.target, "message": finding.message, "key": key}


def write_baseline(findings: Iterable[Finding], path: str | Path) -> Path:
    """Write every current finding's fingerprint (and a readable summary) as JSON."""
    path = Path(path)
    entries = sorted((_entry(f) for f in findings),
                     key=lambda e: (e["rule"], e["url"], e["target"] or "", e["fingerprint"]))
    data = {
        "version": VERSION,
        "tool": "siteproof",
        "created_at": datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "count": len(entries),
        "by_rule": dict(sorted(Counter(e["rule"] for e in entries).items())),
        "findings": entries,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written aside and renamed so an interrupted run never leaves half a baseline.
    fd, tmp = tempfile.mkstemp(prefix=".baseline-", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as stream:
        json.dump(data, stream, indent=1, ensure_ascii=False)
        stream.write("\n")
    os.replace(tmp, path)
    return path


def load_baseline(path: str | Path) -> Baseline:
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"baseline file not found: {path} (create it with `siteproof baseline --out {path}`)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read baseline {path}: {exc}") from None
    except json.JSONDecodeError as exc:
        raise ConfigError(f"baseline {path} is not valid JSON: {exc}") from None
    if not isinstance(data, dict) or data.get("tool") != "siteproof" or not isinstance(data.get("findings"), list):
        raise ConfigError(f"{path} is not a siteproof baseline")
    if data.get("version") != VERSION:
        raise ConfigError(f"baseline {path} has version {data.get('version')!r}; this siteproof reads version {VERSION}")
    entries = []
    for i, entry in enumerate(data["findings"]):
        if not isinstance(entry, dict) or not isinstance(entry.get("fingerprint"), str):
            raise ConfigError(f"baseline {path}: entry {i} has no fingerprint")
        key = entry.get("key")
        if isinstance(key, list) and len(key) == 4 and isinstance(key[0], str):
            canonical = _canonical_rule(key[0])
            if canonical != key[0]:  # the rule was renamed since: match under its new id
                key = [canonical, *key[1:]]
                entry = {**entry, "key": key, "rule": canonical, "fingerprint": _digest(key)}
        entries.append(entry)
    return Baseline(entries=entries, created_at=str(data.get("created_at", "")), path=str(path))


def apply_baseline(findings: Iterable[Finding], baseline: Baseline, *,
                   checked: Optional[Iterable[str]] = None) -> tuple[list[Finding], int, list[dict]]:
    """(new findings, how many were baselined, baseline entries now fixed).

    Matching counts: a baseline that knows one finding with a fingerprint
    absorbs one of today's, so a second identical problem still shows as new.
    ``checked`` (the page URLs audited, for partial input) limits "fixed" to
    entries on those pages: a page that was not looked at has not been fixed.
    """
    scope = {path_key(u) for u in checked} if checked is not None else None
    remaining = baseline.counts()
    new: list[Finding] = []
    baselined = 0
    for finding in findings:
        fp = fingerprint(finding)
        if remaining[fp] > 0:
            remaining[fp] -= 1
            baselined += 1
        else:
            new.append(finding)
    fixed = []
    for entry in baseline.entries:
        fp = entry["fingerprint"]
        if scope is not None and _entry_page(entry) not in scope:
            continue
        if remaining[fp] > 0:
            remaining[fp] -= 1
            fixed.append({k: entry.get(k) for k in ("fingerprint", "rule", "severity", "url", "target", "message")})
    return new, baselined, fixed


def _entry_page(entry: dict) -> str:
    key = entry.get("key")
    if isinstance(key, list) and len(key) > 1 and isinstance(key[1], str):
        return key[1]
    return path_key(str(entry.get("url") or ""))
