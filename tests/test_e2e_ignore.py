"""`[ignore]` and `[links] ignore` in the config file, through `siteproof check` of the build folder.

Compared with the same folder checked without them (the build_check fixture):
exactly the ignored findings disappear, nothing else changes.
"""
from __future__ import annotations

from collections import Counter

import pytest
from support.e2e import BUILD_ORIGIN, Run, siteproof, write_config

IGNORED_RULE, PAGES = "broken-link", "/blog/*"  # broken links also occur outside /blog/, and must stay
IGNORED_TARGET = BUILD_ORIGIN + "/insurance-verification/"


@pytest.fixture(scope="module")
def plain(build_check) -> Run:
    return build_check


@pytest.fixture(scope="module")
def ignoring(plain) -> Run:
    config = write_config(plain.root / "ignoring.toml", canonical_url=BUILD_ORIGIN,
                          ignore={PAGES: [IGNORED_RULE]}, links_ignore=[IGNORED_TARGET.rstrip("/") + "*"])
    out = plain.root / "ignoring"
    proc = siteproof("check", "build", "--config", config, "--format", "json", "--out", out, cwd=plain.root)
    assert proc.returncode in (0, 1) and "Traceback" not in proc.stderr, proc.stderr
    return Run(proc, plain.root, out, config, plain.origin, plain.external)


def test_the_case_is_real(plain):
    keys = plain.keys()
    assert [k for k in keys if k[0] == IGNORED_RULE and k[1].startswith("/blog/")]
    assert [k for k in keys if k[0] == IGNORED_RULE and not k[1].startswith("/blog/")]
    assert [k for k in keys if k[2] == "/insurance-verification/"]


def test_exactly_the_ignored_findings_disappear(plain, ignoring):
    def dropped(key):
        rule, page, target = key
        return (rule == IGNORED_RULE and page.startswith("/blog/")) or target == "/insurance-verification/"

    assert Counter(ignoring.keys()) == Counter(k for k in plain.keys() if not dropped(k))


def test_an_ignored_link_is_never_checked(ignoring):
    rows = [link for link in ignoring.report["links"] if link["target"] == IGNORED_TARGET]
    assert rows and all((r["status"], r["error"]) == (None, "ignored") for r in rows)
    assert not [f for f in ignoring.report["findings"] if f["target"] == IGNORED_TARGET]
