"""Calls to action in an article body: missing-cta.

Extraction decides what counts as a call to action (a tel: link, an
appointment or contact link or button matching ``[audits.cta]``, a booking
form), looking inside the article body only: a "Book now" button in the site
header is on every page and does not close an article.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from audits.model import Hit, Page
from audits.registry import options, page_rule


@options("cta")
@dataclass(frozen=True)
class CtaOptions:  # [audits.cta]
    # Link or button text that counts as a call to action inside an article body (case-insensitive substrings).
    patterns: tuple[str, ...] = (
        "request an appointment", "book", "schedule", "call us", "contact us",
        "make an appointment", "get started", "free consultation",
    )
    # href substrings that make a body link a call to action whatever its text.
    href_patterns: tuple[str, ...] = ("/contact", "/appointment", "/book", "/schedule", "/request")


@page_rule("missing-cta", "error", options="cta")
def missing_cta(page: Page, opts: CtaOptions) -> Iterator[Hit]:
    """An article has no call to action (appointment/contact link, tel: link, or booking form).

    **Why it matters.** A clinic article exists to turn a reader into a
    patient. One that ends without a way to book, call or ask leaves the
    reader to hunt through the navigation, and most do not.

    **Example.** A post on ketamine for depression that ends with its last
    paragraph and the related posts, with no "Request an appointment" button,
    no tel: link and no form in the body.

    **How to fix.** Add a closing line such as "Call (559) 425-1118 or
    request an appointment" with a tel: link and a link to the booking page.
    If the theme's buttons use other wording or URLs, add them to
    `[audits.cta] patterns` / `href_patterns`.
    """
    if page.is_article and not page.ctas:
        yield Hit(
            "Article body has no call to action (no appointment or contact link, tel: link or booking form).",
            evidence={"patterns": list(opts.patterns), "href_patterns": list(opts.href_patterns)},
        )
