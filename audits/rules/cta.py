"""Calls to action in an article body: missing-cta.

Extraction records what a reader could act on in the article body only (links,
buttons, forms, embeds: ``Page.actions``); a "Book now" button in the site
header is on every page and does not close an article. This module decides,
with ``[audits.cta]``, which of them are calls to action (a tel:, sms: or
mailto: link, an appointment or contact link or button matching the patterns,
a link to or embed of an online booking service, a booking form), so a stored
crawl audited with other patterns gets the other answer. "book" used as a noun
("Dr. Lee's book", "the book, The Body Keeps the Score") is not a call to action.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Iterator, Optional
from urllib.parse import urlsplit

from audits.identity import host_key
from audits.model import Action, Cta, Hit, Page
from audits.registry import options, page_rule


@options("cta")
@dataclass(frozen=True)
class CtaOptions:  # [audits.cta]
    # Link or button text that counts as a call to action inside an article body (case-insensitive substrings).
    patterns: tuple[str, ...] = (
        "request an appointment", "book", "schedule", "call us", "contact us",
        "make an appointment", "get started", "free consultation",
        # a way to ask the practice: "Ask the Dentists" closing a post links the practice's question form
        "ask the doctor", "ask the dentist", "ask a question", "ask us", "ask our",
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
    if page.is_article and not calls_to_action(page, opts):
        yield Hit(
            "Article body has no call to action (no appointment or contact link, tel: link or booking form).",
            evidence={"patterns": list(opts.patterns), "href_patterns": list(opts.href_patterns)},
        )


def calls_to_action(page: Page, opts: CtaOptions) -> tuple[Cta, ...]:
    """The page's article-body actions that are calls to action under ``opts``, in source order."""
    judge = _judge(opts)
    host = host_key(page.url)
    return tuple(cta for cta in (judge.decide(a, host) for a in page.actions) if cta is not None)


_APPOINTMENT = re.compile(r"appointment|\bbook|schedul|request|reserv|consult", re.I)
# "book" as a noun: after an article or possessive ("the book", "Dr. Lee's book"), or followed by
# a comma, "s", "store", "club", "by"… ("book, The Body Keeps the Score").
_BOOK_NOUN_BEFORE = re.compile(r"(?:\b(?:a|an|the|this|that|his|her|their|its|my|new|latest|free|e-)\s*|['’]s\s+)$", re.I)
_BOOK_NOUN_AFTER = re.compile(r"(?:s|store|shelf|let|mark|keeping|ed)?\s*[,:;)]|(?:s|store|shelf|let|mark|keeping)\b"
                              r"|\s+(?:by|about|on|review|club|cover|title)\b", re.I)
# HubSpot's loader script: the form it embeds is counted by its hbspt.forms.create call.
_HUBSPOT_LOADER = "https://js.hsforms.net/forms/embed/"


@functools.lru_cache(maxsize=8)
def _judge(opts: CtaOptions) -> "_Judge":
    return _Judge(opts)


class _Judge:
    """``[audits.cta]`` compiled once: decides whether one action is a call to action."""

    def __init__(self, opts: CtaOptions):
        self.text = re.compile("|".join(r"\b" + re.escape(p) for p in opts.patterns) or r"(?!)", re.I)
        self.href = tuple(p.lower() for p in opts.href_patterns)
        self.booking = tuple(h.lower().strip(".") for h in opts.booking_hosts if h.strip("."))
        # (kind, text, href, host) -> the Cta's (kind, href), or None: the theme's "Book now" button
        # and a post's usual closing links are judged once per site, not once per page.
        self._known: dict[tuple, Optional[tuple[str, Optional[str]]]] = {}

    def decide(self, a: Action, host: str) -> Optional[Cta]:
        key = (a.kind, a.text, a.href, host)
        if key not in self._known:
            if len(self._known) >= 100_000:  # a long-lived process auditing site after site
                self._known.clear()
            cta = self._decide(a, host)
            self._known[key] = None if cta is None else (cta.kind, cta.href)
        known = self._known[key]
        return None if known is None else Cta(kind=known[0], text=a.text, href=known[1], line=a.line)

    def _decide(self, a: Action, host: str) -> Optional[Cta]:
        if a.kind == "link":
            return self.link(a, host)
        if a.kind == "button" and self.says(a.text):
            return Cta(kind=_kind(a.text, ""), text=a.text, href=None, line=a.line)
        if a.kind == "form":
            return Cta(kind="form", text=a.text, href=a.href, line=a.line)
        if a.kind == "embed" and self.booking_host(a.href or "") and not a.href.startswith(_HUBSPOT_LOADER):
            return Cta(kind="form", text=a.text, href=a.href, line=a.line)
        return None

    def link(self, a: Action, host: str) -> Optional[Cta]:
        target, text = a.href or "", a.text
        scheme = target.split(":", 1)[0].lower()
        if scheme == "tel":
            return Cta(kind="tel", text=text, href=target, line=a.line)
        if scheme in ("sms", "mailto"):  # "Text us", "Email our care team": a way to ask
            return Cta(kind="contact", text=text, href=target, line=a.line)
        if scheme in ("javascript", "data"):
            return None
        path = ""
        if scheme in ("http", "https"):
            # href patterns describe this site's pages: "/books/" on another site is not a booking page.
            if host_key(target) == host:
                path = urlsplit(target).path.lower()
            elif self.booking_host(target):  # Calendly, Zocdoc, Jane…: booking whatever the wording
                return Cta(kind="appointment", text=text, href=target, line=a.line)
        if (text and self.says(text)) or any(p in path for p in self.href):
            return Cta(kind=_kind(text, path), text=text, href=target, line=a.line)
        return None

    def says(self, text: str) -> bool:
        """Text matching a CTA pattern, "book" used as a noun ("Dr. Lee's book, …") aside."""
        for m in self.text.finditer(text):
            if m.group(0).lower() == "book" and _book_noun(text, m.start()):
                continue
            return True
        return False

    def booking_host(self, url: str) -> bool:
        host = (urlsplit(url).hostname or "").lower().rstrip(".") if "//" in url else ""
        return bool(host) and any(host == h or host.endswith("." + h) for h in self.booking)


def _book_noun(text: str, start: int) -> bool:
    return bool(_BOOK_NOUN_BEFORE.search(text[:start]) or _BOOK_NOUN_AFTER.match(text, start + 4))


def _kind(text: str, href: str) -> str:
    return "appointment" if _APPOINTMENT.search(text) or _APPOINTMENT.search(href) else "contact"
