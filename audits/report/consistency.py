"""Which phone numbers and which site-URL variants a crawl found, and where.

Tabulated from the pages themselves (not from findings) so the HTML report can
show the whole picture, including the canonical forms that are used correctly.
Which number is canonical and which hosts are the site's own are the report's
facts (``Report.facts``), settled by the rules; nothing here decides them again.
"""
from __future__ import annotations

from collections import Counter
from typing import Any, Optional
from urllib.parse import urlsplit

import phonenumbers

from audits.site import Report


def format_number(e164: str, region: str = "US") -> str:
    """National format for the site's own region, international otherwise."""
    try:
        num = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    own = phonenumbers.region_code_for_number(num) == region.upper()
    fmt = phonenumbers.PhoneNumberFormat.NATIONAL if own else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(num, fmt)


def phones(report: Report) -> list[dict[str, Any]]:
    """Each number the pages show, with its uses; which is canonical is the report's (the rules') answer."""
    canonical, region = report.facts.canonical_phone, report.config.site.phone_region
    allowed = set(report.facts.allowed_phones)
    rows: dict[str, dict[str, Any]] = {}
    for page in report.pages:
        for ph in page.phones:
            row = rows.setdefault(ph.number, {"number": ph.number, "raw": Counter(), "via": Counter(),
                                              "pages": {}})
            row["raw"][ph.raw.strip()] += 1
            row["via"][ph.via] += 1
            row["pages"].setdefault(page.url, page.title)
    out = []
    for number, row in rows.items():
        out.append({
            "number": number,
            "formatted": format_number(number, region),
            "canonical": number == canonical,
            "allowed": number in allowed,
            "written": [raw for raw, _ in row["raw"].most_common()],
            "via": dict(row["via"]),
            "uses": sum(row["raw"].values()),
            "pages": sorted(row["pages"].items()),
        })
    out.sort(key=lambda r: (not r["canonical"], -len(r["pages"]), r["number"]))
    if canonical and canonical not in rows:
        out.insert(0, {"number": canonical, "formatted": format_number(canonical, region),
                       "canonical": True, "allowed": False, "written": [], "via": {}, "uses": 0, "pages": []})
    return out


def url_variants(report: Report) -> list[dict[str, Any]]:
    """Each origin under which the pages link to or name the site (or an old domain of it)."""
    identity = report.facts.identity
    canonical = identity.canonical.url if identity.canonical else ""
    rows: dict[str, dict[str, Any]] = {}
    judged: dict[str, Optional[tuple[str, str]]] = {}  # URL -> (origin, kind): a theme's links repeat on every page

    def judge(url: str) -> Optional[tuple[str, str]]:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            return None
        kind = "site" if identity.is_own(url) else "old domain" if identity.is_old_domain(url) else None
        if kind is None:
            return None
        return f"{parts.scheme}://{parts.netloc.lower().rsplit('@', 1)[-1]}", kind

    def see(url: str, page: Page, how: str) -> None:
        verdict = judged[url] if url in judged else judged.setdefault(url, judge(url))
        if verdict is None:
            return
        origin, kind = verdict
        row = rows.setdefault(origin, {"origin": origin, "kind": kind, "links": 0, "text": 0, "pages": {}})
        row[how] += 1
        row["pages"].setdefault(page.url, page.title)

    for page in report.pages:
        for link in page.links:
            see(link.target, page, "links")
        for url in page.text_urls:
            see(url, page, "text")
    out = []
    for origin, row in rows.items():
        is_canonical = origin == canonical
        kind = "canonical" if is_canonical else ("old domain" if row["kind"] == "old domain" else "variant")
        out.append({**row, "canonical": is_canonical, "kind": kind, "pages": sorted(row["pages"].items())})
    out.sort(key=lambda r: (not r["canonical"], -len(r["pages"]), r["origin"]))
    if canonical and canonical not in rows:
        out.insert(0, {"origin": canonical, "kind": "canonical", "canonical": True, "links": 0, "text": 0,
                       "pages": []})
    return out
