"""Real related-post blocks for scoring irrelevant-related-post (docs/accuracy.md, "Related posts").

letmecompile.com: a Korean/English developer blog that ran WordPress with Contextual Related
Posts, exported to Hugo with each post's rendered CRP block kept in its front matter
(``crp_related_posts``) together with its categories and tags. Repository
yjiq150/letmecompile.com, commit 4e509b9 (fetch it and pass ``content/posts``).

Each post becomes the page WordPress served: the post in an ``<article>`` with its category and
tag links (``rel="category tag"``), the body's paragraphs, and the CRP block exactly as stored,
after the content. The block markup is the plugin's own; the page shell around it is ours.

ka.lpe.sh: Kalpesh Mehta's English Magento developer blog, WordPress with Contextual Related
Posts, exported the same way (``permalink`` in the front matter, "/index.php" in front of the
address the CRP links use). Repository kalpmehta/site, commit f23bcb2 (the last one that keeps
the blocks; pass ``content/blog``). The site is told apart by the address its CRP links use.

nextsteptherapy.ca: a Toronto psychotherapy practice's hand-built static site (Netlify) whose posts end in
the site's own "Related Articles" blocks, no plugin. Repository jhcynamon1/NextStepTherapySite-v2, commit
02b2123 (pass the whole checkout). Checked as a user would, ``siteproof check DIR`` with the site's address
as ``canonical_url``: the pages are the site's own files, the blocks as they were published. Its labels
list every block read from the source with exactly its links (recognition) and label all 47 related links.
"""
from __future__ import annotations

import random
import re
import sys
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Optional
from urllib.parse import quote

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "related"


@dataclass(frozen=True)
class CorpusSite:
    name: str
    origin: str
    title: str  # the site name WordPress put after the post's title
    labels: Path


SITES = (CorpusSite("letmecompile", "https://www.letmecompile.com", "Let me compile", FIXTURES / "letmecompile_labels.toml"),
         CorpusSite("ka.lpe.sh", "http://ka.lpe.sh", "Kalpesh Mehta", FIXTURES / "kalpesh_labels.toml"))
# Built sites, checked from their own files (told apart by their address in index.html).
STATIC_SITES = (CorpusSite("nextsteptherapy.ca", "https://nextsteptherapy.ca", "", FIXTURES / "nextstep_labels.toml"),)
_FRONT = re.compile(r"\A---\n(.*?)\n---\n(.*)\Z", re.S)
_MD = re.compile(r"[#*`>_\[\]]|\{\{<[^>]*>\}\}|\(https?://[^)]*\)|<[^>]+>")


def wp_path(path: str) -> str:
    """WordPress's form of a permalink path: UTF-8 percent-escapes in lower case."""
    return re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), quote(path, safe="/-_.~"))


def posts(folder: Path) -> list[dict]:
    import yaml

    site = site_of(folder)
    out = []
    for file in sorted(folder.rglob("*.md")):
        m = _FRONT.match(file.read_text(encoding="utf-8"))
        if not m:
            continue
        meta = yaml.safe_load(m.group(1)) or {}
        block = (meta.get("crp_related_posts") or [""])[0]
        path = meta.get("url") or re.sub(r"^/index\.php/", "/", str(meta.get("permalink") or ""))
        if not path or "crp_related" not in block:
            continue
        out.append({"url": site.origin + wp_path(path), "title": str(meta.get("title", "")), "block": block,
                    "categories": [str(c) for c in meta.get("categories") or []],
                    "tags": [str(t) for t in meta.get("tags") or []], "body": m.group(2)})
    return out


def static_site(folder: Path) -> CorpusSite | None:
    """The built corpus site whose address the folder's home page names, if it is one."""
    home = folder / "index.html"
    text = home.read_text(encoding="utf-8", errors="replace") if home.is_file() else ""
    return next((s for s in STATIC_SITES if s.origin in text), None)


def site_of(folder: Path) -> CorpusSite:
    """The corpus site whose address the first related-post block links to."""
    for file in sorted(folder.rglob("*.md")):
        text = file.read_text(encoding="utf-8")
        if "crp_related" in text:
            return next(s for s in SITES if f'href="{s.origin}/' in text)
    raise SystemExit(f"{folder}: no Contextual Related Posts block in any post")


