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
# heading or the end of its region, is one of those lines, but for a number the page wrote above the list (the
# practice's own, in its header).
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


# ---------------------------------------------------------------- whose number the text says it is

# A proper name as written: capitalised words ("Kids Help Phone", "Distress Centres of Greater Toronto", "Good2Talk",
# "ConnexOntario", "Sun Life") with the small words names carry between them; not the end of "15-Min".
_NAME = r"(?<![\w-])[A-Z][\w'’&.-]*(?:\s+(?:(?:of|for|the|and|&|de|du|la)\s+)?[A-Z][\w'’&.-]*)*"
# The name right before the number, joined to it as its owner's: "Kids Help Phone: N", "Talk Suicide Canada at N",
# "Distress Centres of Greater Toronto – N", "Sun Life, call N". Two words side by side ("Book Free Consultation
# (416) 306-2157", a button beside the number) say nothing about whose number it is.
_NAMED_BEFORE = re.compile(r"(?P<name>" + _NAME + r")\s*(?::|,|–|—|\s-|\bat\b|\bon\b)\s*"
                           r"(?:(?:or\s+)?(?:call|text|phone|tel|dial)\b\.?\s*:?\s*)?$")
# "ConnexOntario (1-866-531-2600 for crisis support)": the number in brackets after the name (not "(416) …",
# whose brackets hold the area code).
_NAMED_BRACKET = re.compile(r"(?P<name>" + _NAME + r")\s*$")
# A block or list item that opens with a name as its label: "Manulife: $500… Check your benefits portal or call N.",
# "Canada Life (formerly Great-West Life): … Check GroupNet or call N."
_LABELLED_ITEM = re.compile(r"^\W{0,3}(?P<name>" + _NAME + r")\s*(?:\([^()]{0,40}\)\s*)?:")
# A sentence that opens with a name of two words or more and then asks the reader to call: an excerpt joins a name
# line to the sentence after it ("New Hope Thermal Imaging To schedule an appointment, please call: N").
_OPENING_NAME = re.compile(r"^\W{0,3}(?P<name>" + _NAME + r")")
_CALL_VERB = re.compile(r"\b(?:call|contact|reach|dial|text)\b", re.I)
# A venue with its street address: "at the Ohio Naturopathic Wellness Center, 755 Boardman-Canfield Rd., …".
_VENUE = re.compile(r"\bat\s+(?:the\s+)?(?P<name>" + _NAME + r"),?\s+\d{1,6}\s+[A-Z]")
# The sentence is the practice speaking of itself ("call us", "our office", "we"): whatever name it holds, the
# number is offered as the practice's own.
_OWN_VOICE = re.compile(r"\b(?:us|our|ours|we|we're|we’re|I|I'm|me|my)\b", re.I)
# Words that make a label of the practice's own line, one of its departments, a button or a sentence's start, not
# a name: "Phone:", "Call Us", "Main Office", "New Patients", "Billing:", "Please Call", "Free Consultation".
_NOT_A_NAME = frozenset("""
    a an and at by call cell contact desk dial direct e email for free front general hours i if in info information
    inquiries enquiries line local main mobile new no now number of office on or our p patient patients ph phone
    please questions reception schedule scheduling book booking appointment appointments t tel telephone text the
    to today toll tollfree us visit voice we whatsapp sms you your existing m c o landline address location
    locations join note same day consultation consult insurance payment payments cancellation cancellations
    policy directions parking referral referrals telefon telefono téléphone tél fon billing pharmacy fax emergency
    after records accounts admin administration lab laboratory radiology manager support sales customer care
    department desk team staff""".split())
# Words before or after a name in a sentence that are no part of it ("Please call …", "… To schedule").
_LEADING = frozenset("a an at by call check contact dial for if in join please text the to visit with".split())
_TRAILING = frozenset("a an and at by call for if in on or please the to with".split())
# A name never opens with a verb telling the reader what to do ("Book Now", "Skip the Waitlist", "Let's Talk").
_IMPERATIVE = frozenset("""book schedule start skip get stop let's lets request make find call contact text dial
    visit join learn read see take try claim reserve secure begin ask email send""".split())
# A sentence ends at ".", "!" or "?" and a space, but not after a title or a street abbreviation ("Dr.", "Rd.").
_SENTENCE_END = re.compile(r"(?<!\bDr)(?<!\bMr)(?<!\bMs)(?<!\bMrs)(?<!\bSt)(?<!\bRd)(?<!\bAve)(?<!\bNo)[.!?]\s+"
                           r"|\s[•|·]\s")


def _a_name(name: str, words: int = 1) -> str:
    """``name`` without the words around it that are no part of it ("Talk Suicide Canada at" -> "Talk Suicide
    Canada"), or "" when it is a label of the practice's own line or a button ("Main Office", "Call Us", "New
    Patients", "Book Free Consultation") or fewer than ``words`` words are left."""
    tokens = name.split()
    if not tokens or tokens[0].lower() in _IMPERATIVE or any(t.lower() in ("your", "our") for t in tokens):
        return ""
    if all(t.lower().strip(".:") in _NOT_A_NAME for t in tokens):
        return ""
    while tokens and tokens[0].lower().strip(".:") in _LEADING:
        tokens.pop(0)
    while tokens and tokens[-1].lower().strip(".:") in _TRAILING:
        tokens.pop()
    return " ".join(tokens) if len(tokens) >= words else ""


def owner_named(lead: str, before: str = "", raw: str = "") -> str:
    """The name the text gives a number as its owner's, or "" when it gives none.

    ``lead`` is the number's block up to the number, ``raw`` the number as written, ``before`` the block just
    before it in the same region. In order: a name joined to the number ("Kids Help Phone: …", "Talk Suicide
    Canada at …", "ConnexOntario (1-866-…"); a name labelling the block ("Manulife: … or call …"); a sentence
    opening with a name of two words or more that asks the reader to call; and, for a sentence that names
    nobody and asks the reader to call, the block before when it is a name line ("<p>New Hope Thermal
    Imaging</p><p>To schedule an appointment, please call: …</p>") or names a venue with its street address
    ("… at the Ohio Naturopathic Wellness Center, 755 Boardman-Canfield Rd. …" then "to register, call …").
    A sentence in the practice's own voice ("call us", "our office") names no other owner.
    """
    sentence = _SENTENCE_END.split(lead)[-1]
    if _OWN_VOICE.search(sentence):
        return ""
    m = _NAMED_BEFORE.search(sentence)
    if m and (name := _a_name(m.group("name"))):
        return name
    m = _NAMED_BRACKET.search(sentence)
    if m and raw.startswith("(") and not re.match(r"\(\d{2,4}\)", raw) and (name := _a_name(m.group("name"))):
        return name
    m = _LABELLED_ITEM.match(lead)
    if m and (name := _a_name(m.group("name"))):
        return name
    m = _OPENING_NAME.match(sentence)
    if m and _CALL_VERB.search(sentence[m.end():]) and (name := _a_name(m.group("name"), words=2)):
        return name
    if any(t[:1].isupper() for t in sentence.split()[1:]) or not _CALL_VERB.search(sentence):
        return ""  # the sentence names someone, not who the block before names; or it asks for no call
    before = before.strip()
    if before and len(before.split()) <= 8 and not re.search(r"[.!?,:;\d]", before) \
            and re.fullmatch(_NAME, before) and (name := _a_name(before, words=2)):
        return name
    venues = [_a_name(m.group("name")) for m in _VENUE.finditer(before)]
    return next((v for v in reversed(venues) if v), "")
