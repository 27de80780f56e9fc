"""A stable identity for a finding, shared by SARIF partialFingerprints and baselines.

Two runs over the same problem must give the same fingerprint even when the
host changes (staging vs production), line numbers drift, or a measurement
moves a little (grade 10.2 -> 10.1, status 404 -> 410). So the fingerprint
hashes only what names the problem: the rule, the page's path, the target (as a
path when it is on the page's own host) and the evidence's top-level strings
that identify something (a phone number as written, a cited source), never
numbers, lists or keys that describe the outcome rather than the thing.
"""
from __future__ import annotations

import hashlib
import json
import re
from urllib.parse import urlsplit

from audits.model import Finding

VERSION = "1"  # bump when the recipe changes, so old baselines are not silently mismatched

# Evidence keys that describe an outcome or a measurement, not the problem's identity.
VOLATILE_KEYS = frozenset({
    "error", "reason", "status", "message", "line", "elapsed_ms", "final_url", "chain",
    "redirect_chain", "content_type", "method", "grade", "canonical", "house_format",
})

_SPACE = re.compile(r"\s+")


def _page_key(url: str) -> str:
    parts = urlsplit(url)
    path = parts.path or "/"
    return path + ("?" + parts.query if parts.query else "")


def _target_key(target: str | None, page_url: str) -> str:
    if not target:
        return ""
    t, p = urlsplit(target), urlsplit(page_url)
    if t.scheme in ("http", "https") and t.netloc.lower() == p.netloc.lower():
        key = _page_key(target)
        return key + ("#" + t.fragment if t.fragment else "")
    return target


def identity_evidence(evidence: dict) -> dict[str, str]:
    """The part of a finding's evidence that names the problem (normalised)."""
    out = {}
    for key, value in evidence.items():
        if key in VOLATILE_KEYS or not isinstance(value, str):
            continue
        out[key] = _SPACE.sub(" ", value).strip().lower()
    return dict(sorted(out.items()))


def fingerprint_parts(finding: Finding) -> list:
    return [
        VERSION,
        finding.rule,
        _page_key(finding.url),
        _target_key(finding.target, finding.url),
        identity_evidence(finding.evidence or {}),
    ]


def fingerprint(finding: Finding) -> str:
    """A hex digest (32 chars) that stays the same across runs for the same problem."""
    raw = json.dumps(fingerprint_parts(finding), ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]
