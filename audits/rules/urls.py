"""Canonical URLs: url-mismatch.

The canonical origin is ``Config.canonical_origin``. The same site under the
other scheme, the www/apex twin of its host, a configured alias or an old
domain is the site under a name it should not use. Links and form actions are
checked as extracted (absolute); URLs written as plain text are checked as written, and
one written without a scheme ("www.example.com/contact") is judged on its host
alone, since the reader's browser picks the scheme. A bare domain written with
capitals ("Smithdental.com" in a copyright line) is the site's brand name, not a
mention, unless it names an old domain.
"""
from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Iterator, Optional

from audits.identity import SiteIdentity, origin_of
from audits.model import Hit, Page
from audits.registry import site_rule

if TYPE_CHECKING:
    from audits.site import Site


@site_rule("url-mismatch", "warning")
def url_mismatch(site: "Site", opts: None) -> Iterator[Hit]:
    """A page links to or names the site under a non-canonical scheme, host (www/apex) or an old domain.

    **Why it matters.** Every link to `http://` or to the www twin of an
    https apex site costs a redirect (slower pages, diluted link signals), and
    a link to a former domain breaks the day that domain lapses. URLs printed
    in the text are copied by readers and by other sites.

    **Example.** On `https://omgwellnessmd.com`, a body link to
    `http://www.omgwellnessmd.com/contact/`, a search form whose action is
    `http://omgwellnessmd.com/`, or the text "visit omgwellness.com" when
    `omgwellness.com` is in `[site] old_domains`.

    **How to fix.** Use the canonical URL given in the finding's evidence,
    or a relative link. Set `[site] canonical_url`, `aliases` and
    `old_domains` so siteproof knows which names are old.
    """
    names = site.identity
    if names.canonical is None:
        return
    for page in site.pages.values():
        seen: set[str] = set()
        for target, where, line in _mentions(page, names):
            reason = names.naming_problem(target)
            if reason is None or target in seen:
                continue
            seen.add(target)
            suggested = names.canonical_form(target)
            yield Hit(
                f"{_VERBS[where]} {target} ({reason}); use {suggested}.",
                target=target, url=page.url, line=line,
                evidence={"reason": reason, "where": where, "canonical": suggested},
            )


_VERBS = {"link": "Links to", "form": "Sends a form to", "text": "Names"}


def _mentions(page: Page, names: SiteIdentity) -> Iterator[tuple[str, str, Optional[int]]]:
    own = origin_of(page.url)
    resolved = itertools.chain(((link.target, "link", link.line) for link in page.links),
                               ((target, "form", None) for target in page.form_targets))
    for target, where, line in resolved:
        # A page fetched under an alias resolves its relative links and actions to that alias; those
        # are not the author's doing (the page itself being reachable there is a redirect issue).
        if own is not None and origin_of(target) == own and names.naming_problem(page.url) is not None:
            continue
        yield target, where, line
    for text in page.text_urls:  # written in prose, closing punctuation already dropped by extraction
        # The site's own brand name ("Smithdental.com") is no mention; a former domain named in
        # any form is, since readers may still type it and it breaks the day the domain lapses.
        if written_as_address(text) or names.naming_problem(text) == "old-domain":
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
