"""Phone-number consistency (NAP): phone-mismatch, phone-format and phone-not-clickable.

The canonical number is ``[site] phone`` parsed with ``phone_region``; without
it, the number shown on the most pages. Extraction only sees visible text and
tel: hrefs, so a number inside an image file name or a tracking id is never a
candidate here. Numbers are compared as E.164, so ``tel:+15594251118`` and
``tel:559-425-1118`` are the same number. A number labelled as another line
("Fax: (559) 425-1119", "<h4>After hours</h4><p>…</p>"; ``[audits.phone]
other_lines``) is not a number patients call for the clinic and is not a
candidate either. A tel: href that is no phone number at all is invalid-tel-link's.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterator, Optional
from urllib.parse import unquote

from audits.kinds import UNSEEN
from audits.model import Hit, Page, PhoneSeen
from audits.phonetext import OTHER_LINES, dialled, is_service_code, to_e164, written_format
from audits.registry import options, page_rule, site_rule

if TYPE_CHECKING:
    from audits.site import Site


@options("phone")
@dataclass(frozen=True)
class PhoneOptions:  # [audits.phone]
    allow: tuple[str, ...] = ()  # other numbers that may appear (call tracking), in any format
    # Labels of numbers that are not the clinic's main line: a number right after one ("Fax: …",
    # "<h4>After hours</h4><p>…</p>") is not compared with it. Read by extraction.
    other_lines: tuple[str, ...] = OTHER_LINES


def canonical_number(site: "Site") -> Optional[str]:
    """The site's canonical number: configured, else the one shown on the most pages."""
    cfg = site.config.site
    if cfg.phone:
        return to_e164(cfg.phone, cfg.phone_region)
    pages_showing: Counter[str] = Counter()
    mentions: Counter[str] = Counter()
    for page in site.pages.values():
        if page.kind in UNSEEN:
            continue
        numbers = {p.number for p in page.phones}
        pages_showing.update(numbers)
        mentions.update(p.number for p in page.phones)
    if not pages_showing:
        return None
    # Ties (a two-page site) go to the number mentioned more often, then to a stable order.
    return min(pages_showing, key=lambda n: (-pages_showing[n], -mentions[n], n))


# National help lines a clinic page may rightly print beside its own number (a ketamine
# or mental-health article often ends with a crisis line): never a mismatch.
HOTLINES = (
    "+18002738255",  # Suicide & Crisis Lifeline (the number before 988; also the Veterans Crisis Line)
    "+18006624357",  # SAMHSA National Helpline
    "+18007997233",  # National Domestic Violence Hotline
    "+18006564673",  # RAINN National Sexual Assault Hotline
    "+18002221222",  # Poison Control
    "+18664887386",  # The Trevor Project
    "+18009506264",  # NAMI HelpLine
)


def allowed_numbers(site: "Site", opts: PhoneOptions) -> set[str]:
    """Numbers that may appear beside the canonical one: ``allow`` and the national help lines."""
    region = site.config.site.phone_region
    return {n for n in (to_e164(a, region) for a in opts.allow) if n} | set(HOTLINES)


