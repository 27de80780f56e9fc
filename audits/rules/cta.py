"""Calls to action in an article body: missing-cta.

Extraction decides what counts as a call to action (a tel:, sms: or mailto:
link, an appointment or contact link or button matching ``[audits.cta]``, a
link to or embed of an online booking service, a booking form), looking inside
the article body only: a "Book now" button in the site header is on every page
and does not close an article. "book" used as a noun ("Dr. Lee's book", "the
book, The Body Keeps the Score") is not a call to action.
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
    # Hosts of online booking and intake services: a body link to them, or an iframe/script embedding
    # them, is a call to action whatever its wording (a host matches itself and its subdomains).
    booking_hosts: tuple[str, ...] = (
        "calendly.com", "acuityscheduling.com", "as.me", "zocdoc.com", "janeapp.com", "clientsecure.me",
        "simplepractice.com", "intakeq.com", "practicebetter.io", "gethealthie.com", "vagaro.com",
        "mindbodyonline.com", "schedulicity.com", "setmore.com", "squareup.com", "square.site",
        "nexhealth.com", "localmed.com", "headway.co", "tebra.com", "hsforms.net", "hsforms.com",
        "jotform.com", "typeform.com", "cognitoforms.com", "formstack.com",
    )


@page_rule("missing-cta", "error", options="cta")
def missing_cta(page: Page, opts: CtaOptions) -> Iterator[Hit]:
    """An article has no call to action (appointment/contact link, tel: link, or booking form).

    What counts, in the article body only: a tel:, sms: or mailto: link; a
    link or button whose text matches `patterns` ("book" as a noun, as in
    "Dr. Lee's book", does not); a link to this site matching
    `href_patterns`; a link to, or an iframe or script embedding, a service in
    `booking_hosts` (Calendly, Acuity, Zocdoc, Jane, SimplePractice, HubSpot
    forms…); a form with a submit button (Contact Form 7, WPForms, Gravity
    Forms). Not: "read more" links, or a CTA only in the header, sidebar or footer.

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
