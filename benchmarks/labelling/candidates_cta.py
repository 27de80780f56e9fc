"""What a visitor can act on around each labelled article, for hand judgement (stdlib only; no siteproof code).

    python benchmarks/labelling/candidates_cta.py CORPUS_DIR [SITE ...] > candidates_cta.txt

For every page in a site's `articles` list (tests/fixtures/realsites/labels.toml) prints, in document order,
each link, button, form, iframe and embed script with its text and target, each run of visible text holding a
phone-like number, and each heading, every one prefixed with the chain of landmark containers it sits in
(header, nav, main, article, aside, footer, and divs/sections whose id or class names a content, post, entry,
sidebar, widget, footer or header region). The missing_cta and phone_not_clickable judgements are made by
reading this and the pages themselves (judge_cta.py records them with reasons).
"""
import re
import sys
import tomllib
from html.parser import HTMLParser
from pathlib import Path

LABELS = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "realsites" / "labels.toml"
SKIP = {"script", "style", "noscript", "template", "svg"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
LANDMARK = {"header", "nav", "main", "article", "aside", "footer", "form"}
REGION = re.compile(r"(?i)content|post|entry|article|sidebar|widget|footer|header|comment|related|cta|"
                    r"appointment|contact|book|call|et_pb_text|elementor-widget-text|menu|nav")
PHONE = re.compile(r"(?<![\w+])(?:\+\s?\d{1,3}[\s.-]?)?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}(?!\d)"
                   r"|\+\d{2,3}(?:[\s.-]?\d{2,5}){2,4}")


class Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str]] = []  # (tag, label or "")
        self.skip = 0
        self.events: list[str] = []
        self.open_action: list | None = None  # [kind, attrs, text parts, where]
        self.text: list[str] = []
        self.heading: list | None = None

    def where(self) -> str:
        return "/".join(label for _, label in self.stack if label) or "-"

    def flush(self):
        t = " ".join(" ".join(self.text).split())
        self.text = []
        if t and PHONE.search(t):
            self.events.append(f"  TEXT  [{self.where()}] {t[:300]}")

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag in SKIP and tag not in VOID:
            if tag == "script" and a.get("src"):
                self.events.append(f"  EMBED [{self.where()}] script {a['src'][:120]}")
            self.skip += 1
        if self.skip:
            if tag not in VOID:
                self.stack.append((tag, ""))
            return
        if tag in ("p", "div", "li", "td", "h1", "h2", "h3", "h4", "h5", "h6", "br", "section", "article"):
            self.flush()
        label = ""
        ident = (a.get("id", "") + " " + a.get("class", "")).strip()
        if tag in LANDMARK:
            label = tag + (f"({ident[:50]})" if ident else "")
        elif tag in ("div", "section", "span") and REGION.search(ident):
            label = f"{tag}({ident[:50]})"
        if tag == "a":
            self.open_action = ["LINK", a.get("href", ""), [], self.where()]
        elif tag == "button":
            self.open_action = ["BUTTON", a.get("type", ""), [], self.where()]
        elif tag == "form":
            self.events.append(f"  FORM  [{self.where()}] action={a.get('action', '')[:100]}")
        elif tag == "input" and a.get("type", "").lower() in ("submit", "button"):
            self.events.append(f"  SUBMIT [{self.where()}] {a.get('value', '')}")
        elif tag == "iframe":
            self.events.append(f"  IFRAME [{self.where()}] {(a.get('src') or a.get('data-src', ''))[:120]}")
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self.heading = [tag, []]
        if tag not in VOID:
            self.stack.append((tag, label))

    def handle_endtag(self, tag):
        if not any(t == tag for t, _ in self.stack):
            return
        if not self.skip and tag in ("p", "div", "li", "td", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article"):
            self.flush()
        while self.stack:
            t, label = self.stack.pop()
            if t in SKIP:
                self.skip -= 1
            if label and t in ("article", "main", "footer", "aside"):
                self.events.append(f"  END {label}")
            if t == tag:
                break
        if tag == "a" and self.open_action:
            kind, href, parts, where = self.open_action
            self.events.append(f"  {kind}  [{where}] {' '.join(' '.join(parts).split())[:80]!r} -> {href[:120]}")
            self.open_action = None
        elif tag == "button" and self.open_action:
            kind, typ, parts, where = self.open_action
            self.events.append(f"  {kind} [{where}] {' '.join(' '.join(parts).split())[:80]!r} type={typ}")
            self.open_action = None
        elif self.heading and tag == self.heading[0]:
            self.events.append(f"  {tag.upper()} [{self.where()}] {' '.join(' '.join(self.heading[1]).split())[:100]}")
            self.heading = None

    def handle_data(self, data):
        if self.skip:
            return
        self.text.append(data)
        if self.open_action:
            self.open_action[2].append(data)
        if self.heading:
            self.heading[1].append(data)


def main(argv):
    corpus = Path(argv[0])
    sites = tomllib.loads(LABELS.read_text(encoding="utf-8"))["site"]
    for site in sites:
        if argv[1:] and site["name"] not in argv[1:]:
            continue
        for rel in site.get("articles", []):
            page = Page()
            page.feed((corpus / site["name"] / rel).read_text(encoding="utf-8", errors="replace"))
            page.close()
            page.flush()
            print(f"=== {site['name']} {rel}")
            print("\n".join(page.events))


if __name__ == "__main__":
    main(sys.argv[1:])
