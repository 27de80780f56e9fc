"""Phone numbers as people write them: E.164 parsing, vanity letters and the house format.

Shared by the configuration (which checks ``[site] phone``), extraction and the
phone rules, so a number is read the same way everywhere.
"""
from __future__ import annotations

import re
from typing import Optional

import phonenumbers

# Labels of numbers that are not the clinic's main line ([audits.phone] other_lines): a fax, an
# emergency or after-hours service, the billing office, the pharmacy.
OTHER_LINES = ("fax", "emergency", "after hours", "after-hours", "billing", "pharmacy")

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
