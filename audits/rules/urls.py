"""Canonical URLs: url-mismatch.

The canonical origin is ``Config.canonical_origin``. The same site under the
other scheme, the www/apex twin of its host, a configured alias or an old
domain is the site under a name it should not use. Links are checked as
extracted (absolute); URLs written as plain text are checked as written, and
one written without a scheme ("www.example.com/contact") is judged on its host
alone, since the reader's browser picks the scheme. A bare domain written with
capitals ("Smithdental.com" in a copyright line) is the site's brand name, not a
mention, unless it names an old domain.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterator, Optional
from urllib.parse import urlsplit

from audits.model import Hit, Page
from audits.registry import site_rule

if TYPE_CHECKING:
    from audits.config import Config
    from audits.engine import Site

_DEFAULT_PORTS = {"http": 80, "https": 443}
# What ends a sentence after a URL written in prose, not the URL itself.
_TRAILING = ".,;:!?)]}>'\"’”»"


@dataclass(frozen=True)
class _Origin:
    scheme: str
    host: str
    port: Optional[int]


_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:(?!\d)", re.I)


def _origin(url: str) -> Optional[_Origin]:
    if "://" not in url and not url.startswith("//"):
        if _SCHEME.match(url):  # mailto:info@site, tel:, sms:: an address, not the site named by URL
            return None
        url = "//" + url  # a bare host or host/path written in text
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        return None
    scheme = parts.scheme.lower()
    if port is None and scheme:
        port = _DEFAULT_PORTS.get(scheme)
    return _Origin(scheme, host, port)


def _twin(host: str) -> str:
    return host[4:] if host.startswith("www.") else "www." + host


def strip_trailing(text: str) -> str:
    """A URL written in prose without the punctuation that closes the sentence around it."""
    text = text.strip()
    while text and text[-1] in _TRAILING:
        # A closing parenthesis that pairs with one inside the URL belongs to it (Wikipedia-style paths).
        if text[-1] == ")" and text.count("(") >= text.count(")"):
            break
        text = text[:-1]
    return text


class SiteNames:
    """The hosts a site answers to, and which of them is canonical."""

    def __init__(self, config: "Config"):
        self.canonical = _origin(config.canonical_origin) if config.canonical_origin else None
        self.same_site: set[str] = set()
        self.old: set[str] = set()
        if self.canonical:
            self.same_site |= {self.canonical.host, _twin(self.canonical.host)}
        for alias in config.site.aliases:
            o = _origin(alias)
            if o:
                self.same_site.add(o.host)
        for domain in config.site.old_domains:
            o = _origin(domain)
            if o:
                self.old |= {o.host, _twin(o.host)}
        self.old -= self.same_site

    def problem(self, url: str) -> Optional[str]:
        """Why this URL names the site wrongly ("scheme", "host", "port", "old-domain"), or None."""
        c = self.canonical
        o = _origin(url)
        if c is None or o is None or (o.scheme and o.scheme not in _DEFAULT_PORTS):
            return None
        if o.host in self.old:
            return "old-domain"
        if o.host not in self.same_site:
            return None
        if o.host != c.host:
            return "host"
        if o.scheme and o.scheme != c.scheme:
            return "scheme"
        if o.scheme and o.port != c.port:
            return "port"
        return None

    def canonical_form(self, url: str) -> str:
        if "://" not in url:
            url = "//" + url
        parts = urlsplit(url)
        c = self.canonical
        netloc = c.host if c.port == _DEFAULT_PORTS.get(c.scheme) else f"{c.host}:{c.port}"
        rest = parts.path or "/"
        if parts.query:
            rest += "?" + parts.query
        if parts.fragment:
            rest += "#" + parts.fragment
        return f"{c.scheme}://{netloc}{rest}"


@site_rule("url-mismatch", "warning")
def url_mismatch(site: "Site", opts: None) -> Iterator[Hit]:
    """A page links to or names the site under a non-canonical scheme, host (www/apex) or an old domain.

    **Why it matters.** Every link to `http://` or to the www twin of an
    https apex site costs a redirect (slower pages, diluted link signals), and
    a link to a former domain breaks the day that domain lapses. URLs printed
    in the text are copied by readers and by other sites.

    **Example.** On `https://omgwellnessmd.com`, a body link to
    `http://www.omgwellnessmd.com/contact/`, or the text "visit omgwellness.com"
    when `omgwellness.com` is in `[site] old_domains`.

    **How to fix.** Use the canonical URL given in the finding's evidence,
    or a relative link. Set `[site] canonical_url`, `aliases` and
    `old_domains` so siteproof knows which names are old.
    """
    names = SiteNames(site.config)
    if names.canonical is None:
        return
    for page in site.pages.values():
        seen: set[str] = set()
        for target, where, line in _mentions(page, names):
            reason = names.problem(target)
            if reason is None or target in seen:
                continue
            seen.add(target)
            suggested = names.canonical_form(target)
            yield Hit(
                f"{'Links to' if where == 'link' else 'Names'} {target} ({reason}); use {suggested}.",
                target=target, url=page.url, line=line,
                evidence={"reason": reason, "where": where, "canonical": suggested},
            )


def _mentions(page: Page, names: SiteNames) -> Iterator[tuple[str, str, Optional[int]]]:
    own = _origin(page.url)
    for link in page.links:
        o = _origin(link.target)
        # A page fetched under an alias resolves its relative links to that alias; those are
        # not the author's doing (the page itself being reachable there is a redirect issue).
        if own is not None and o == own and names.problem(page.url) is not None:
            continue
        yield link.target, "link", link.line
    for text in page.text_urls:
        text = strip_trailing(text)
        # The site's own brand name ("Smithdental.com") is no mention; a former domain named in
        # any form is, since readers may still type it and it breaks the day the domain lapses.
        if written_as_address(text) or names.problem(text) == "old-domain":
            yield text, "text", None


def written_as_address(text: str) -> bool:
    """Whether a URL found in prose is written as an address a reader would type or click.

    "https://…", "www.…" and anything with a path are addresses. A bare domain
    written with capitals ("Smithdental.com", "SmithDental.com") is the practice's
    brand name, as in a copyright line, not a link a reader follows.
    """
    if "://" in text or text.lower().startswith("www."):
        return True
    host, sep, _rest = text.partition("/")
    return bool(sep) or host == host.lower()
