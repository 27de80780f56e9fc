"""Generate a synthetic clinic site for the benchmarks.

    python benchmarks/sitegen.py OUT_DIR [--pages 2000] [--external-origin http://127.0.0.2:8001]

Writes two folders: ``OUT_DIR/site`` (the clinic: a home page plus article pages
in a WordPress-like theme, about 30 links and 30 KB of HTML each, a stylesheet, a
few images, robots.txt and sitemap.xml) and ``OUT_DIR/external`` (about 200
small reference pages that the articles cite, to be served by a second
SiteServer on another loopback address). Every link answers 200, unless
``faults=True`` (``--faults``): then two articles also cite references that fail
as real ones do (one hangs for 55 s, one answers 503 with Retry-After: 120, one
is gone) and link to a removed post, and ``external/_routes.toml`` tells
SiteServer how to fail.

The external origin is written literally into the pages (not as a placeholder)
so the same folder works for `siteproof crawl` through SiteServer and for
`siteproof check` on the files. Internal links are root-relative for the same
reason. Output is deterministic for a given seed.
"""
from __future__ import annotations

import argparse
import random
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

NAV_PAGES = 6  # the first posts double as the nav's "section" pages, so nav adds no extra URLs
BODY_LINKS = 8  # internal links in each article body
EXTERNAL_LINKS = (2, 3)  # citations per article, min and max
RELATED = 3
RECENT = 5
PARAGRAPHS = 13  # about 900 words of article: a long but ordinary blog post
IMAGES = 4
PHONE, TEL = "(559) 555-0142", "tel:+15595550142"

# Vocabulary for believable article text; sentence shapes come from TEMPLATES.
SUBJECTS = ["Ketamine therapy", "Hormone therapy", "A weekly GLP-1 shot", "Testosterone treatment", "IV fluid therapy",
            "Good sleep", "Regular exercise", "A protein-rich diet", "Your care team", "A short daily walk",
            "Menopause treatment", "Strength training", "Talk therapy", "A steady routine", "Semaglutide"]
VERBS = ["can help", "may ease", "often improves", "works best with", "can change", "supports", "can lower",
         "helps many people with", "does not replace", "may take weeks to affect"]
OBJECTS = ["low mood", "hot flashes", "poor sleep", "belly fat", "low energy", "blood pressure", "daily stress",
           "muscle loss", "brain fog", "cravings", "joint pain", "your long-term health", "how you feel each day",
           "hunger between meals", "focus at work"]
TAILS = ["for most adults", "in the first few weeks", "when paired with healthy habits", "in Fresno's hot summers",
         "if you take it as planned", "for people over 40", "with regular check-ins", "over time",
         "when other treatments have not worked", "at a low dose"]
TEMPLATES = [
    "{S} {V} {O} {T}.",
    "Many patients find that {s} {V} {O}.",
    "Ask your provider whether {s} {V} {O}.",
    "{S} {V} {O}, but results vary from person to person.",
    "Studies suggest {s} {V} {O} {T}.",
    "If you notice changes in {O}, tell your care team.",
]
# Issue 12's case 2: citations that hang, ask to come back in two minutes, or are gone, and a removed post.
FAULT_ROUTES = """\
# The ways the cited pages fail (benchmarks/sitegen.py --faults).
[[route]]
path = "/ref/slow/"
delay_s = 55.0

[[route]]
path = "/ref/busy/"
status = 503
headers = { Retry-After = "120" }
"""
FAULT_TARGETS = ("{ext}/ref/slow/", "{ext}/ref/busy/", "{ext}/ref/gone/", "/blog/removed-post/")
TOPICS = ["ketamine", "hormones", "weight loss", "men's health", "IV therapy", "sleep", "nutrition", "menopause"]


@dataclass(frozen=True)
class Generated:
    site: Path
    external: Path
    pages: int  # HTML pages in site/
    external_urls: int
    assets: int  # non-HTML files linked from pages (css, images)
    html_bytes: int
    fault_pages: tuple[int, ...] = ()  # articles that carry FAULT_TARGETS

    @property
    def internal_urls(self) -> int:
        return self.pages + self.assets


def post_path(i: int) -> str:
    return "/" if i == 0 else f"/blog/post-{i:05d}/"


def _png(rgb: tuple[int, int, int], w: int = 32, h: int = 18) -> bytes:
    raw = b"".join(b"\x00" + bytes(rgb) * w for _ in range(h))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def _sentence(rng: random.Random) -> str:
    s = rng.choice(SUBJECTS)
    mid = s if s[:2].isupper() else s[0].lower() + s[1:]  # "IV fluid therapy" keeps its capitals
    return rng.choice(TEMPLATES).format(S=s, s=mid, V=rng.choice(VERBS),
                                        O=rng.choice(OBJECTS), T=rng.choice(TAILS))


