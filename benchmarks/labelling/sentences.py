"""Is a quoted "sentence" one a reader sees on the page? (stdlib only; shares nothing with siteproof)

    from sentences import page_blocks, real_sentence
    python benchmarks/labelling/sentences.py PAGE.html ["quoted sentence" ...]

Written and committed before hard-to-read's quotes were checked in the cta work (issue 10, cause 5: "the
'hardest sentences' shown must be real sentences"). The criterion, fixed in advance:

- The page's text is cut into blocks as a reader sees them: every block element (paragraph, list item,
  heading, table cell, blockquote, caption, div, section...) and every <br> starts a new one; script, style,
  noscript, template and svg are no text.
- A quote is a real sentence when, spaces and Unicode forms aside, it lies inside one block, starts at the
  block's start or after a sentence end (. ! ? or … , maybe followed by a closing quote or bracket), and ends
  with a sentence end or at the block's end; a sentence does not end or start at an abbreviation's full stop
  ("Dr. Fabozzi" is one sentence).
Anything else (text run together across blocks, a sentence cut in two, a fragment) is not, and says why.
"""
from __future__ import annotations

import re
import sys
import unicodedata
from html.parser import HTMLParser

SKIP = {"script", "style", "noscript", "template", "svg", "head", "title"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
BLOCK = {"address", "article", "aside", "blockquote", "body", "dd", "details", "dialog", "div", "dl", "dt",
         "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
         "hr", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot",
         "th", "thead", "tr", "ul", "br", "option", "select", "textarea", "button", "label"}
END = re.compile(r"[.!?…][\"'”’»)\]]*$")
ABBREV = {"dr", "mr", "mrs", "ms", "st", "jr", "sr", "vs", "e.g", "i.e", "u.s", "no", "fig", "approx", "prof", "inc"}


def norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split())


class _Blocks(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.buf: list[str] = []
        self.skip: list[str] = []

    def flush(self):
        text = norm("".join(self.buf))
        if text:
            self.blocks.append(text)
        self.buf = []

    def handle_starttag(self, tag, attrs):
        if self.skip:
            if tag == self.skip[-1] and tag not in VOID:
                self.skip.append(tag)
            return
        if tag in SKIP:
            self.skip.append(tag)
            return
        if tag in BLOCK:
            self.flush()

    def handle_endtag(self, tag):
        if self.skip:
            if tag == self.skip[-1]:
                self.skip.pop()
            return
        if tag in BLOCK:
            self.flush()

    def handle_data(self, data):
        if not self.skip:
            self.buf.append(data)


def page_blocks(html: str) -> list[str]:
    parser = _Blocks()
    parser.feed(html)
    parser.close()
    parser.flush()
    return parser.blocks


def _abbrev_end(text: str) -> bool:
    words = text.rstrip(".").rsplit(" ", 1)
    return words[-1].lower() in ABBREV if text.endswith(".") else False


def real_sentence(quote: str, blocks: list[str]) -> tuple[bool, str]:
    """(is it a real sentence, why) for one quote against the page's blocks."""
    q = norm(quote)
    if not q:
        return False, "empty"
    reasons = []
    for block in blocks:
        start = block.find(q)
        while start != -1:
            before, after = block[:start].rstrip(), block[start + len(q):]
            starts = not before or (bool(END.search(before)) and not _abbrev_end(before))
            ends = not after.strip() or (bool(END.search(q)) and not _abbrev_end(q)
                                         and (after[:1] in (" ", "") or not after[:1].isalnum()))
            if starts and ends:
                return True, "one sentence of one block"
            reasons.append("starts mid-sentence" if not starts else "stops mid-sentence")
            start = block.find(q, start + 1)
    if reasons:
        return False, reasons[0] + " (inside one block)"
    return False, "not inside any one block (run together across blocks, or not on the page)"


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8", errors="replace") as f:
        found = page_blocks(f.read())
    if len(sys.argv) == 2:
        print("\n".join(found))
    for quote in sys.argv[2:]:
        print(real_sentence(quote, found), quote[:100])
