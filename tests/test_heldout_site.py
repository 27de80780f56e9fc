"""The held-out site (tests/sites/heldout): link rules scored on markup the code was not written for.

One `siteproof crawl` through the real CLI against fresh loopback servers (the
site on 127.0.0.1, the external host on 127.0.0.2). Its broken-link,
redirected-link, broken-fragment and unverifiable-link findings must be exactly
tests/sites/heldout/EXPECTED.toml, which was labelled before the crawl was run.
`python tests/sites/heldout/score.py` prints precision and recall per rule.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from support.sites import EXTERNAL_HOST

SCORE = Path(__file__).parent / "sites" / "heldout" / "score.py"
_spec = importlib.util.spec_from_file_location("heldout_score", SCORE)
score = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(score)


@pytest.fixture(scope="module")
def crawl(tmp_path_factory):
    try:
        report, origin, external, proc = score.crawl(tmp_path_factory.mktemp("heldout") / "report", EXTERNAL_HOST)
    except OSError as exc:  # macOS routes only 127.0.0.1 unless an alias is added
        pytest.skip(f"cannot bind {EXTERNAL_HOST} for the external test host ({exc})")
    assert "Traceback" not in proc.stderr, proc.stderr
    return report, origin, external


def test_link_findings_are_exactly_the_labelled_ones(crawl):
    report, origin, external = crawl
    want, got = score.expected(), score.found(report, origin, external)
    assert sorted((got - want).elements()) == [], "unexpected findings"
    assert sorted((want - got).elements()) == [], "missing findings"


def test_precision_and_recall_per_rule(crawl):
    report, origin, external = crawl
    results = score.score(score.expected(), score.found(report, origin, external))
    assert {rule: (p, r) for rule, (p, r, *_) in results.items()} == {rule: (1.0, 1.0) for rule in score.RULES}


def test_robots_disallowed_and_special_schemes_are_not_findings(crawl):
    report, origin, _ = crawl
    targets = {f["target"] for f in report["findings"] if f["rule"] in score.RULES}
    assert not [t for t in targets if "/members/" in t or t.split(":", 1)[0] in ("mailto", "tel", "sms", "javascript", "data")]
