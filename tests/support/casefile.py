"""Rule cases as data: load tests/rules/cases/<rule-id>.toml and turn a case into a Site.

A case file holds ``[[case]]`` tables. Every URL in a case may be written as
a path ("/a/"), resolved against ORIGIN, or in full ("https://ext.test/x").

    [[case]]
    name = "no h1"                      # required, unique in the file
    html = "<title>Clinic</title>"      # one page at `url` (default "/")
    url = "/about/"                     # optional
    pages = {"/" = "<html>…", "/b/" = {html = "…", status = 404, content_type = "text/html"}}
    fetches = {"/gone" = 404,                                     # status
               "https://ext.test/down" = "timeout",               # Fetch.error
               "/old" = {redirect = "/new/"},                     # one 301 hop; ends as /new/ does (else 200)
               "/older" = {chain = [{url = "/older", status = 301}, {url = "/mid", status = 302}],
                           final = "/new/", status = 200},
               "https://ext.test/in" = {status = 403, challenge = true, anchors = ["a"]},
               "https://ext.test/busy" = {status = 503, busy_s = 120}}  # Retry-After beyond the crawl's wait
    sitemap = ["/a/", "/b/"]            # sitemap.xml found, listing these (absent: no sitemap found)
    partial = false                     # Site.partial
    config = {links = {ignore = ["https://ext.test/*"]}}   # real config syntax (audits.config.from_dict)
    expect = 1                          # number of findings of this file's rule, or a list:
    expect = [{url = "/", target = "/gone", message = "returns 404", line = 3, evidence = {count = 2}}]

In an expected finding every key is optional; ``message`` is a substring,
``evidence`` a subset, and ``target = ""`` means the finding has no target; a target
starting with "+" is a phone number in E.164 and is compared as written.
Every page gets a Fetch with its own status unless ``fetches`` says otherwise;
a fetch is external when its host is not ORIGIN's, unless ``external`` says so.
"""
from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from audits.config import from_dict
from audits.site import Site
from audits.extract import extract_options, extract_page
from audits.model import Fetch, Hop, Page

ORIGIN = "https://clinic.test"
CASES_DIR = Path(__file__).resolve().parent.parent / "rules" / "cases"

CASE_KEYS = {"name", "html", "url", "pages", "fetches", "sitemap", "partial", "config", "expect"}
FETCH_KEYS = {"status", "error", "redirect", "chain", "final", "external", "challenge", "anchors",
              "content_type", "busy_s"}
PAGE_KEYS = {"html", "status", "content_type"}
EXPECT_KEYS = {"url", "target", "message", "line", "evidence"}

class CaseError(Exception):
    """A malformed case file; names the file, case and key."""


def absolute(url: str) -> str:
    return urljoin(ORIGIN + "/", url)


def case_files() -> list[Path]:
    return sorted(CASES_DIR.glob("*.toml"))


def load_cases(path: Path) -> list[dict[str, Any]]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise CaseError(f"{path.name}: invalid TOML: {exc}") from None
    if set(data) != {"case"} or not isinstance(data["case"], list):
        raise CaseError(f"{path.name}: expected only [[case]] tables, got {sorted(data)}")
    names = set()
    for case in data["case"]:
        where = f"{path.name} case {case.get('name', '?')!r}"
        unknown = set(case) - CASE_KEYS
        if unknown:
            raise CaseError(f"{where}: unknown key(s) {sorted(unknown)}; known: {sorted(CASE_KEYS)}")
        if "name" not in case or "expect" not in case:
            raise CaseError(f"{where}: needs name and expect")
        if "html" not in case and "pages" not in case:
            raise CaseError(f"{where}: needs html or pages")
        if case["name"] in names:
            raise CaseError(f"{where}: duplicate case name")
        names.add(case["name"])
    return data["case"]


def _pages(case: dict, where: str, options=None) -> list[Page]:
    raw = dict(case.get("pages", {}))
    if "html" in case:
        raw[case.get("url", "/")] = case["html"]
    pages = []
    for url, spec in raw.items():
        spec = {"html": spec} if isinstance(spec, str) else spec
        unknown = set(spec) - PAGE_KEYS
        if unknown:
            raise CaseError(f"{where}: page {url}: unknown key(s) {sorted(unknown)}")
        content_type = spec.get("content_type", "text/html; charset=utf-8")
        page = extract_page(absolute(url), spec.get("html", "").encode("utf-8"),
                            status=spec.get("status", 200), headers={"Content-Type": content_type},
                            options=options)
        pages.append(page)
    return pages


def _fetch(url: str, spec: Any, known: dict[str, int], where: str) -> Fetch:
    url = absolute(url)
    if isinstance(spec, int):
        spec = {"status": spec}
    elif isinstance(spec, str):
        spec = {"error": spec}
    unknown = set(spec) - FETCH_KEYS
    if unknown:
        raise CaseError(f"{where}: fetch {url}: unknown key(s) {sorted(unknown)}")
    chain = tuple(Hop(absolute(h["url"]), h["status"]) for h in spec.get("chain", ()))
    final = spec.get("final")
    if "redirect" in spec:
        final = spec["redirect"]
        chain = (Hop(url, 301),)
    final = absolute(final) if final else None
    status = spec.get("status")
    if status is None and not spec.get("error"):
        status = known.get(final, 200) if final else 200
    return Fetch(
        url=url, status=status, error=spec.get("error"), redirect_chain=chain, final_url=final,
        content_type=spec.get("content_type"),
        external=spec.get("external", urlsplit(url).netloc != urlsplit(ORIGIN).netloc),
        anchors=tuple(spec["anchors"]) if "anchors" in spec else None,
        challenge=spec.get("challenge", False), busy_s=spec.get("busy_s"),
    )


def build_site(case: dict, rule_id: str, all_rules: list[str], where: str) -> Site:
    """The case's Site, configured so that only `rule_id` runs."""
    config_data = dict(case.get("config", {}))
    site_section = dict(config_data.get("site", {}))
    site_section.setdefault("start_urls", [ORIGIN + "/"])
    config_data["site"] = site_section
    config = from_dict(config_data, source=where)
    others_off = {r: "off" for r in all_rules if r != rule_id}
    config = dataclasses.replace(config, rules={**others_off, **config.rules})
    pages = _pages(case, where, extract_options(config))
    known = {p.url: p.status for p in pages}
    fetches = {p.url: Fetch(url=p.url, status=p.status, content_type=p.content_type) for p in pages}
    for url, spec in case.get("fetches", {}).items():
        fetch = _fetch(url, spec, known, where)
        fetches[fetch.url] = fetch
    return Site.build(pages, fetches.values(), config,
                      sitemap_urls=[absolute(u) for u in case.get("sitemap", [])],
                      sitemap_found="sitemap" in case, partial=case.get("partial", False))


def matches(finding, expected: dict) -> bool:
    unknown = set(expected) - EXPECT_KEYS
    if unknown:
        raise CaseError(f"expected finding has unknown key(s) {sorted(unknown)}")
    if "url" in expected and finding.url != absolute(expected["url"]):
        return False
    if "target" in expected:
        target = expected["target"]
        # Paths and URLs resolve against the case origin; an E.164 number stays as written.
        want = (target if target.startswith("+") else absolute(target)) if target else None
        if finding.target != want:
            return False
    if "message" in expected and expected["message"] not in finding.message:
        return False
    if "line" in expected and finding.line != expected["line"]:
        return False
    for key, value in expected.get("evidence", {}).items():
        if finding.evidence.get(key) != value:
            return False
    return True
