"""The case-file runner itself: strict schema, URL resolution, fetch shorthands, matching."""
import pytest

from audits.model import Finding, Severity
from support.casefile import ORIGIN, CaseError, build_site, load_cases, matches


def _write(tmp_path, text):
    path = tmp_path / "missing-title.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_unknown_case_key_is_named(tmp_path):
    path = _write(tmp_path, '[[case]]\nname = "x"\nhtml = ""\nexpect = 0\nexpcet = 1\n')
    with pytest.raises(CaseError, match="expcet"):
        load_cases(path)


def test_duplicate_case_names_are_refused(tmp_path):
    path = _write(tmp_path, '[[case]]\nname = "x"\nhtml = ""\nexpect = 0\n' * 2)
    with pytest.raises(CaseError, match="duplicate case name"):
        load_cases(path)


def test_case_without_pages_is_refused(tmp_path):
    with pytest.raises(CaseError, match="html or pages"):
        load_cases(_write(tmp_path, '[[case]]\nname = "x"\nexpect = 0\n'))


def test_site_from_a_case():
    case = {"name": "x", "pages": {"/": '<a href="/a/">A</a>', "/a/": {"html": "", "status": 404}},
            "fetches": {"/old": {"redirect": "/a/"}, "https://ext.test/x": "timeout",
                        "/gone": 410}, "sitemap": ["/a/"], "expect": 0}
    site = build_site(case, "broken-link", ["broken-link", "missing-title"], "test")
    assert set(site.pages) == {f"{ORIGIN}/", f"{ORIGIN}/a/"}
    assert site.fetch(f"{ORIGIN}/a/").status == 404  # every page has a fetch with its status
    old = site.fetch(f"{ORIGIN}/old")
    assert (old.status, old.final_url, [h.status for h in old.redirect_chain]) == (404, f"{ORIGIN}/a/", [301])
    assert not old.external and site.fetch("https://ext.test/x").external
    assert site.fetch("https://ext.test/x").error == "timeout"
    assert site.sitemap_found and site.sitemap_urls == (f"{ORIGIN}/a/",)
    assert site.config.rules == {"missing-title": "off"}
    assert site.config.site.start_urls == (f"{ORIGIN}/",)


def test_unknown_fetch_key_is_named():
    case = {"name": "x", "html": "", "fetches": {"/a": {"stauts": 404}}, "expect": 0}
    with pytest.raises(CaseError, match="stauts"):
        build_site(case, "broken-link", ["broken-link"], "test")


def test_matching_expected_findings():
    finding = Finding("broken-link", Severity.ERROR, f"{ORIGIN}/", f"{ORIGIN}/gone", "returns 404",
                      {"status": 404, "count": 2}, line=3)
    assert matches(finding, {"url": "/", "target": "/gone", "message": "404", "line": 3,
                             "evidence": {"count": 2}})
    assert not matches(finding, {"target": ""})
    assert not matches(finding, {"evidence": {"count": 1}})
    assert not matches(finding, {"url": "/b/"})
    with pytest.raises(CaseError, match="trget"):
        matches(finding, {"trget": "/gone"})
