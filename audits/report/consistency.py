"""Which phone numbers and which site-URL variants a crawl found, and where.

Computed from the pages themselves (not from findings) so the HTML report can
show the whole picture, including the canonical forms that are used correctly.
"""
from __future__ import annotations

from collections import Counter
from typing import Any, Iterable, Optional
from urllib.parse import urlsplit

import phonenumbers

from audits.config import Config
from audits.model import Page


def format_number(e164: str, region: str = "US") -> str:
    """National format for the site's own region, international otherwise."""
    try:
        num = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    own = phonenumbers.region_code_for_number(num) == region.upper()
    fmt = phonenumbers.PhoneNumberFormat.NATIONAL if own else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(num, fmt)


def _e164(raw: str, region: str) -> Optional[str]:
    try:
        num = phonenumbers.parse(raw, region or "US")
    except phonenumbers.NumberParseException:
        return None
    return phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)


def canonical_phone(config: Config, pages: Iterable[Page]) -> Optional[str]:
    """The configured number, else the one the most pages show (as the contract says)."""
    if config.site.phone:
        return _e164(config.site.phone, config.site.phone_region)
    per_page = Counter(n for p in pages for n in {ph.number for ph in p.phones})
    return per_page.most_common(1)[0][0] if per_page else None


def _allowed_phones(config: Config) -> set[str]:
    try:
        allow = getattr(config.audit_options("phone"), "allow", ())
    except KeyError:
        return set()
    return {n for n in (_e164(a, config.site.phone_region) for a in allow) if n}


def phones(config: Config, pages: list[Page]) -> list[dict[str, Any]]:
    canonical = canonical_phone(config, pages)
    allowed = _allowed_phones(config)
    rows: dict[str, dict[str, Any]] = {}
    for page in pages:
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
            "formatted": format_number(number, config.site.phone_region),
            "canonical": number == canonical,
            "allowed": number in allowed,
            "written": [raw for raw, _ in row["raw"].most_common()],
            "via": dict(row["via"]),
            "uses": sum(row["raw"].values()),
            "pages": sorted(row["pages"].items()),
        })
    out.sort(key=lambda r: (not r["canonical"], -len(r["pages"]), r["number"]))
    if canonical and canonical not in rows:
        out.insert(0, {"number": canonical, "formatted": format_number(canonical, config.site.phone_region),
                       "canonical": True, "allowed": False, "written": [], "via": {}, "uses": 0, "pages": []})
    return out


def _host(netloc: str) -> str:
    return netloc.lower().rsplit("@", 1)[-1]


def _base(host: str) -> str:
    return host[4:] if host.startswith("www.") else host


def site_hosts(config: Config) -> tuple[str, dict[str, str]]:
    """The canonical origin and a map base-host -> kind ('site' or 'old domain')."""
    canonical = config.canonical_origin.lower()
    bases: dict[str, str] = {}
    for url in (canonical, *config.site.aliases, *config.site.start_urls):
        host = _host(urlsplit(url).netloc)
        if host:
            bases[_base(host)] = "site"
    for domain in config.site.old_domains:
        host = _host(urlsplit(domain).netloc if "//" in domain else domain.split("/", 1)[0])
        if host:
            bases.setdefault(_base(host), "old domain")
    return canonical, bases


def url_variants(config: Config, pages: list[Page]) -> list[dict[str, Any]]:
    canonical, bases = site_hosts(config)
    rows: dict[str, dict[str, Any]] = {}

    def see(url: str, page: Page, how: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            return
        host = _host(parts.netloc)
        kind = bases.get(_base(host))
        if kind is None:
            return
        origin = f"{parts.scheme}://{host}"
        row = rows.setdefault(origin, {"origin": origin, "kind": kind, "links": 0, "text": 0, "pages": {}})
        row[how] += 1
        row["pages"].setdefault(page.url, page.title)

    for page in pages:
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
