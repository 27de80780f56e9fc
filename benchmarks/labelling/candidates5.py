"""Candidates for five more rules, for hand judgement (stdlib only; shares nothing with siteproof).

    python benchmarks/labelling/candidates5.py CORPUS_DIR [SITE ...] > candidates5.jsonl

Reads the site list and the hand decisions already made (not_pages, stubs, error_pages, articles,
canonical_url, phone) from tests/fixtures/realsites/labels.toml and prints one JSON line per candidate:

- url_mismatch: an absolute URL in an href/src/action, or an address written in the visible text, whose
  host is the canonical host or its www/apex twin but whose scheme or host differs from canonical_url;
- broken_fragment: an <a href> with a fragment whose target file is in the folder and has no element
  with that id (or <a name>); the fragment, the target and the link's attributes are printed;
- duplicate_meta_description: pages (not noindex, not stubs/404s/non-pages) sharing a meta description,
  case and spaces ignored, a copy whose canonical link names another page counting as that page;
- unlinked_source: a paragraph or list item of an article with a citation cue (a named body, a journal,
  "according to", "study", "research"...) and whether the paragraph holds a link;
- phone_format: the configured number written in the visible text in a form other than the configured one.

The judgements (which candidates are real problems) are made by reading them; labels.toml says why.
"""
import json
import os
import posixpath
import re
import sys
import tomllib
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

LABELS = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "realsites" / "labels.toml"
BLOCK = {"p", "div", "li", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "br", "section", "article", "header",
         "footer", "nav", "ul", "ol", "table", "tr", "blockquote", "dd", "dt", "figcaption", "aside", "main", "form",
         "address", "hr", "span_block"}
PARA = {"p", "li", "blockquote", "td", "dd", "figcaption"}
SKIP = {"script", "style", "noscript", "template", "svg"}
URL_ATTRS = {"href", "src", "action", "data-src", "poster"}
TEXT_URL = re.compile(r"(?i)\b(?:https?://[^\s<>\"']+|www\.[^\s<>\"']+|[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.(?:com|org|net|pt|de|in|ca|us|info|biz|co)\b(?:/[^\s<>\"']*)?)")
CUE = re.compile(r"(?i)\b(according to|stud(?:y|ies)|research(?:ers)?|survey|journal|published|report(?:s|ed)?|"
                 r"statistic|percent|%|estimate|found that|shows? that|suggests? that|CDC|FDA|NIH|NIMH|WHO\b|"
                 r"World Health|Mayo|Harvard|Hopkins|Cleveland Clinic|WebMD|Healthline|American [A-Z]\w+ "
                 r"(?:Association|Academy|College|Society|Institute)|National Institute|Institute of|University|"
                 r"Department of|ADA\b|AAP\b|APA\b|Lancet|JAMA|NEJM|PubMed|Medicine\b|Association\b|Academy\b)")
PHONE = re.compile(r"(?<![\w+])(?:\+\s?\d{1,3}[\s.-]?)?(?:\(\+?\d{1,4}\)[\s.-]?)?\(?\d{2,5}\)?(?:[\s.-]?\d{2,5}){1,4}(?![\w])")


def digits(s: str) -> str:
    return re.sub(r"\D", "", s)


class Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.skip = 0
        self.ids: set[str] = set()
        self.urls: list[tuple[str, str, str]] = []  # (tag, attr, value)
        self.anchors: list[dict] = []
        self.text: list[str] = []
        self.desc = None
        self.noindex = False
        self.canon = None
        self.paras: list[dict] = []
        self.open_para: list[dict] = []

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "a" and "name" in a:
            self.ids.add(a["name"])
        if tag in SKIP:
            self.skip += 1
        if tag == "meta":
            name = a.get("name", "").lower()
            if name == "description" and self.desc is None:
                self.desc = a.get("content", "")
            if name == "robots" and "noindex" in a.get("content", "").lower():
                self.noindex = True
        if tag == "link" and "canonical" in a.get("rel", "").lower().split():
            self.canon = a.get("href")
        for attr in URL_ATTRS & set(a):
            if a[attr]:
                self.urls.append((tag, attr, a[attr]))
        if tag == "a" and "href" in a:
            self.anchors.append(dict(a))
            for p in self.open_para:
                p["links"].append(a["href"])
        if tag in BLOCK:
            self.text.append("\n")
        if tag in PARA and not self.skip:
            self.open_para.append({"tag": tag, "text": [], "links": []})

    def handle_endtag(self, tag):
        if tag in SKIP and self.skip:
            self.skip -= 1
        if tag in BLOCK:
            self.text.append("\n")
        if tag in PARA and self.open_para and self.open_para[-1]["tag"] == tag:
            p = self.open_para.pop()
            p["text"] = " ".join("".join(p["text"]).split())
            self.paras.append(p)

    def handle_data(self, data):
        if self.skip:
            return
        self.text.append(data)
        for p in self.open_para:
            p["text"].append(data)


def parse(path: Path) -> Page:
    p = Page()
    p.feed(path.read_bytes().decode("utf-8", "replace"))
    p.close()
    return p


