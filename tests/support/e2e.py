"""Shared pieces of the end-to-end CLI tests (tests/test_e2e_*.py).

Everything goes through the real command, ``python -m crawler ...`` in a child
process, against real loopback servers or real folders. The two expensive
inputs are made once per test session by conftest.py's session fixtures and
shared by the modules: ``clinic_crawl`` (``crawl_clinic``: a `siteproof crawl`
of fresh clinic/external servers, so the answer-503-once route is still unused)
and ``build_check`` (``check_build``: a `siteproof check` of the clinic fixture
rendered as a production build folder).
"""
from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Iterable, Optional
from urllib.parse import urlsplit

from crawler.siteserver import TEXT_SUFFIXES

from support.sites import CLINIC, new_clinic_server, start_external

REPO = Path(__file__).resolve().parents[2]
# The production-like origins the build folder is rendered for (never resolved: a folder check is offline).
BUILD_ORIGIN = "https://omgwellnessmd.test"
BUILD_EXTERNAL = "https://external.test"
# What EXPECTED.toml's content findings assume about the site's configuration.
PHONE = "(559) 425-1118"
OLD_DOMAINS = ("omgwellness.com",)
EXTERNAL_KEY = "{{external}}"  # how an external origin is written in comparison keys (as in EXPECTED.toml)


def siteproof(*args: Any, cwd: Path, timeout: float = 90) -> subprocess.CompletedProcess:
    """Run the CLI as a user would; cwd is a scratch folder, so no siteproof.toml is picked up by accident."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    env.pop("NO_COLOR", None)
    return subprocess.run([sys.executable, "-m", "crawler", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout)


def write_config(path: Path, *, canonical_url: Optional[str] = None, rules: Optional[dict] = None,
                 ignore: Optional[dict] = None, links_ignore: Iterable[str] = ()) -> Path:
    """A siteproof.toml as EXPECTED.toml assumes it (phone, old domain, 2 s timeout), plus what a test adds."""
    lines = ["[site]", f"phone = {json.dumps(PHONE)}", f"old_domains = {json.dumps(list(OLD_DOMAINS))}"]
    if canonical_url:
        lines.append(f"canonical_url = {json.dumps(canonical_url)}")
    lines += ["", "[crawl]", "timeout_s = 2"]
    if links_ignore:
        lines += ["", "[links]", f"ignore = {json.dumps(list(links_ignore))}"]
    if rules:
        lines += ["", "[rules]", *(f"{json.dumps(rule)} = {json.dumps(value)}" for rule, value in rules.items())]
    if ignore:
        lines += ["", "[ignore]", *(f"{json.dumps(glob)} = {json.dumps(ids)}" for glob, ids in ignore.items())]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def render_build(dest: Path, origin: str = BUILD_ORIGIN, external: str = BUILD_EXTERNAL) -> Path:
    """The clinic fixture as a static-site build for ``origin``: placeholders filled, server-only files left out."""
    subs = {"{{origin}}": origin, "{{external}}": external, "{{external_host}}": urlsplit(external).netloc}
    for src in sorted(CLINIC.rglob("*")):
        rel = src.relative_to(CLINIC)
        if src.is_dir() or rel.name.startswith("_") or rel.name == "EXPECTED.toml":
            continue
        out = dest / rel
        out.parent.mkdir(parents=True, exist_ok=True)
        if src.suffix in TEXT_SUFFIXES:
            text = src.read_text(encoding="utf-8")
            for placeholder, value in subs.items():
                text = text.replace(placeholder, value)
            out.write_text(text, encoding="utf-8")
        else:
            shutil.copyfile(src, out)
    return dest


def read_report(out: Path) -> dict:
    return json.loads((out / "report.json").read_text(encoding="utf-8"))


def url_key(value: Optional[str], origin: str, external: str) -> str:
    """A URL without the origin it was served from, so a crawl on 127.0.0.1 and a production build compare."""
    if not value:
        return ""
    origin, external = origin.rstrip("/"), external.rstrip("/")
    if value.startswith(origin + "/") or value == origin:
        return value[len(origin):] or "/"
    if value.startswith(external + "/"):
        return EXTERNAL_KEY + value[len(external):]
    return value  # a phone number in E.164, a domain named in text


def finding_keys(findings: Iterable[dict], origin: str, external: str) -> list[tuple[str, str, str]]:
    """(rule, page path, target path) per finding, sorted (a list, so a duplicate finding shows)."""
    return sorted((f["rule"], url_key(f["url"], origin, external), url_key(f["target"], origin, external))
                  for f in findings)


@dataclass
class Run:
    """One CLI run whose report was written to ``out``."""

    proc: subprocess.CompletedProcess
    root: Path  # the run's working directory
    out: Path
    config: Path
    origin: str
    external: str

    @functools.cached_property
    def report(self) -> dict:
        return read_report(self.out)

    def keys(self, findings: Optional[Iterable[dict]] = None) -> list[tuple[str, str, str]]:
        return finding_keys(self.report["findings"] if findings is None else findings, self.origin, self.external)


def crawl_clinic(root: Path) -> Run:
    """`siteproof crawl ORIGIN/ --config F --out DIR` of fresh clinic and external servers, in ``root``."""
    config = write_config(root / "crawl.toml")
    out = root / "report"
    external_server = start_external()
    try:
        with new_clinic_server(external_server) as site:
            proc = siteproof("crawl", site.url("/"), "--config", config, "--out", out, cwd=root)
    finally:
        external_server.stop()
    return Run(proc, root, out, config, site.origin, external_server.origin)


def check_build(root: Path) -> Run:
    """`siteproof check build --config F --out DIR` of the rendered build folder, in ``root``."""
    render_build(root / "build")
    config = write_config(root / "check.toml", canonical_url=BUILD_ORIGIN)
    out = root / "report"
    proc = siteproof("check", "build", "--config", config, "--out", out, cwd=root)
    return Run(proc, root, out, config, BUILD_ORIGIN, BUILD_EXTERNAL)


class HtmlDoc(HTMLParser):
    """The start tags and the text of an HTML document (entities decoded)."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)

    def shown_text(self) -> str:
        return " ".join(" ".join(self.text).split())


def parse_html(page: str) -> HtmlDoc:
    doc = HtmlDoc()
    doc.feed(page)
    doc.close()
    return doc


_RENDERER_SOURCES = ("templates/report.html.j2", "html.py", "consistency.py", "trend.py")


def foreign_markup(doc: HtmlDoc) -> list:
    """Elements and event attributes in report.html that its renderer never writes: a crawled page's markup."""
    source = "".join((REPO / "audits" / "report" / name).read_text(encoding="utf-8") for name in _RENDERER_SOURCES)
    own = set(re.findall(r"<([a-z][a-z0-9]*)", source))
    foreign = [(t, a) for t, a in doc.tags if t not in own or any(k.startswith("on") for k in a)]
    scripts = [(t, a) for t, a in doc.tags if t == "script"]
    return foreign + (scripts if len(scripts) > 1 else [])
