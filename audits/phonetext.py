"""Phone numbers as people write them: E.164 parsing, vanity letters and the house format.

Shared by the configuration (which checks ``[site] phone``), extraction and the
phone rules, so a number is read the same way everywhere.
"""
from __future__ import annotations

import re
from typing import Optional

import phonenumbers
from phonenumbers import shortnumberinfo

# Labels of numbers that are not the clinic's main line ([audits.phone] other_lines): a fax, an
# emergency or after-hours service, the billing office, the pharmacy, and the crisis and help lines a
# mental-health page lists for its readers ("Durham Crisis Line: 1-800-742-1890", "Mental Health
# Helpline: 1-866-531-2600", "Distress Centre: (416) 408-4357").
OTHER_LINES = ("fax", "emergency", "after hours", "after-hours", "billing", "pharmacy",
               "crisis", "helpline", "help line", "hotline", "distress")

# A heading with one of these words opens a list of outside help lines and services ("Crisis Resources", "In
# Crisis?", "Crisis Support in Hamilton", "Additional Toronto Resources:"): every number under it, up to the next
# heading or the end of its region, is one of those lines. (A clinic's own number under a "Patient Resources"
# heading is skipped too; the header and footer still carry it.)
HELP_SECTIONS = re.compile(r"\b(?:crisis|helplines?|help lines?|hotlines?|distress|resources)\b", re.I)

# "(555) 010-CARE (2273)": the letters, then the digits they stand for in parentheses.
_SPELLED_OUT = re.compile(r"\s*\((\d[\d\s.-]*)\)\s*$")


def without_spelled_digits(raw: str) -> str:
    """A vanity number without the trailing "(2273)" that repeats its letters as digits."""
    m = _SPELLED_OUT.search(raw)
    if not m or not re.search(r"[A-Za-z]", raw[: m.start()]):
        return raw
    letters = re.findall(r"[A-Za-z]", raw[: m.start()])
    spelled = phonenumbers.convert_alpha_characters_in_number("".join(letters))
    digits = re.sub(r"\D", "", m.group(1))
    return raw[: m.start()] if digits and spelled.endswith(digits[-len(spelled):]) else raw


def to_e164(raw: str, region: str = "US") -> Optional[str]:
    """A number in any format (vanity letters too) as E.164, or None when it is not a possible number."""
    try:
        parsed = phonenumbers.parse(without_spelled_digits(raw), region or None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def dialled(raw: str, region: str = "US") -> Optional[str]:
    """The number a tel: href dials, as E.164, or None when it dials none.

    Written with a country code ("+555-555-1234"), the number must be one that country assigns: a
    theme's placeholder read as "+55 55 555-1234" is a possible Brazilian number but nobody's line.
    Without one, a possible number of the region is enough (as everywhere else)."""
    try:
        parsed = phonenumbers.parse(without_spelled_digits(raw), region or None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    if raw.lstrip().startswith("+") and not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def is_service_code(raw: str, region: str = "US") -> bool:
    """A short code the region's phones dial: 911, 988 (the suicide and crisis line), 112, 211."""
    digits = re.sub(r"[\s.()-]", "", raw)
    if not digits.isdigit() or len(digits) > 6:
        return False
    try:
        parsed = phonenumbers.parse(digits, region or "US")
    except phonenumbers.NumberParseException:
        return False
    return shortnumberinfo.is_valid_short_number_for_region(parsed, region or "US")


_EXTENSION = re.compile(r"[\s,]*(?:ext\.?|extension|x|#)\s*\d+$", re.I)


def written_format(raw: str) -> str:
    """The punctuation pattern of a written number: "(559) 425-1118" -> "(ddd) ddd-dddd".

    Vanity letters count as digits ("(555) 010-CARE (2273)" -> "(ddd) ddd-dddd"): the
    same number written with its digits is in the house format.
    """
    # Non-breaking and repeated spaces are typesetting, not a different house format, and an
    # extension ("(559) 425-1118 ext. 2") is the house format plus a line, not another format.
    raw = without_spelled_digits(raw.strip())
    return re.sub(r"\s+", " ", re.sub(r"[0-9A-Za-z]", "d", _EXTENSION.sub("", raw.strip())))