@site_rule("phone-mismatch", "error", options="phone")
def phone_mismatch(site: "Site", opts: PhoneOptions) -> Iterator[Hit]:
    """A page shows or dials a phone number other than the site's canonical number, or a tel: href differs from the number shown with it.

    **Why it matters.** Name, address and phone (NAP) consistency is a local
    search ranking signal, and a patient who calls an old or mistyped number
    does not reach the clinic. A tel: link that dials one number while showing
    another is the worst case: the page looks right and the call goes elsewhere.

    **Example.** The footer shows "(559) 425-1118" but an old blog post still
    says "Call (559) 425-1100"; or `<a href="tel:5594251119">(559) 425-1118</a>`.

    **How to fix.** Replace the number with the canonical one (`[site] phone`).
    Numbers that are meant to differ (call-tracking lines) go in
    `[audits.phone] allow`, in any format. The same number written differently
    (`tel:+15594251118`, `tel:559-425-1118`) is not a mismatch, and neither is
    a number labelled as a fax, emergency, after-hours, billing, pharmacy, crisis or help line
    ("Fax: (559) 425-1119", also with the label in its own element:
    `<h4>Fax</h4><p>(559) 425-1119</p>`; the labels are `[audits.phone]
    other_lines`), nor a national help
    line such as the Suicide & Crisis Lifeline's 1-800-273-8255 or SAMHSA's
    1-800-662-4357, nor a number the site writes right beside the canonical one
    as another line of the practice ("(724) 376-7161 (Sandy Lake Office) or
    (814) 724-6890 (Meadville Office)", "Call +91 94872 71222 | 0427 3587703"):
    that number is the practice's on every page. Any other toll-free or
    call-tracking line is one, until it is added to `allow`.
    """
    canonical = canonical_number(site)
    if canonical is None:
        return
    ok = allowed_numbers(site, opts) | {canonical} | site.derive(("phone-lines", canonical),
                                                                  lambda: practice_lines(site, canonical))
    for page in site.pages.values():
        if page.kind in UNSEEN:
            continue
        reported: set[str] = set()
        # tel/shown contradictions first: they carry the more precise message.
        for seen in sorted(page.phones, key=lambda p: (p.via != "tel", p.line or 0)):
            hit = _mismatch(page, seen, canonical, ok)
            if hit and hit.target not in reported:
                reported.add(hit.target)
                yield hit


def practice_lines(site: "Site", canonical: str) -> set[str]:
    """Numbers the site writes right beside its canonical number, as the practice's other lines.

    "Call us (724) 376-7161 (Sandy Lake Office) or (814) 724-6890 (Meadville Office)", "Call Us
    +91 94872 71222 | 0427 3587703": a second office's or a mobile line offered with the main one
    is the practice's, on every page it appears on. A stray old or mistyped number is written
    on its own.
    """
    return {seen.number for page in site.pages.values() if page.kind not in UNSEEN
            for seen in page.phones if canonical in seen.beside}


def _mismatch(page: Page, seen: PhoneSeen, canonical: str, ok: set[str]) -> Optional[Hit]:
    evidence = {"canonical": canonical, "raw": seen.raw, "via": seen.via, "context": seen.context}
    if seen.via == "tel" and seen.shown and seen.shown != seen.number:
        # The offender is whichever side is not the canonical number (the dialled one if neither is).
        offender = seen.number if seen.number not in ok or seen.shown in ok else seen.shown
        if offender in ok:
            return None
        return Hit(
            f"tel: link dials {seen.number} but shows {seen.shown}; the clinic's number is {canonical}.",
            target=offender, url=page.url, line=seen.line,
            evidence={**evidence, "dials": seen.number, "shown": seen.shown},
        )
    if seen.number in ok:
        return None
    written = next((p.raw for p in page.phones if p.via == "text" and p.number == seen.number), None)
    if seen.via == "tel":
        verb, raw = ("shows and dials", written) if written else ("dials", seen.raw)
    else:
        verb, raw = "shows", seen.raw
    return Hit(
        f"Page {verb} {raw.strip()!r} ({seen.number}); the clinic's number is {canonical}.",
        target=seen.number, url=page.url, line=seen.line, evidence=evidence,
    )


@site_rule("phone-format", "info")
def phone_format(site: "Site", opts: None) -> Iterator[Hit]:
    """The canonical number is written in a format other than the house format.

    **Why it matters.** One consistent way of writing the number looks
    deliberate and keeps NAP citations identical across pages and directories.

    **Example.** The house format is "(559) 425-1118" (as `[site] phone` is
    written) but a page says "559.425.1118" or "559-425-1118".

    **How to fix.** Write the number exactly like `[site] phone`. Without that
    key, the house format is the one used most often across the site.
    """
    canonical = canonical_number(site)
    if canonical is None:
        return
    written = [
        (page, seen) for page in site.pages.values() if page.kind not in UNSEEN for seen in page.phones
        if seen.via == "text" and seen.number == canonical
    ]
    if site.config.site.phone:
        house = written_format(site.config.site.phone)
    elif written:
        counts = Counter(written_format(seen.raw) for _, seen in written)
        house = min(counts, key=lambda f: (-counts[f], f))
    else:
        return
    off: dict[str, list[PhoneSeen]] = defaultdict(list)
    for page, seen in written:
        if written_format(seen.raw) != house:
            off[page.url].append(seen)
    for url, seen_list in off.items():
        forms = sorted({s.raw.strip() for s in seen_list})
        yield Hit(
            f"The clinic's number is written as {', '.join(repr(f) for f in forms)}; "
            f"the house format is {house.replace('d', '#')!r}.",
            target=canonical, url=url, line=min((s.line for s in seen_list if s.line), default=None),
            evidence={"written": forms, "house_format": house},
        )


