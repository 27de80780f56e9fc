"""Calls to action in an article body: missing-cta (rules are added by the content-audit work)."""
from __future__ import annotations

from dataclasses import dataclass

from audits.registry import options


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