def identity(rel: str, canon) -> str:
    """The page a copy stands for (as make_labels.py does for duplicate titles)."""
    canon = (canon or "").split("#", 1)[0]  # corrected after the first run: "#" named the page itself
    if canon:
        path = re.sub(r"^[a-z]+://[^/]+", "", canon)
        if not path.startswith("/"):
            path = posixpath.normpath(posixpath.join(posixpath.dirname("/" + rel), path))
        return re.sub(r"(index\.html?)$", "", path).rstrip("/") or "/"
    return ("/" + re.sub(r"(index\.html?)$", "", rel)).rstrip("/") or "/"


def target_file(rel: str, path: str, files: set[str]):
    tgt = urljoin("/" + rel, unquote(path)).lstrip("/")
    for c in (tgt, tgt + "index.html", tgt + "/index.html", tgt + "index.htm", tgt.rstrip("/") + "/index.htm"):
        if c in files:
            return c
    return None


def site_candidates(root: Path, site: dict):
    quiet = set(site.get("not_pages", [])) | set(site.get("stubs", [])) | set(site.get("error_pages", []))
    articles = set(site.get("articles", []))
    files = {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}
    html = sorted(f for f in files if f.lower().endswith((".html", ".htm")) and f not in quiet)
    pages = {rel: parse(root / rel) for rel in html}
    canon = urlsplit(site["canonical_url"]) if site.get("canonical_url") else None
    hosts = set()
    if canon:
        h = canon.hostname
        hosts = {h, h[4:] if h.startswith("www.") else "www." + h}
    phone = site.get("phone", "")
    want = " ".join(phone.split())
    pdig = digits(phone)
    for rel, p in pages.items():
        text = "".join(p.text)
        # url_mismatch
        if canon:
            for tag, attr, url in p.urls:
                s = urlsplit(url.strip())
                host = (s.hostname or "")
                if s.scheme in ("http", "https", "") and url.strip().startswith(("http", "//")) and host in hosts \
                        and (host != canon.hostname or (s.scheme and s.scheme != canon.scheme)):
                    yield dict(rule="url_mismatch", file=rel, where=f"{tag}[{attr}]", url=url)
            for m in TEXT_URL.finditer(text):
                t = m.group(0).rstrip(".,;:)")
                s = urlsplit(t if "://" in t else "http://" + t)
                if (s.hostname or "").lower() in hosts:
                    ctx = " ".join(text[max(0, m.start() - 60):m.end() + 30].split())
                    yield dict(rule="url_mismatch", file=rel, where="text", url=t, context=ctx)
        # broken_fragment
        for a in p.anchors:
            href = a["href"].strip()
            if "#" not in href:
                continue
            path, frag = href.split("#", 1)
            s = urlsplit(path)
            if s.scheme or path.startswith("//"):
                if not (canon and (s.hostname or "") in hosts):
                    continue
                path = s.path or "/"
            tgt = rel if path == "" else target_file(rel, path, files)
            if tgt is None or tgt in quiet or not tgt.lower().endswith((".html", ".htm")):
                continue
            ids = pages[tgt].ids if tgt in pages else parse(root / tgt).ids
            if unquote(frag) in ids or frag in ids:
                continue
            yield dict(rule="broken_fragment", file=rel, href=href, target=tgt,
                       attrs={k: v[:60] for k, v in a.items() if k != "href"})
        # phone_format
        if pdig:
            for line in text.split("\n"):
                for m in PHONE.finditer(line):
                    raw = " ".join(m.group(0).split())
                    d = digits(raw)
                    if len(d) < 7 or not (pdig.endswith(d) and len(d) >= len(pdig) - 3 or d.endswith(pdig)):
                        continue
                    if raw != want:
                        yield dict(rule="phone_format", file=rel, written=raw, want=want,
                                   context=" ".join(line.split())[:120])
        # unlinked_source
        if rel in articles:
            for para in p.paras:
                if para["tag"] == "li" and len(para["text"]) < 20:
                    continue
                if CUE.search(para["text"]):
                    yield dict(rule="unlinked_source", file=rel, links=para["links"][:3], text=para["text"])
    # duplicate_meta_description
    groups: dict[str, dict[str, list[str]]] = {}
    for rel, p in pages.items():
        d = " ".join((p.desc or "").lower().split())
        if d and not p.noindex:
            groups.setdefault(d, {}).setdefault(identity(rel, p.canon), []).append(rel)
    for d, by_page in groups.items():
        if len(by_page) > 1:
            for ident, fs in by_page.items():
                pick = next((f for f in fs if identity(f, None) == ident), fs[0])
                yield dict(rule="duplicate_meta_description", file=pick, group=len(by_page), desc=d[:100])


def main(argv):
    corpus = Path(argv[0])
    sites = {s["name"]: s for s in tomllib.loads(LABELS.read_text(encoding="utf-8"))["site"]}
    for name in argv[1:] or sites:
        if (corpus / name).is_dir():
            for c in site_candidates(corpus / name, sites[name]):
                print(json.dumps({"site": name, **c}, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1:])