def page_html(post: dict, site: CorpusSite) -> str:
    paras = [" ".join(_MD.sub(" ", p).split()) for p in post["body"].split("\n\n")]
    body = "\n".join(f"<p>{escape(p)}</p>" for p in paras if p)
    origin = site.origin
    terms = " ".join(f'<a href="{origin}/category/{quote(c)}/" rel="category tag">{escape(c)}</a>'
                     for c in post["categories"])
    tags = " ".join(f'<a href="{origin}/tag/{quote(t)}/" rel="tag">{escape(t)}</a>' for t in post["tags"])
    return (f"<!doctype html><html><head><title>{escape(post['title'])} | {site.title}</title>"
            f'<meta property="og:type" content="article"></head><body class="single single-post">'
            f'<nav class="main-navigation"><a href="{origin}/">Home</a> <a href="{origin}/archives/">Archives</a></nav>'
            f'<main><article class="post type-post"><h1 class="entry-title">{escape(post["title"])}</h1>'
            f'<div class="entry-meta">{terms}</div><div class="entry-content">{body}{post["block"]}</div>'
            f'<footer class="entry-footer">{tags}</footer></article></main></body></html>')


def block_links(post: dict) -> list[str]:
    return re.findall(r'href="([^"]+)"', post["block"])


def pages(folder: Path):
    from audits.extract import extract_page

    site = site_of(folder)
    return [extract_page(p["url"], page_html(p, site).encode("utf-8"), headers={"Content-Type": "text/html; charset=utf-8"})
            for p in posts(folder)]


def sample_pairs(folder: Path, n: int = 60, seed: int = 10) -> list[tuple[str, str, str, str]]:
    """A seeded sample of (source URL, target URL, source title, target title) to label by hand."""
    ps = posts(folder)
    titles = {p["url"]: p["title"] for p in ps}
    pairs = [(p["url"], t) for p in ps for t in block_links(p)]
    rng = random.Random(seed)
    return [(s, t, titles.get(s, "?"), titles.get(t, "?")) for s, t in rng.sample(pairs, min(n, len(pairs)))]


def score(folder: Path, related: Optional[dict] = None) -> dict:
    """Recognition recall of the CRP blocks, and irrelevant-related-post against the labelled pairs."""
    import dataclasses
    import tomllib

    from audits import registry
    from audits.config import from_dict
    from audits.engine import run_rules
    from audits.site import Site

    site = site_of(folder)
    built = pages(folder)
    truth = {p["url"]: set(block_links(p)) for p in posts(folder)}
    recognised = sum(1 for page in built if set(page.related_posts) == truth[page.url])
    config = from_dict({"site": {"start_urls": [site.origin + "/"]}, "audits": {"related": related or {}}})
    config = dataclasses.replace(config, rules={r: "off" for r in registry.load() if r != "irrelevant-related-post"})
    found = [f for f in run_rules(Site.build(built, (), config)) if f.rule == "irrelevant-related-post"]
    flagged = {(f.url, f.target) for f in found}
    labels = {(p["source"], p["target"]): p["label"]
              for p in tomllib.loads(site.labels.read_text(encoding="utf-8"))["pair"]}
    off = {k for k, v in labels.items() if v == "off"}
    on = {k for k, v in labels.items() if v == "on"}
    tp, fp = len(flagged & off), len(flagged & on)
    return {"site": site.name, "pages": len(built), "blocks": len(truth), "recognised": recognised, "findings": len(found),
            "labelled": len(labels), "tp": tp, "fp": fp, "fn": len(off - flagged),
            "unsure_flagged": len(flagged & {k for k, v in labels.items() if v == "unsure"}),
            "flagged": sorted(flagged)}


def _bare(url: str) -> str:
    """A built site's page address as siteproof reports it (``/post.html`` is served as ``/post``)."""
    return url.split("#", 1)[0].removesuffix(".html").removesuffix("/index")