def _paragraph(rng: random.Random, n: int) -> str:
    return " ".join(_sentence(rng) for _ in range(n))


def _title(rng: random.Random, i: int) -> str:
    topic = rng.choice(TOPICS)
    shape = rng.choice(["What to Know About {t}", "{T}: A Plain Guide", "5 Questions About {t}",
                        "{T} and Your Health", "Is {t} Right for You?", "Myths and Facts About {t}"])
    return shape.format(t=topic, T=topic.capitalize()) + f" (Part {i})"


# What WordPress themes and plugins print in <head>: a large inline style block and settings
# scripts. It is most of a real page's ~30 KB (the article itself is ~6 KB of text) and it
# must be downloaded and parsed like the rest.
_INLINE_CSS = "\n".join(
    f".wp-block-{name}-{k} {{ margin: {k % 4}rem 0; padding: {k % 3}px {k % 5}px; color: #2e7d6e; "
    f"font-size: {14 + k % 6}px; line-height: 1.{k % 9}; }}"
    for k in range(70) for name in ("group", "columns")
)
_INLINE_JS = "var wpSettings = {" + ", ".join(
    f'"opt_{k}": {{"enabled": {str(k % 2 == 0).lower()}, "label": "Setting number {k}", "ver": "3.{k % 10}.1"}}'
    for k in range(70)
) + "};"


def _page(i: int, n: int, rng: random.Random, titles: list[str], ext_origin: str, ext_count: int) -> str:
    title = titles[i]
    nav = "\n".join(f'      <li class="menu-item"><a href="{post_path(k)}">{titles[k].split(" (")[0]}</a></li>'
                    for k in range(1, min(NAV_PAGES + 1, n)))
    # Body links: the next post (so every page is reachable) plus random ones (so the crawl is shallow).
    targets = [(i + 1) % n] + rng.sample(range(n), min(BODY_LINKS - 1, n))
    cites = rng.sample(range(ext_count), rng.randint(*EXTERNAL_LINKS)) if ext_count else []
    paragraphs = []
    for p in range(PARAGRAPHS):
        text = _paragraph(rng, rng.randint(5, 7))
        if p < len(targets):
            k = targets[p]
            text += f' Read more in <a href="{post_path(k)}">{titles[k].split(" (")[0].lower()}</a>.'
        if p < len(cites):
            text += f' See <a href="{ext_origin}/ref/{cites[p]:03d}/">the published study</a>.'
        paragraphs.append(f"        <p>{text}</p>")
        if p % 4 == 3:
            paragraphs.append(f'        <h2 id="section-{p}">{rng.choice(TOPICS).capitalize()} questions</h2>')
    related = "\n".join(f'          <li><a href="{post_path(k)}">{titles[k]}</a></li>'
                        for k in rng.sample(range(1, n), min(RELATED, n - 1)))
    recent = "\n".join(f'        <li><a href="{post_path(k)}">{titles[k]}</a></li>'
                       for k in range(max(1, n - RECENT), n))
    image = f"/wp-content/uploads/photo-{i % IMAGES}.png"
    return f"""<!DOCTYPE html>
<html lang="en-US">
<head>
  <meta charset="UTF-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{title} | Valley Wellness Clinic</title>
  <meta name="description" content="{_sentence(rng)} {_sentence(rng)}">
  <link rel="stylesheet" href="/wp-content/themes/valley/style.css?ver=2.3.1" media="all">
  <link rel="icon" href="/wp-content/uploads/favicon.png">
  <style id="global-styles-inline-css">
{_INLINE_CSS}
  </style>
  <script id="wp-settings-js">{_INLINE_JS}</script>
  <script type="application/ld+json">{{"@context": "https://schema.org", "@type": "MedicalClinic",
   "name": "Valley Wellness Clinic", "telephone": "+1-559-555-0142"}}</script>
</head>
<body class="post-template-default single single-post postid-{i}">
<div id="page" class="site">
<header id="masthead" class="site-header">
  <div class="top-bar"><a href="{TEL}">{PHONE}</a></div>
  <a href="/" rel="home"><img src="/wp-content/uploads/logo.svg" alt="Valley Wellness Clinic" width="240" height="60"></a>
  <nav id="site-navigation" class="main-navigation">
    <ul class="menu">
      <li class="menu-item"><a href="/">Home</a></li>
{nav}
    </ul>
  </nav>
</header>
<div id="content" class="site-content">
  <main id="primary" class="site-main">
    <article class="post type-post status-publish hentry">
      <header class="entry-header"><h1 class="entry-title">{title}</h1></header>
      <div class="entry-content">
        <figure class="wp-block-image"><img src="{image}" alt="Clinic photo {i % IMAGES}" width="800" height="450"></figure>
{chr(10).join(paragraphs)}
        <p class="cta"><a href="{post_path(min(1, n - 1))}">Request an appointment online</a> or call <a href="{TEL}">{PHONE}</a>.</p>
      </div>
      <div id="jp-relatedposts" class="jp-relatedposts related-posts">
        <h3>Related Posts</h3>
        <ul>
{related}
        </ul>
      </div>
    </article>
  </main>
  <aside id="secondary" class="widget-area">
    <section class="widget widget_recent_entries"><h2 class="widget-title">Recent Posts</h2>
      <ul>
{recent}
      </ul>
    </section>
  </aside>
</div>
<footer id="colophon" class="site-footer">
  <p>Valley Wellness Clinic, 2150 W Bullard Ave, Fresno, CA 93711. <a href="{TEL}">{PHONE}</a></p>
  <ul>
    <li><a href="/">Home</a></li>
    <li><a href="{post_path(min(2, n - 1))}">Services</a></li>
    <li><a href="{post_path(min(3, n - 1))}">Contact</a></li>
    <li><a href="{post_path(min(4, n - 1))}">Privacy</a></li>
  </ul>
</footer>
</div>
</body>
</html>
"""


