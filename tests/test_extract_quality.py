"""Main-body quality and speed: our extractor against the expected (data-gold) prose of each theme fixture.

Run as a script to compare with trafilatura and readability-lxml and print the table kept in
docs/extraction.md:   .venv/bin/python tests/test_extract_quality.py
"""
from __future__ import annotations

import sys
import time
import tomllib
from pathlib import Path

import pytest
from lxml import etree

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from audits.extract import extract_page  # noqa: E402
from audits.readability import sentences  # noqa: E402

HTML = Path(__file__).parent / "fixtures" / "html"
EXPECTED = tomllib.loads((HTML / "expected.toml").read_text())
THEMES = [name for name, exp in EXPECTED.items() if "first" in exp]


def _norm(text: str) -> str:
    return " ".join(text.split())


def gold_sentences(html: bytes) -> set[str]:
    root = etree.fromstring(html, etree.HTMLParser())
    return {s for el in root.xpath("//*[@data-gold]") for s in sentences(_norm(el.xpath("string()")))}


def heading_texts(html: bytes) -> set[str]:
    root = etree.fromstring(html, etree.HTMLParser())
    return {_norm(h.xpath("string()")) for h in root.iter("h1", "h2", "h3", "h4", "h5", "h6")}


def score(blocks: list[str], gold: set[str], headings: set[str]) -> tuple[float, float]:
    """Sentence precision and recall; headings are left out on both sides (extractors differ on them)."""
    got = {s for b in blocks if _norm(b) not in headings for s in sentences(_norm(b))}
    hit = len(got & gold)
    return (hit / len(got) if got else 0.0), (hit / len(gold) if gold else 1.0)


def ours(url: str, html: bytes) -> list[str]:
    return [p.text for p in extract_page(url, html).paragraphs]


@pytest.mark.parametrize("name", THEMES)
def test_body_sentences_precision_and_recall(name):
    html = (HTML / f"{name}.html").read_bytes()
    precision, recall = score(ours(EXPECTED[name]["url"], html), gold_sentences(html), heading_texts(html))
    assert precision == 1.0 and recall == 1.0


def typical_page() -> bytes:
    """A ~30 KB WordPress post: the Astra fixture with the inline CSS, longer menu, body and sidebar real ones have."""
    html = (HTML / "astra.html").read_text()
    css = "".join(f".ast-item-{i} {{ margin: 0 {i}px; color: #{i:03x}; display: flex; }}\n" for i in range(250))
    html = html.replace("</head>", f"<style id='astra-inline'>{css}</style></head>")
    menu_item = html[html.index('<li id="menu-item-21"'):html.index('<li id="menu-item-22"')]
    html = html.replace(menu_item, menu_item * 12)
    start, end = html.index('<h2 class="wp-block-heading" id="who-is-it-for">'), html.index('<div class="sharedaddy')
    body = html[start:end]
    html = html[:start] + "".join(body.replace('id="', f'id="{n}-') for n in "abc") + body + html[end:]
    widget = html[html.index('<aside id="recent-posts-2"'):html.index('<aside id="text-3"')]
    html = html.replace(widget, widget * 6)
    return html.encode()


# ----------------------------------------------------------------------------- comparison (script only)

def trafilatura_blocks(url: str, html: bytes) -> list[str]:
    import trafilatura

    text = trafilatura.extract(html.decode("utf-8", "replace"), url=url, include_comments=False,
                               include_tables=True, include_links=False) or ""
    # trafilatura writes list items as "- item"; the marker is not part of the sentence.
    return [line.strip().removeprefix("- ") for line in text.splitlines() if line.strip()]


def readability_blocks(url: str, html: bytes) -> list[str]:
    from readability import Document

    summary = Document(html.decode("utf-8", "replace"), url=url).summary(html_partial=True)
    root = etree.fromstring(summary or "<div></div>", etree.HTMLParser())
    blocks = [_norm(el.xpath("string()")) for el in root.iter("p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "pre")]
    return [b for b in blocks if b]


def hybrid_blocks(url: str, html: bytes) -> list[str]:
    """Our landmarks when the page has an <article>/<main>, trafilatura otherwise."""
    root = etree.fromstring(html, etree.HTMLParser())
    if root.xpath("//article | //main | //*[@role='main']"):
        return ours(url, html)
    return trafilatura_blocks(url, html)


def compare() -> None:
    options = [("siteproof (landmarks + keywords + density)", ours), ("trafilatura 2.3.1", trafilatura_blocks),
               ("readability-lxml 0.9", readability_blocks), ("hybrid: landmarks, else trafilatura", hybrid_blocks)]
    pages = {name: (HTML / f"{name}.html").read_bytes() for name in THEMES}
    print("| fixture | " + " | ".join(label for label, _ in options) + " |")
    print("|---|" + "---|" * len(options))
    totals = {label: [0.0, 0.0, 0.0] for label, _ in options}
    for name, html in pages.items():
        gold, heads = gold_sentences(html), heading_texts(html)
        cells = []
        for label, fn in options:
            url = EXPECTED[name]["url"]
            fn(url, html)  # warm-up
            t = time.perf_counter()
            for _ in range(5):
                blocks = fn(url, html)
            ms = (time.perf_counter() - t) * 1000 / 5
            p, r = score(blocks, gold, heads)
            totals[label][0] += p
            totals[label][1] += r
            totals[label][2] += ms
            cells.append(f"P {p:.2f} / R {r:.2f} / {ms:.1f} ms")
        print(f"| {EXPECTED[name]['theme']} | " + " | ".join(cells) + " |")
    n = len(pages)
    print("| **mean** | " + " | ".join(
        f"**P {t[0] / n:.2f} / R {t[1] / n:.2f} / {t[2] / n:.1f} ms**" for t in totals.values()) + " |")

    page = typical_page()
    print(f"\ntypical page: {len(page) / 1024:.1f} KB")
    for label, fn in [("extract_page (everything)", lambda u, h: extract_page(u, h))] + options[1:3]:
        fn("https://omgwellnessmd.com/blog/x/", page)
        t = time.perf_counter()
        for _ in range(20):
            fn("https://omgwellnessmd.com/blog/x/", page)
        print(f"  {label}: {(time.perf_counter() - t) * 1000 / 20:.1f} ms/page")
    from bs4 import BeautifulSoup
    for label, parse in [("lxml.etree HTMLParser", lambda h: etree.fromstring(h, etree.HTMLParser())),
                         ("bs4 + lxml", lambda h: BeautifulSoup(h, "lxml")),
                         ("bs4 + html.parser", lambda h: BeautifulSoup(h, "html.parser"))]:
        t = time.perf_counter()
        for _ in range(20):
            parse(page)
        print(f"  parse only, {label}: {(time.perf_counter() - t) * 1000 / 20:.1f} ms/page")


if __name__ == "__main__":
    compare()
