"""Whether missing-cta's call-to-action finder agrees with the labels on every labelled article, whatever its kind.

    python benchmarks/cta_labels.py --sites DIR

benchmarks/accuracy.py scores the rule, which only judges the pages audits/kinds.py calls articles; this
prints, for every page in a site's `articles` (tests/fixtures/realsites/labels.toml), whether the rule's finder
(audits.rules.cta.calls_to_action, default [audits.cta]) sees a call to action and whether the labels say it has
one (`missing_cta`), so articles the kinds leave out (4dental's treatment pages) are measured too.
"""
from __future__ import annotations

import argparse
import sys
import tomllib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from audits import sources  # noqa: E402
from audits.config import from_dict  # noqa: E402
from audits.rules.cta import CtaOptions, calls_to_action  # noqa: E402

LABELS = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "realsites" / "labels.toml"
ORIGIN = "https://clinic.test/"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("--sites", required=True, metavar="DIR")
    args = parser.parse_args(argv)
    total = agree = 0
    for site in tomllib.loads(LABELS.read_text(encoding="utf-8"))["site"]:
        folder = Path(args.sites) / site["name"]
        if not site.get("articles") or not folder.is_dir():
            continue
        built = sources.pages_from_paths([folder], from_dict({"site": {"canonical_url": ORIGIN}}),
                                         path_base=folder).site()
        by_file = {}
        for url, page in built.pages.items():
            rel = url.removeprefix(ORIGIN)
            for name in (rel, rel + "index.html", rel + ".html"):
                by_file[name] = page
        lacking = set(site.get("missing_cta", []))
        wrong = []
        for article in site["articles"]:
            page = by_file[article]
            found = bool(calls_to_action(page, CtaOptions()))
            if found == (article in lacking):
                wrong.append(f"{article} (kind {page.kind}: {'found' if found else 'none found'})")
        total += len(site["articles"])
        agree += len(site["articles"]) - len(wrong)
        print(f"{site['name']}: {len(site['articles']) - len(wrong)} of {len(site['articles'])} articles agree"
              + "".join(f"\n    disagrees: {w}" for w in wrong))
    print(f"all: {agree} of {total}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
