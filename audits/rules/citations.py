"""Cited sources in an article body: unlinked-source.

A sentence cites a source when it attributes a claim to a named
organisation or publication: a name from the curated list below together
with an attribution word ("according to", "reports", "a study", "recommends",
"textbooks"), an attribution phrase followed by a proper name ("a study
published in Obesity Reviews", "researchers at Stanford University"), or an
author-year citation ("Xie et al."). People ("according to
Dr. Lee") and the reader's or clinic's own voice ("according to your doctor",
"according to our patients") are not sources. The clinic's own name is taken
from the page title's suffix ("… | OMG Wellness MD") and from
``[audits.citations] ignore``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterator, Optional

from audits.model import Hit, Page
from audits.readability import sentences
from audits.registry import options, page_rule


@options("citations")
@dataclass(frozen=True)
class CitationOptions:  # [audits.citations]
    sources: tuple[str, ...] = ()  # extra source names to recognise, as written ("Fresno County Public Health")
    ignore: tuple[str, ...] = ()  # names never treated as sources (the clinic itself, its own programs)


# Health sources clinic articles commonly cite. Acronyms match only in capitals ("WHO", not "who").
SOURCES = (
    "Harvard Health Publishing", "Harvard Health", "Harvard Medical School", "Mayo Clinic", "Cleveland Clinic",
    "Johns Hopkins Medicine", "Johns Hopkins", "WebMD", "Healthline", "Medical News Today", "Verywell Health",
    "Verywell Mind", "MedlinePlus", "Psychology Today", "Cochrane", "PubMed", "NCBI",
    "CDC", "Centers for Disease Control and Prevention", "Centers for Disease Control",
    "NIH", "National Institutes of Health", "NIMH", "National Institute of Mental Health",
    "National Institute on Drug Abuse", "NIDA", "National Cancer Institute", "SAMHSA", "NAMI",
    "National Alliance on Mental Illness", "National Center for PTSD", "Department of Veterans Affairs",
    "FDA", "Food and Drug Administration", "WHO", "World Health Organization",
    "American Heart Association", "American Diabetes Association", "American Psychiatric Association",
    "American Psychological Association", "American Urological Association", "Endocrine Society",
    "American College of Obstetricians and Gynecologists", "ACOG", "The Menopause Society",
    "North American Menopause Society", "American Academy of Family Physicians", "American Cancer Society",
    "American Society of Ketamine Physicians", "Obesity Society", "American Medical Association",
    "JAMA", "JAMA Psychiatry", "Journal of the American Medical Association", "The Lancet", "Lancet",
    "New England Journal of Medicine", "NEJM", "BMJ", "British Medical Journal",
    "American Journal of Psychiatry", "Nature Medicine",
)

# Words that make a named source an attribution rather than a mention ("trained at Johns Hopkins").
_CUE = re.compile(
    r"\b(?:according to|reports?|reported|stud(?:y|ies)|research(?:ers)?|scientists|published|journal|"
    r"found|finds|recommend(?:s|ed|ations?)?|guidelines?|says|said|states|stated|estimates?|estimated|"
    r"data|survey|per|notes|noted|warns|warned|advises|advised|suggests|suggested|shows|showed|shown|"
    r"review|trial|analysis|statistics|figures|approved|approves|cleared|authorized|"
    # a body's judgement stated as its own: "the ADA and the WHO rate amalgam as safe", "the FDA considers"
    r"considers?|considered|rates?|rated|deems?|deemed|classif(?:y|ies|ied)|endorses?|endorsed|"
    # a body's definition: "The World Health Organization defines burnout as a syndrome …"
    r"defines?|defined|"
    # reference works credited by name: "Modern textbooks (WHO, Deadman's A Manual of Acupuncture) converge on …"
    r"textbooks?|handbooks?)\b",
    re.IGNORECASE,
)

# _CUE's words are lower case: on lower-cased ASCII text a case-sensitive search finds the same
# matches about four times faster than IGNORECASE (the unlinked-source rule reads every sentence).
_CUE_LOWER = re.compile(_CUE.pattern)


def _has_cue(sentence: str) -> bool:
    if sentence.isascii():
        return _CUE_LOWER.search(sentence.lower()) is not None
    return _CUE.search(sentence) is not None


# A proper name: capitalised words, with "of/for/and/on/the/&" allowed between them.
_NAME = r"[A-Z][\w'’&.-]*(?:\s+(?:(?:of|for|and|on|the|in|&)\s+)?[A-Z][\w'’&-]*)*"
_LEAD = r"(?:the\s+|a\s+|an\s+)?"
# Attribution phrases that name whatever proper name follows them.
_PHRASES = tuple(re.compile(p) for p in (
    r"\b[Aa]ccording to\s+" + _LEAD + r"(?P<name>" + _NAME + r")",
    r"\b(?:[Ss]tud(?:y|ies)|[Tt]rials?|[Rr]eview|[Aa]nalysis|[Rr]eport|[Ss]urvey|[Pp]aper)\s+"
    r"(?:published\s+)?(?:in|by|from)\s+" + _LEAD + r"(?:journal\s+)?(?P<name>" + _NAME + r")",
    r"\b[Pp]ublished\s+(?:in|by)\s+" + _LEAD + r"(?:journal\s+)?(?P<name>" + _NAME + r")",
    r"\b(?:[Rr]esearchers|[Ss]cientists|[Ii]nvestigators|[Rr]esearch|[Dd]ata|[Ff]igures|[Ss]tatistics|"
    r"[Gg]uidelines)\s+(?:at|from)\s+" + _LEAD + r"(?P<name>" + _NAME + r")",
    # "Per the NIH, …" opens a sentence; a capital "Per" inside one is a Title Case label ("33 Joints Per Foot").
    r"(?:^Per|\bper)\s+" + _LEAD + r"(?P<name>" + _NAME + r")",
    # An author-year citation names a paper: "A 2019 meta-analysis (Xie et al., PLOS ONE) found …".
    r"(?P<name>[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?\s+et\s+al)\b",
))
# "<Name> reports/recommends …" only counts when the name looks like an institution.
_SUBJECT = re.compile(
    r"(?P<name>" + _NAME + r")\s+(?:(?:all|both|also)\s+)?(?:reports?|reported|recommends?|recommended|found|finds|"
    r"says|said|states|estimates|warns|advises|notes|suggests|considers?|rates?|deems?|classif(?:y|ies)|endorses?|"
    r"defines?)\b"
)
_INSTITUTION = re.compile(
    r"\b(?:University|Institute|Institutes|Clinic|Hospital|Association|Society|College|Foundation|Center|"
    r"Centre|Journal|School|Academy|Administration|Agency|Organization|Department|Council|Board)\b"
)
# Capitalised words that start a name-shaped phrase but are never a source.
_NOT_NAMES = {
    "i", "we", "you", "our", "your", "my", "his", "her", "their", "this", "these", "that", "those", "it",
    "they", "he", "she", "some", "many", "most", "all", "one", "experts", "doctors", "patients", "dr", "dr.",
    "mr", "mr.", "mrs", "mrs.", "ms", "ms.", "prof", "prof.", "professor", "nurse",
}
# A name in a biography ("Dr. Patel, who trained at Johns Hopkins, found…"): where a person worked
# or studied, not the source of the claim.
_BIO = re.compile(r"\b(?:trained|graduated|studied|residency|fellowship|degree|worked|practiced|taught|served|"
                  r"educated|board[- ]certified)\s+(?:\w+\s+){0,2}(?:at|from|with|in|by)\s+(?:the\s+)?$", re.I)
_TITLE_SEPARATORS = re.compile(r"\s+[|–—-]\s+")


@lru_cache(maxsize=64)
def _named(extra: tuple[str, ...]) -> tuple[tuple[str, re.Pattern], ...]:
    """(name, pattern) for the curated and configured sources, longest first."""
    out = []
    for name in sorted(set(SOURCES) | set(extra), key=len, reverse=True):
        flags = 0 if (name.isupper() or " " not in name) else re.IGNORECASE
        out.append((name, re.compile(r"(?<![\w-])" + re.escape(name) + r"(?![\w-])", flags)))
    return tuple(out)


@lru_cache(maxsize=64)
def _any_named(extra: tuple[str, ...]) -> re.Pattern:
    """One case-insensitive alternation of every name: a cheap test before the ordered search."""
    names = sorted(set(SOURCES) | set(extra), key=len, reverse=True)
    return re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(n) for n in names) + r")(?![\w-])", re.IGNORECASE)


def own_names(page: Page, opts: CitationOptions) -> set[str]:
    """The clinic's own names: the title's site-name suffix and the configured ignore list."""
    names = {n.strip().lower() for n in opts.ignore if n.strip()}
    if page.title:
        parts = _TITLE_SEPARATORS.split(page.title)
        if len(parts) > 1:
            names.add(parts[-1].strip().lower())
    return names


# The words every attribution pattern below needs that _CUE lacks: a sentence with neither
# cannot cite, and most sentences are dismissed by these two searches alone.
_OTHER_CUES = re.compile(r"\b(?:[Tt]rials|[Pp]aper|[Ii]nvestigators|et\s+al\b)")


def cited_source(sentence: str, opts: CitationOptions, own: set[str] = frozenset()) -> Optional[str]:
    """The source a sentence attributes a claim to, or None."""
    has_cue = _has_cue(sentence)
    if not has_cue and _OTHER_CUES.search(sentence) is None:
        return None
    if has_cue and _any_named(opts.sources).search(sentence):
        for name, pattern in _named(opts.sources):
            m = pattern.search(sentence)
            if m and not _is_own(name, own) and not _BIO.search(sentence[:m.start()]):
                return name
    for phrase in _PHRASES:
        for m in phrase.finditer(sentence):
            name = _clean(m.group("name"))
            if name and not _is_own(name, own):
                return name
    for m in _SUBJECT.finditer(sentence):
        name = _clean(m.group("name"))
        # Two words at least: a lone "Clinic staff found…" is not an institution's name.
        if name and len(name.split()) > 1 and _INSTITUTION.search(name) and not _is_own(name, own):
            return name
    return None


def _clean(name: str) -> Optional[str]:
    name = name.strip().rstrip(".")
    first = name.split()[0].lower() if name else ""
    if len(name) < 2 or first in _NOT_NAMES:
        return None
    return name


def _is_own(name: str, own: set[str]) -> bool:
    low = name.lower()
    return any(o and (o in low or low in o) for o in own)


@page_rule("unlinked-source", "info", options="citations")
def unlinked_source(page: Page, opts: CitationOptions) -> Iterator[Hit]:
    """The text cites a source ("according to Harvard Health") without linking it.

    **Why it matters.** Health content is judged on its evidence (Google's
    "Your Money or Your Life" quality guidelines). A claim credited to the CDC
    or a journal reads as trustworthy only when the reader can check it, and a
    link to the source is what lets them.

    **Example.** "According to Harvard Health, ketamine can ease depression
    within hours." in a paragraph with no link.

    A link anywhere in the sentence's paragraph counts. A footnote marker
    (`<a href="#ref1">[1]</a>`) counts when the reference entry that names the
    source links to it; a reference list without URLs does not. "The FDA
    approved …" credits a body and needs a link, and an author-year citation
    ("a 2019 meta-analysis (Xie et al., PLOS ONE) found …") names a paper; a
    person's training ("who trained at Johns Hopkins") is not a citation.

    **How to fix.** Link the source's page or the study (DOI or PubMed link)
    in the same paragraph. Add names to recognise with `[audits.citations]
    sources`, and the clinic's own names to `ignore`.
    """
    if not page.is_article:
        return
    own = own_names(page, opts)
    seen: set[tuple[str, str]] = set()
    here = page.url.split("#", 1)[0]
    for para in page.paragraphs:
        footnotes = bool(para.links) and all(link.split("#", 1)[0] == here for link in para.links)
        if para.links and not footnotes:
            continue
        for sentence in sentences(para.text):
            source = cited_source(sentence, opts, own)
            if source is None or (source, sentence) in seen:
                continue
            if footnotes and _referenced(page, para, source):
                continue
            seen.add((source, sentence))
            yield Hit(
                f"Cites {source} without a link: “{_clip(sentence)}”",
                line=para.line,
                evidence={"source": source, "sentence": sentence},
            )


def _referenced(page: Page, cited, source: str) -> bool:
    """A footnote marker ("[1]" linking #ref1) counts as a link when a reference entry naming the
    source elsewhere on the page links somewhere off the page."""
    here = page.url.split("#", 1)[0]
    low = source.lower()
    return any(p is not cited and low in p.text.lower() and any(l.split("#", 1)[0] != here for l in p.links)
               for p in page.paragraphs)


def _clip(sentence: str, limit: int = 120) -> str:
    return sentence if len(sentence) <= limit else sentence[: limit - 1].rstrip() + "…"
