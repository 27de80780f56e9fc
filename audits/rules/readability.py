"""hard-to-read and thin-content: an article's readability and length against the thresholds."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from audits.model import Hit, Page
from audits.registry import options, page_rule


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
    body is scored, never navigation, sidebars, footers or related posts. The
    formulas are English ones: a page whose `<html lang>` names another
    language is not scored.

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
