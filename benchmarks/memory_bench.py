"""Memory and output size of `siteproof check` (or `crawl`) on sites whose pages share one title.

    .venv/bin/python benchmarks/memory_bench.py                 # check: 1,000 .. 10,000 pages
    .venv/bin/python benchmarks/memory_bench.py --pages 1000 2000
    .venv/bin/python benchmarks/memory_bench.py --crawl         # crawl the same sites on loopback

Each size is a sitegen.py site whose every page then gets the same <title> and
meta description: the worst case for duplicate-title and duplicate-meta-description,
which once listed every other page in each finding (a report that grew with the
square of the site). Prints, per size, the peak RSS of the check (process tree)
and the size of report.json + findings.csv + report.html, each also per 1,000
pages: flat per-1,000 figures mean linear growth. With --crawl each site is
served by a SiteServer on 127.0.0.1 and crawled (external links not checked: the
site alone, so the figures compare across sizes).
"""
from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import load_note, run_measured  # noqa: E402
from sitegen import generate  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
_TITLE = re.compile(r"<title>.*?</title>", re.S)
_DESCRIPTION = re.compile(r'<meta name="description" content="[^"]*">')


def share_titles(site: Path) -> int:
    count = 0
    for page in site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        html = _TITLE.sub("<title>Blog | Clinic</title>", html, count=1)
        html = _DESCRIPTION.sub('<meta name="description" content="Holistic care in Fresno.">', html, count=1)
        page.write_text(html, encoding="utf-8")
        count += 1
    return count


def _crawl(site: Path, out: Path, pages: int):
    from crawler.siteserver import SiteServer

    config = out.parent / "siteproof.toml"
    config.write_text(f"[crawl]\nmax_pages = {pages + 10}\ncheck_external = false\ntimeout_s = 60\n", encoding="utf-8")
    with SiteServer(site, host="127.0.0.1") as server:
        return run_measured([sys.executable, "-m", "crawler", "crawl", f"{server.origin}/", "--out", str(out),
                             "--config", str(config), "--no-history", "-q"], cwd=REPO)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, nargs="+", default=[1000, 2000, 5000, 10000])
    parser.add_argument("--crawl", action="store_true", help="crawl each site on loopback instead of checking the folder")
    args = parser.parse_args()
    print(load_note())
    print("siteproof crawl (loopback)" if args.crawl else "siteproof check (folder)")
    print(f"{'pages':>7} {'peak RSS MB':>12} {'MB/1k pages':>12} {'output MB':>10} {'MB/1k pages':>12} {'wall s':>7}")
    for n in args.pages:
        with tempfile.TemporaryDirectory(prefix="siteproof-membench-") as tmp:
            gen = generate(Path(tmp) / "gen", pages=n)
            share_titles(gen.site)
            out = Path(tmp) / "out"
            if args.crawl:
                m = _crawl(gen.site, out, n)
            else:
                m = run_measured([sys.executable, "-m", "crawler", "check", str(gen.site), "--out", str(out), "-q"],
                                 cwd=REPO)
            if m.returncode not in (0, 1):
                print(f"{n:>7} failed (exit {m.returncode}): {m.stderr.strip()[-300:]}")
                continue
            size = sum((out / f).stat().st_size for f in ("report.json", "findings.csv", "report.html")) / 2**20
            rss = m.peak_tree_mb
            print(f"{n:>7} {rss:>12.0f} {rss / n * 1000:>12.1f} {size:>10.1f} {size / n * 1000:>12.2f} {m.wall_s:>7.1f}",
                  flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