def check_report(folder: Path, origin: str, related: Optional[dict] = None) -> dict:
    """report.json of ``siteproof check folder`` with only the site's address configured (and ``related``:
    settings of ``[audits.related]`` to try)."""
    import json
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        options = "".join(f"{k} = {v!r}\n" for k, v in (related or {}).items())
        (Path(tmp) / "siteproof.toml").write_text(f'[site]\ncanonical_url = "{origin}/"\n'
                                                  + (f"[audits.related]\n{options}" if options else ""), encoding="utf-8")
        done = subprocess.run([sys.executable, "-m", "crawler", "check", str(folder.resolve()), "--config", "siteproof.toml",
                               "--out", tmp, "--format", "json", "--quiet", "--no-history"],
                              capture_output=True, text=True, cwd=tmp,
                              env={**__import__("os").environ, "PYTHONPATH": str(FIXTURES.parents[2])})
        out = Path(tmp) / "report.json"
        if not out.exists():
            raise SystemExit(f"siteproof check {folder} wrote no report: {done.stderr.strip()[-500:]}")
        return json.loads(out.read_text(encoding="utf-8"))


def score_static(folder: Path, site: CorpusSite, related: Optional[dict] = None) -> dict:
    """Recognition of the labelled blocks on the built site, and irrelevant-related-post on its labelled links."""
    import tomllib

    report = check_report(folder, site.origin, related)
    labels = tomllib.loads(site.labels.read_text(encoding="utf-8"))
    shown = {_bare(p["url"]): {_bare(u) for u in p.get("related_posts") or ()} for p in report["pages"]}
    truth = {_bare(b["page"]): {_bare(u) for u in b["links"]} for b in labels["block"]}
    recognised = sum(1 for page, links in truth.items() if shown.get(page) == links)
    found = [f for f in report["findings"] if f["rule"] == "irrelevant-related-post"]
    flagged = {(_bare(f["url"]), _bare(f["target"])) for f in found}
    pairs = {(_bare(p["source"]), _bare(p["target"])): p["label"] for p in labels["pair"]}
    kind = lambda label: {k for k, v in pairs.items() if v == label}  # noqa: E731
    return {"site": site.name, "pages": len(report["pages"]), "blocks": len(truth), "recognised": recognised,
            "misread": sorted(p for p, links in truth.items() if shown.get(p) != links),
            "elsewhere": sorted(p for p, links in shown.items() if links and p not in truth),
            "findings": len(found), "labelled": len(pairs), "tp": len(flagged & kind("off")),
            "fp": len(flagged & kind("on")), "fn": len(kind("off") - flagged),
            "unsure_flagged": len(flagged & kind("unsure")), "flagged": sorted(flagged)}


def report(folder: Path) -> None:
    site = static_site(folder)
    s = score_static(folder, site) if site else score(folder)
    p = f"{s['tp'] / (s['tp'] + s['fp']):.2f}" if s["tp"] + s["fp"] else "-"
    r = f"{s['tp'] / (s['tp'] + s['fn']):.2f}" if s["tp"] + s["fn"] else "-"
    print(f"{s['site']}: {s['pages']} {'pages' if site else 'posts'}, {'labelled' if site else 'CRP'} blocks recognised "
          f"with exactly their links {s['recognised']}/{s['blocks']}; {s['findings']} findings; on the {s['labelled']} "
          f"labelled links tp={s['tp']} fp={s['fp']} fn={s['fn']} precision={p} recall={r} "
          f"(unsure flagged: {s['unsure_flagged']})")
    if site:
        print(f"  blocks read otherwise: {s['misread'] or 'none'}; related links recorded on unlabelled pages: "
              f"{s['elsewhere'] or 'none'}")
        for source, target in s["flagged"]:
            print(f"  flagged: {source} -> {target}")


if __name__ == "__main__":
    # python benchmarks/related_corpus.py DIR            score the site
    # python benchmarks/related_corpus.py DIR --sample   print the sampled pairs to label (before scoring)
    ROOT = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(ROOT))
    if "--sample" in sys.argv:
        for _s, _t, ts, tt in sample_pairs(Path(sys.argv[1])):
            print(f"{ts}  ->  {tt}")
    else:
        report(Path(sys.argv[1]))