@page_rule("phone-not-clickable", "info")
def phone_not_clickable(page: Page, opts: None) -> Iterator[Hit]:
    """A phone number in an article's body is plain text with no tel: link for it.

    **Why it matters.** Most visits to clinic articles are on phones; a number
    that cannot be tapped is a call to action that does not work.

    **Example.** "Call us at (559) 425-1118 to book." with no
    `<a href="tel:+15594251118">` for that number anywhere in the article body
    (a floating "Call" button the theme adds after every article does not count).

    **How to fix.** Wrap the number in `<a href="tel:+15594251118">…</a>`.
    """
    if not page.is_article:
        return
    # A number shown as the text of a tel: link is clickable even when the link dials
    # another number; that mismatch is phone-mismatch's business, not this rule's. Only the article's
    # own tel: links count: a floating "Call" button after the article is the theme's, on every page.
    in_article = {a.line for a in page.actions if a.href and a.href[:4].lower() == "tel:"}
    tel_links = [p for p in page.phones if p.via == "tel" and p.context == "body" and p.line in in_article]
    dialable = {p.number for p in tel_links} | {p.shown for p in tel_links if p.shown}
    reported: set[str] = set()
    for seen in page.phones:
        if seen.via != "text" or seen.context != "body":
            continue
        if seen.number in dialable or seen.number in reported:
            continue
        reported.add(seen.number)
        yield Hit(
            f"{seen.raw.strip()!r} in the article body is not a tel: link.",
            target=seen.number, line=seen.line,
            evidence={"raw": seen.raw, "number": seen.number},
        )


@site_rule("invalid-tel-link", "error")
def invalid_tel_link(site: "Site", opts: None) -> Iterator[Hit]:
    """A tel: link dials something that is not a phone number.

    **Why it matters.** A patient who taps the phone icon gets an error or a
    wrong number, while the number shown beside the icon looks right, so
    nobody on the team notices.

    **Example.** A header icon `<a href="tel:(123) 456 789"><i class="icon-phone"></i></a>`
    next to "(559) 425-1118", a theme's demo number left in place, or `tel:`
    with nothing after it.

    A country code makes the number the one that country assigns:
    `tel:+555-555-1234` (a theme's placeholder) is no line anywhere. Short
    codes the region dials (`tel:911`, `tel:988`) are numbers.

    **How to fix.** Put the clinic's number in the href, in E.164:
    `href="tel:+15594251118"`. The finding's target is the tel: URL as
    written; a valid number other than the clinic's is `phone-mismatch`.
    """
    region = site.config.site.phone_region
    canonical = canonical_number(site)
    dials: dict[str, bool] = {}  # a theme's call button repeats its href on every page: parsed once
    for page in site.pages.values():
        reported: set[str] = set()
        for link in page.links:
            if link.tag not in ("a", "area") or link.target[:4].lower() != "tel:" or link.target in reported:
                continue
            raw = unquote(link.target.split(":", 1)[1]).split(";", 1)[0].strip()
            if raw not in dials:
                dials[raw] = dialled(raw, region) is not None or is_service_code(raw, region)
            if dials[raw]:
                continue
            reported.add(link.target)
            also = f"; the clinic's number is {canonical}" if canonical else ""
            yield Hit(f"tel: link dials {raw!r}, which is not a phone number{also}.",
                      target=link.target, url=page.url, line=link.line,
                      evidence={"href": link.target, "text": link.text, "context": link.context,
                                "canonical": canonical})
