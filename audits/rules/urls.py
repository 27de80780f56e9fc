"""Canonical URLs: url-mismatch.

The canonical origin is ``Config.canonical_origin``. The same site under the
other scheme, the www/apex twin of its host, a configured alias or an old
domain is the site under a name it should not use. Links are checked as
extracted (absolute); URLs written as plain text are checked as written, and
one written without a scheme ("www.example.com/contact") is judged on its host
alone, since the reader's browser picks the scheme.
"""
from __future__ import annotations

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
    `http://www.omgwellnessmd.com/contact/`, or the text "visit omgwellness.com"
    when `omgwellness.com` is in `[site] old_domains`.

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
                f"{'Links to' if where == 'link' else 'Names'} {target} ({reason}); use {suggested}.",
                target=target, url=page.url, line=line,
                evidence={"reason": reason, "where": where, "canonical": suggested},
            )


def _mentions(page: Page, names: SiteIdentity) -> Iterator[tuple[str, str, Optional[int]]]:
    own = origin_of(page.url)
    for link in page.links:
        # A page fetched under an alias resolves its relative links to that alias; those are
        # not the author's doing (the page itself being reachable there is a redirect issue).
        if own is not None and origin_of(link.target) == own and names.naming_problem(page.url) is not None:
            continue
        yield link.target, "link", link.line
    for text in page.text_urls:  # written in prose, closing punctuation already dropped by extraction
        yield text, "text", None
