"""Crawl the held-out site with the real CLI and score the link rules against EXPECTED.toml.

    .venv/bin/python tests/sites/heldout/score.py [--keep DIR]

Prints precision and recall per rule, then the false positives and the misses.
URLs are compared percent-decoded (see EXPECTED.toml); a finding is (rule, page, target).
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import tomllib
from collections import Counter
from pathlib import Path
from urllib.parse import unquote

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
EXTERNAL = HERE.parent / "external"
RULES = ("broken-link", "broken-head-link", "redirected-link", "broken-fragment", "unverifiable-link")
EXTERNAL_KEY = "{{external}}"

sys.path.insert(0, str(REPO))
from crawler.siteserver import SiteServer  # noqa: E402


def _key(url: str | None, origin: str, external: str) -> str:
    url = unquote(url or "")
    if url.startswith(origin + "/") or url == origin:
        return url[len(origin):] or "/"
    if url.startswith(external + "/"):
        return EXTERNAL_KEY + url[len(external):]
    return url


def expected() -> Counter:
    data = tomllib.loads((HERE / "EXPECTED.toml").read_text(encoding="utf-8"))
    return Counter((f["rule"], unquote(f["page"]), unquote(f["target"])) for f in data["finding"])


def found(report: dict, origin: str, external: str) -> Counter:
    return Counter((f["rule"], _key(f["url"], origin, external), _key(f["target"], origin, external))
                   for f in report["findings"] if f["rule"] in RULES)


def crawl(out: Path, external_host: str = "127.0.0.2") -> tuple[dict, str, str, subprocess.CompletedProcess]:
    """`python -m crawler crawl ORIGIN/ --config F --out DIR` against fresh loopback servers."""
    out.mkdir(parents=True, exist_ok=True)
    config = out.parent / (out.name + ".toml")
    config.write_text("[crawl]\ntimeout_s = 2\n", encoding="utf-8")
    with SiteServer(EXTERNAL, host=external_host) as ext:
        subs = {"external": ext.origin, "external_host": f"{ext.host}:{ext.port}"}
        with SiteServer(HERE, substitutions=subs) as site:
            proc = subprocess.run([sys.executable, "-m", "crawler", "crawl", site.url("/"), "--config", str(config),
                                   "--out", str(out), "-q"], cwd=out.parent, capture_output=True, text=True,
                                  timeout=120, env=None)
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    return report, site.origin, ext.origin, proc


def score(want: Counter, got: Counter) -> dict[str, tuple[float, float, int, int, int]]:
    """rule -> (precision, recall, true positives, found, expected)."""
    out = {}
    for rule in RULES:
        w = Counter({k: n for k, n in want.items() if k[0] == rule})
        g = Counter({k: n for k, n in got.items() if k[0] == rule})
        tp = sum((w & g).values())
        nw, ng = sum(w.values()), sum(g.values())
        out[rule] = (tp / ng if ng else 1.0, tp / nw if nw else 1.0, tp, ng, nw)
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--keep", type=Path, help="write the report here instead of a temporary folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = (args.keep or Path(tmp)) / "report"
        report, origin, external, proc = crawl(out)
        if "Traceback" in proc.stderr:
            print(proc.stderr, file=sys.stderr)
    want, got = expected(), found(report, origin, external)
    print(f"{'rule':20} {'precision':>9} {'recall':>7}   tp/found/expected")
    for rule, (p, r, tp, ng, nw) in score(want, got).items():
        print(f"{rule:20} {p:9.2f} {r:7.2f}   {tp}/{ng}/{nw}")
    for title, diff in (("false positives", got - want), ("missed", want - got)):
        if diff:
            print(f"\n{title}:")
            for key in sorted(diff.elements()):
                print("  ", *key)
    return 0


if __name__ == "__main__":
    sys.exit(main())
