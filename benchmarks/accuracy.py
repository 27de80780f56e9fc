"""Score rules on real sites against hand labels: python benchmarks/accuracy.py SITE=DIR [SITE=DIR ...]

Labels: tests/fixtures/realsites/labels.toml (written before siteproof was run). Each DIR is a full
snapshot of that site's build folder (see tests/fixtures/realsites/README.md for the repository and
commit; only excerpts are committed). Each site is checked with `siteproof check DIR` and, per labelled
rule, precision and recall are printed; page-level sanity labels (files that are not pages, pages that
are not articles) are scored as false positives of whichever rule reported on them.
Nothing is tuned here: no rule has a parameter fitted to these sites, so every site is held out.
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

LABELS = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "realsites" / "labels.toml"
CONTENT_RULES = ("missing-cta", "thin-content", "hard-to-read", "irrelevant-related-post", "phone-not-clickable")


def page_of(url: str) -> str:
    path = url.split("://", 1)[-1].split("/", 1)[-1] if "/" in url.split("://", 1)[-1] else ""
    return (path.rstrip("/") + "/index.htm").lstrip("/") if path else "index.htm"


def score(site: dict, report: dict) -> dict[str, tuple[int, int, int]]:
    """rule -> (true positives, false positives, false negatives)."""
    not_pages = set(site.get("not_pages", []))
    articles = set(site.get("articles", []))
    want_phone = {p for p, _n in site.get("phone_mismatch", [])}
    want_h1 = set(site.get("multiple_h1", []))
    out: dict[str, list[int]] = {}
    got_phone, got_h1 = set(), set()
    for f in report["findings"]:
        page = page_of(f["url"])
        row = out.setdefault(f["rule"], [0, 0, 0])
        if page in not_pages:
            row[1] += 1
        elif f["rule"] in CONTENT_RULES and page not in articles:
            row[1] += 1
        elif f["rule"] == "phone-mismatch":
            got_phone.add(page)
            row[0 if page in want_phone else 1] += 1
        elif f["rule"] == "multiple-h1":
            got_h1.add(page)
            row[0 if page in want_h1 else 1] += 1
    out.setdefault("phone-mismatch", [0, 0, 0])[2] += len(want_phone - got_phone)
    out.setdefault("multiple-h1", [0, 0, 0])[2] += len(want_h1 - got_h1)
    return {rule: tuple(v) for rule, v in out.items()}


def related_posts(folder: str) -> None:
    """irrelevant-related-post on real Contextual Related Posts blocks (docs/accuracy.md, "Related posts")."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import related_corpus

    related_corpus.report(Path(folder))


def main(argv: list[str]) -> int:
    if argv[:1] == ["--related"] and len(argv) == 2:  # python benchmarks/accuracy.py --related DIR
        related_posts(argv[1])
        return 0
    labels = {s["name"]: s for s in tomllib.loads(LABELS.read_text(encoding="utf-8"))["site"]}
    if not argv:
        print(__doc__.strip().splitlines()[0])
        print("labelled sites:", ", ".join(labels))
        return 2
    for arg in argv:
        name, _, folder = arg.partition("=")
        with tempfile.TemporaryDirectory() as out:
            subprocess.run([sys.executable, "-m", "crawler", "check", folder, "--out", out, "--format", "json",
                            "--quiet"], capture_output=True, text=True)
            report = json.loads((Path(out) / "report.json").read_text(encoding="utf-8"))
        print(f"{name}: {len(report['pages'])} pages")
        for rule, (tp, fp, fn) in sorted(score(labels[name], report).items()):
            if tp + fp + fn == 0 or (tp == 0 and fn == 0 and rule not in CONTENT_RULES and fp == 0):
                continue
            p = f"{tp / (tp + fp):.2f}" if tp + fp else "-"
            r = f"{tp / (tp + fn):.2f}" if tp + fn else "-"
            print(f"  {rule:<26} tp={tp:<3} fp={fp:<3} fn={fn:<3} precision={p:<5} recall={r}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