def _external_page(j: int) -> str:
    return (f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Study {j:03d}</title></head>"
            f"<body><h1 id=\"abstract\">Study {j:03d}</h1><p>Abstract of a reference cited by the clinic.</p></body></html>\n")


def generate(out: Path, *, pages: int = 2000, external_origin: str = "http://127.0.0.2:8001",
             external_urls: int = 200, seed: int = 0, site_origin: str = "{{origin}}",
             faults: bool = False) -> Generated:
    """Write ``out/site`` and ``out/external``; return what was written.

    ``site_origin`` goes into sitemap.xml and robots.txt: the default placeholder is
    filled in by SiteServer; a build folder for `siteproof check` needs the real origin.
    """
    if pages < 2:
        raise ValueError("pages must be at least 2")
    rng = random.Random(seed)
    site, external = out / "site", out / "external"
    titles = ["Valley Wellness Clinic"] + [_title(rng, i) for i in range(1, pages)]
    total = 0
    fault_pages = (pages // 3, 2 * pages // 3) if faults else ()
    for i in range(pages):
        target = site / post_path(i).lstrip("/") / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        html = _page(i, pages, rng, titles, external_origin, external_urls)
        if i in fault_pages:
            links = ", ".join(f'<a href="{t.format(ext=external_origin)}">source {k + 1}</a>'
                              for k, t in enumerate(FAULT_TARGETS))
            html = html.replace('<p class="cta">', f"<p>Older sources: {links}.</p>\n        <p class=\"cta\">", 1)
        data = html.encode("utf-8")
        target.write_bytes(data)
        total += len(data)
    uploads = site / "wp-content" / "uploads"
    uploads.mkdir(parents=True, exist_ok=True)
    for k in range(IMAGES):
        (uploads / f"photo-{k}.png").write_bytes(_png((40 + 50 * k, 125, 110)))
    (uploads / "favicon.png").write_bytes(_png((46, 125, 110), 16, 16))
    (uploads / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="240" height="60">'
                                      '<text x="8" y="36" font-size="20">Valley Wellness</text></svg>\n')
    theme = site / "wp-content" / "themes" / "valley"
    theme.mkdir(parents=True, exist_ok=True)
    (theme / "style.css").write_text("body { font: 17px/1.6 Georgia, serif; }\n" + _INLINE_CSS + "\n")
    (site / "robots.txt").write_text(f"User-agent: *\nDisallow: /wp-admin/\nSitemap: {site_origin}/sitemap.xml\n")
    locs = "\n".join(f"  <url><loc>{site_origin}{post_path(i)}</loc></url>" for i in range(pages))
    (site / "sitemap.xml").write_text('<?xml version="1.0" encoding="UTF-8"?>\n'
                                      f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{locs}\n</urlset>\n')
    for j in range(external_urls):
        target = external / "ref" / f"{j:03d}" / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(_external_page(j))
    if faults:
        (external / "_routes.toml").write_text(FAULT_ROUTES)
    return Generated(site=site, external=external, pages=pages, external_urls=external_urls,
                     assets=IMAGES + 3, html_bytes=total, fault_pages=fault_pages)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--external-origin", default="http://127.0.0.2:8001")
    parser.add_argument("--site-origin", default="{{origin}}", help="origin written into sitemap.xml and robots.txt")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--faults", action="store_true", help="also cite references that hang, are busy or are gone")
    args = parser.parse_args(argv)
    g = generate(args.out, pages=args.pages, external_origin=args.external_origin, seed=args.seed,
                 site_origin=args.site_origin, faults=args.faults)
    print(f"{g.pages} pages ({g.html_bytes / g.pages / 1024:.1f} KB each on average) in {g.site}; "
          f"{g.external_urls} external pages in {g.external}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
