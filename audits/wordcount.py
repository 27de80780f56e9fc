"""Counting words as a reader of the page's language would, in any script.

A word is a run of letters, digits and combining marks, with apostrophes and hyphens inside
("don't", "well-known", "naïve", "Ärzte", "русский", "서버를", "हिन्दी"). Korean, like the
alphabetic scripts, separates its words with spaces, so a space-separated eojeol is one word,
as Korean word processors count it.

Chinese and Japanese are written without spaces: there is no word boundary to count, only
characters. Each Han, hiragana or katakana character counts as half a word, rounded up: the
word thresholds (an article has 150 words, thin content is under 300) were set on English, and
two characters per English word is the scale WordPress's own Japanese translation uses for its
word limits (an excerpt of 55 words becomes 110 characters). Thai, Lao, Khmer and Burmese also
run words together and are not split here: their counts are low, which keeps the length rules
quiet rather than wrong.

Pure ASCII text takes the original pattern (a letter or digit, then letters, digits,
apostrophes and hyphens), so English counts are exactly what they were.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Collection

ASCII_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’-]*")

# Han (with extensions and compatibility forms), hiragana, katakana and its half-width forms.
_CJK_RANGES = "\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f\U00020000-\U0003134f"
_CJK = re.compile(f"[{_CJK_RANGES}]")
# Letters and digits of every script but CJK, and not the underscore (code, not prose).
_LETTER = rf"[^\W_{_CJK_RANGES}]"
# Letters of the Latin alphabet, accented ones included (Latin-1 Supplement to Latin Extended-B).
_LATIN = re.compile(r"[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f]")
_ANY_LETTER = re.compile(r"[^\W\d_]")


@lru_cache(maxsize=1)
def _word() -> re.Pattern:
    """The any-script word pattern; built on first non-ASCII text (finding the marks takes ~60 ms)."""
    marks = [c for c in range(0x300, 0x20000) if unicodedata.category(chr(c)).startswith("M")]
    ranges, start = [], None
    for i, c in enumerate(marks):
        if start is None:
            start = c
        if i + 1 == len(marks) or marks[i + 1] != c + 1:
            ranges.append(f"{re.escape(chr(start))}-{re.escape(chr(c))}" if c > start else re.escape(chr(c)))
            start = None
    part = f"(?:{_LETTER}|[{''.join(ranges)}])"
    return re.compile(rf"{part}+(?:['’-]+{part}*)*")


# Typographic punctuation, spaces and emoji, which neither pattern counts as part of a word, and
# the curly apostrophe, which both count inside one. Text whose only non-ASCII characters are
# these (most English pages: ’ “ ” – … ©) has the ASCII words: the any-script pattern and its
# letter tests cost several times more (tests/test_wordcount.py checks both agree on these).
PLAIN_EXTRAS = ("\u00a0\u00a9\u00ab\u00ae\u00b0\u00b7\u00bb\u2002\u2003\u2009\u200a\u200b\u2013\u2014"
                "\u2018\u2019\u201c\u201d\u2022\u2026\u2032\u2033\u202f\u2122\U0001f300-\U0001faff")
_NOT_PLAIN = re.compile(f"[^\x00-\x7f{PLAIN_EXTRAS}]")


def _plain(text: str) -> bool:
    return text.isascii() or _NOT_PLAIN.search(text) is None


def words(text: str) -> int:
    """The number of words in ``text``, counted as described above."""
    if _plain(text):
        return len(ASCII_WORD.findall(text))
    return len(_word().findall(text)) + (len(_CJK.findall(text)) + 1) // 2


def latin_share(text: str) -> float:
    """The share of the text's letters that are Latin (accented ones included); 1.0 with no letters."""
    if _plain(text):  # its letters, if any, are ASCII
        return 1.0
    letters = len(_ANY_LETTER.findall(text))
    return len(_LATIN.findall(text)) / letters if letters else 1.0


def tally(text: str) -> tuple[int, int]:
    """``text``'s words outside CJK and its CJK characters: ``words()`` before the rounding.

    Tallies add up over texts joined by spaces (``words_of``): no word spans a space, and on
    plain text the ASCII pattern finds the words the any-script one would.
    """
    if _plain(text):
        return len(ASCII_WORD.findall(text)), 0
    return len(_word().findall(text)), len(_CJK.findall(text))


def words_of(tallies: Collection[tuple[int, int]]) -> int:
    """``words()`` of texts joined by spaces or blank lines, from each text's ``tally``."""
    if not tallies:
        return 0
    found, cjk = map(sum, zip(*tallies))
    return found + (cjk + 1) // 2
