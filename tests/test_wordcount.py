"""Words are counted as a reader counts them in any script; English counts are unchanged."""
from __future__ import annotations

from audits.extract import extract_page
from audits.wordcount import ASCII_WORD, latin_share, words

# letmecompile.com, "클라우드플레어(Cloudflare) 동작 원리" (yjiq150/letmecompile.com @4e509b9,
# content/posts/2018-04-30-how-cloudflare-works.md): 24 space-separated words, two of them
# joined by a slash ("정적/동적", "장/단점들이"), which count as two, as "and/or" does in English.
KOREAN = ("하지만 특이하게도 클라우드플레어가 설정된 경우 사이트로 향하는 모든 traffic이 정적/동적 컨텐츠와 "
          "무관하게 클라우드플레어 서버를 일단 한번 거치도록 되어있다. 이로 인해서 다음과같은 다양한 장/단점들이 생겨난다.")
# elaesthetics-bremen.de, botulinumtoxin/hyperhidrose/ (corpus site elaesthetics): 22 words, four
# of which the ASCII-only counter split at their umlauts ("übermäßiges" was "berm" + "iges").
GERMAN = ("Unter Hyperhidrose versteht man übermäßiges Schwitzen, das nicht allein durch Hitze oder Sport "
          "erklärbar ist. Häufig betroffen sind die Achseln (axilläre Hyperhidrose).")
ENGLISH = "The patient’s “new” plan — don’t wait; call (555) 010-0100 for a 30-minute consult… it’s well-known."


def test_korean_and_accented_latin_count_like_a_reader():
    assert words(KOREAN) == 26
    assert len(ASCII_WORD.findall(KOREAN)) == 1  # the old count: only "traffic"
    assert words(GERMAN) == len(GERMAN.split()) == 22
    assert len(ASCII_WORD.findall(GERMAN)) == 26
    assert words("русский язык, Ελληνικά, العربية, हिन्दी") == 5  # Devanagari vowel signs do not split a word


def test_chinese_and_japanese_count_two_characters_a_word():
    assert words("東京タワーへ行く") == 4
    assert words("我们的诊所") == 3  # five characters, rounded up
    assert words("Python 3で書く") == 2 + 2


def test_english_counts_are_unchanged():
    assert words(ENGLISH) == len(ASCII_WORD.findall(ENGLISH)) == 15
    assert words("foo_bar rock--roll students' U.S.") == 6


def test_a_korean_post_is_an_article_and_not_scored_with_english_formulas():
    html = ("<html><head><title>클라우드플레어 동작 원리</title></head><body><article><h1>클라우드플레어 동작 원리</h1>"
            + f"<p>{KOREAN}</p>" * 7 + "</article></body></html>")
    page = extract_page("https://www.letmecompile.com/how-cloudflare-works/", html.encode(),
                        headers={"Content-Type": "text/html; charset=utf-8"})
    assert latin_share(KOREAN) < 0.1
    assert page.word_count == 7 * 26 and page.is_article
    assert page.readability is None


def test_typographic_english_takes_the_ascii_count_with_the_same_result():
    # The fast path (ASCII words for text whose other characters are punctuation, spaces and emoji)
    # must count exactly what the any-script pattern counts, for every character it lets through.
    import re
    import unicodedata

    from audits.wordcount import _CJK, _NOT_PLAIN, _word

    def any_script(text: str) -> int:
        return len(_word().findall(text)) + (len(_CJK.findall(text)) + 1) // 2

    extras = [chr(c) for c in range(0x80, 0x20000) if not _NOT_PLAIN.match(chr(c))]
    assert "’" in extras and "“" in extras and "é" not in extras and "\u0301" not in extras
    for c in extras:
        assert c == "’" or not (re.match(r"\w", c) or unicodedata.category(c).startswith("M") or _CJK.match(c)), c
        text = f"don{c}t a{c}b {c}ok{c} 9{c}"
        assert words(text) == any_script(text), repr(c)
        assert latin_share(text) == 1.0
    typographic = "It’s “fine” — we’re open 9–5… © 2011 · «Dr. O’Neil» 🙂 ‘ok’ well‘known"
    assert words(typographic) == any_script(typographic) == 12
    assert words(typographic + " café") == any_script(typographic + " café")  # not plain: any-script path


def test_counts_of_parts_add_up_to_the_count_of_the_whole():
    """Extraction counts each block once and adds the tallies up for the body and the page."""
    import itertools

    from audits.wordcount import PLAIN_EXTRAS, _word, tally, words_of

    # On plain text the ASCII pattern must find exactly the any-script pattern's words.
    chars = ["a", "Z", "7", "_", "'", "’", "-", " ", *PLAIN_EXTRAS.replace("\U0001f300-\U0001faff", ""), "\U0001f600"]
    for text in ("".join(p) for n in range(1, 4) for p in itertools.product(chars, repeat=n)):
        assert len(ASCII_WORD.findall(text)) == len(_word().findall(text)), repr(text)
    for parts in ([ENGLISH, "one two", "foo_bar rock--roll"], [ENGLISH, GERMAN], [KOREAN, "東京タワーへ行く"],
                  ["東京", "タワー"], ["我们的诊所"] * 3, ["naïve", "東"], [ENGLISH, "東京"], [], [""]):
        for sep in (" ", "\n\n"):
            assert words_of([tally(p) for p in parts]) == words(sep.join(parts)), parts
        assert [words_of([tally(p)]) for p in parts] == [words(p) for p in parts]
