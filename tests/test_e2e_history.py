"""Scheduled crawls that remember: two crawls of the clinic with edits in between, through the real CLI.

A copy of the clinic fixture is served from tmp_path by one loopback server for the
whole module; between the crawls the copy is edited: defects fixed, new ones
planted, a linked page deleted, the orphan removed, titles changed. The history
store is the default one, .siteproof/history.sqlite in the working directory.
"""
from __future__ import annotations

import csv
import io
import json
import shutil
import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from support.e2e import read_report, siteproof, url_key, write_config
from support.sites import CLINIC, clinic_substitutions

from crawler.cli import main
from crawler.siteserver import SiteServer

STORE = Path(".siteproof/history.sqlite")


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def edit_site(site: Path) -> None:
    # fixed: the missing title, the 404 link, the duplicate title (both pages' finding)
    _edit(site / "privacy-policy/index.html", "<head>\n", "<head>\n<title>Privacy Policy | OMG Wellness</title>\n")
    _edit(site / "blog/ketamine-therapy-for-depression/index.html",
          'href="/blog/ketamine-aftercare-tips/"', 'href="/blog/first-ketamine-infusion/"')
    _edit(site / "ketamine-for-ptsd/index.html", "<title>Ketamine Therapy in Fresno | OMG Wellness</title>",
          "<title>Ketamine for PTSD in Fresno | OMG Wellness</title>")
    # a title changed on a clean page
    _edit(site / "about/index.html", "<title>About OMG Wellness | Fresno Medical Clinic</title>",
          "<title>About Our Fresno Clinic | OMG Wellness</title>")
    # planted: an image without alt text
    _edit(site / "contact/index.html", '<h2 id="hours">',
          '<p><img src="/wp-content/uploads/2024/02/ketamine-infusion-chair.png"></p>\n<h2 id="hours">')
    # a linked page deleted: the links to it break
    shutil.rmtree(site / "our-team")
    # the orphan removed, from the site and its sitemap
    shutil.rmtree(site / "blog/summer-hydration-weight-loss")
    _edit(site / "post-sitemap.xml", "  <url>\n    <loc>{{origin}}/blog/summer-hydration-weight-loss/</loc>\n"
          "    <lastmod>2024-06-30T12:00:00+00:00</lastmod>\n  </url>\n", "")


@pytest.fixture(scope="module")
def runs(tmp_path_factory, external_server):
    """Crawl, edit, crawl again (with --fail-on-new error), then re-check the second crawl's record."""
    root = tmp_path_factory.mktemp("e2e-history")
    site = root / "site"
    shutil.copytree(CLINIC, site)
    # No 30 s hang (the link stays broken: a 404), and a timeout no loaded CI machine reaches.
    _edit(site / "_routes.toml", 'path = "/lab-results/"\ndelay_s = 30\n', 'path = "/lab-results/"\nstatus = 404\n')
    config = write_config(root / "crawl.toml")
    _edit(config, "timeout_s = 2", "timeout_s = 30")
    with SiteServer(site, substitutions=clinic_substitutions(external_server)) as server:
        first = siteproof("crawl", server.url("/"), "--config", config, "--out", root / "first", cwd=root)
        edit_site(site)
        second = siteproof("crawl", server.url("/"), "--config", config, "--out", root / "second",
                           "--fail-on-new", "error", "--format", "markdown", cwd=root)
    return {"root": root, "origin": server.origin, "external": external_server.origin,
            "first": first, "second": second}


def _cli(runs, capsys, *args) -> tuple[int, str, str]:
    """`siteproof history|diff ...` in this process, on the crawls' store."""
    capsys.readouterr()
    code = main([*map(str, args), "--history", str(runs["root"] / STORE)])
    out, err = capsys.readouterr()
    return code, out, err


def _cli_json(runs, capsys, *args):
    code, out, err = _cli(runs, capsys, *args, "--format", "json")
    assert code == 0, err
    return json.loads(out)


def _keys(runs, findings):
    return sorted((f["rule"], url_key(f["url"], runs["origin"], runs["external"]),
                   url_key(f["target"], runs["origin"], runs["external"])) for f in findings)


NEW = [("broken-link", "/", "/our-team/"),
       ("broken-link", "/about/", "/our-team/"),
       ("missing-alt", "/contact/", "/wp-content/uploads/2024/02/ketamine-infusion-chair.png")]
FIXED = [("broken-link", "/blog/ketamine-therapy-for-depression/", "/blog/ketamine-aftercare-tips/"),
         ("duplicate-title", "/blog/first-ketamine-infusion/", ""),
         ("duplicate-title", "/ketamine-for-ptsd/", ""),
         ("missing-title", "/privacy-policy/", ""),
         ("orphan-page", "/blog/summer-hydration-weight-loss/", "")]


def test_the_diff_of_the_two_crawls_is_exactly_the_edits(runs, capsys):
    assert runs["first"].returncode == 1, runs["first"].stderr
    diff = _cli_json(runs, capsys, "diff", "--site", runs["origin"])
    first, second = read_report(runs["root"] / "first"), read_report(runs["root"] / "second")
    assert diff["base"]["run"] == first["run"] == "r1" and diff["head"]["run"] == second["run"] == "r2"
    assert diff["base"]["complete"] and diff["head"]["complete"]
    assert _keys(runs, diff["findings"]["new"]) == NEW
    assert _keys(runs, diff["findings"]["fixed"]) == FIXED
    assert all(len(f["fingerprint"]) == 32 for f in diff["findings"]["new"] + diff["findings"]["fixed"])
    assert diff["findings"]["open"] == len(first["findings"]) - len(FIXED) == len(second["findings"]) - len(NEW)
    origin = runs["origin"]
    assert diff["pages"]["added"] == []
    assert diff["pages"]["removed"] == [f"{origin}/our-team/"]
    about = {"title": ["About OMG Wellness | Fresno Medical Clinic", "About Our Fresno Clinic | OMG Wellness"]}
    assert diff["pages"]["changed"] == [
        {"url": f"{origin}/about", "fields": about},  # linked without its slash too: served at both
        {"url": f"{origin}/about/", "fields": about},
        {"url": f"{origin}/ketamine-for-ptsd/", "fields": {"title": ["Ketamine Therapy in Fresno | OMG Wellness",
                                                                     "Ketamine for PTSD in Fresno | OMG Wellness"]}},
        {"url": f"{origin}/privacy-policy/", "fields": {"title": [None, "Privacy Policy | OMG Wellness"]}},
    ]
    assert diff["links"]["changed"] == [{"target": f"{origin}/our-team/", "before": {"status": 200},
                                         "after": {"status": 404}}]


def test_since_last_and_fail_on_new(runs):
    first, second = read_report(runs["root"] / "first"), read_report(runs["root"] / "second")
    assert first["since_last"] is None
    since = second["since_last"]
    assert {k: since[k] for k in ("base", "new", "fixed", "open")} == {
        "base": "r1", "new": len(NEW), "fixed": len(FIXED), "open": len(second["findings"]) - len(NEW)}
    assert _keys(runs, since["new_findings"]) == NEW and _keys(runs, since["fixed_findings"]) == FIXED
    assert runs["second"].returncode == 1, runs["second"].stderr  # new broken links are errors
    assert [t["run"] for t in second["trend"]] == ["r1", "r2"]
    assert second["trend"][1]["findings"] == second["stats"]["findings"]


def test_a_recheck_with_nothing_new_passes_fail_on_new(runs):
    # `check` of the second crawl's record re-audits the same pages: nothing is new, so exit 0
    # even at --fail-on-new info, though the site still has errors (plain --fail-on would exit 1).
    proc = siteproof("check", runs["root"] / "second", "--config", runs["root"] / "crawl.toml",
                     "--out", runs["root"] / "recheck", "--fail-on-new", "info", "-q", cwd=runs["root"])
    assert proc.returncode == 0, proc.stderr
    report = read_report(runs["root"] / "recheck")
    assert report["since_last"]["new"] == 0 and report["since_last"]["fixed"] == 0
    assert report["since_last"]["base"] == "r2"


def test_history_lists_the_runs_newest_first(runs, capsys):
    first, second = read_report(runs["root"] / "first"), read_report(runs["root"] / "second")
    history = _cli_json(runs, capsys, "history", "--site", runs["origin"])
    listed = [r for r in history["runs"] if r["command"] == "crawl"]
    assert [r["run"] for r in listed] == ["r2", "r1"]
    for entry, report in zip(listed, (second, first)):
        assert entry["complete"] is True and entry["site"] == runs["origin"] + "/"
        assert entry["findings"] == report["stats"]["findings"]
        assert entry["by_rule"] == report["stats"]["by_rule"]
        assert entry["pages"] == report["stats"]["pages"]
        assert Path(entry["out"]).name in ("first", "second")
    code, text, _ = _cli(runs, capsys, "history")
    assert code == 0 and "r2" in text and "broken-link" in text
    rows = list(csv.DictReader(io.StringIO(_cli(runs, capsys, "history", "--format", "csv")[1])))
    assert {r["run"] for r in rows} >= {"r1", "r2"} and all(r["complete"] == "true" for r in rows)


def test_diff_names_runs_by_output_folder_and_renders_every_format(runs, capsys):
    root = runs["root"]
    by_folder = _cli_json(runs, capsys, "diff", root / "first", root / "second")
    by_id = _cli_json(runs, capsys, "diff", "r1", "r2")
    assert by_folder == by_id
    text = _cli(runs, capsys, "diff", "r1", "r2")[1]
    assert "3 new, 5 fixed" in text and "our-team" in text
    markdown = _cli(runs, capsys, "diff", "r1", "r2", "--format", "markdown")[1]
    assert "### New findings" in markdown and "| removed |" in markdown
    page = _cli(runs, capsys, "diff", "r1", "r2", "--format", "html")[1]
    assert page.startswith("<!doctype html>") and "<h2>Fixed findings</h2>" in page
    code, _, err = _cli(runs, capsys, "diff", "r99")
    assert code == 2 and err.count("\n") == 1 and "r99" in err


def test_the_store_is_a_sound_sqlite_file(runs):
    with sqlite3.connect(runs["root"] / STORE) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def _section(html: str) -> str:
    start = html.index('<section id="since-last">')
    return html[start:html.index("</section>", start)]


def test_the_reports_open_with_since_the_last_crawl_and_a_trend(runs):
    root = runs["root"]
    first = _section((root / "first" / "report.html").read_text(encoding="utf-8"))
    assert "The first recorded crawl of this site" in first
    html = _section((root / "second" / "report.html").read_text(encoding="utf-8"))
    assert "<b>3 new</b>, 5 fixed" in html
    assert html.index("<h3>New</h3>") < html.index("/our-team/") < html.index("<h3>Fixed</h3>") < html.index("/privacy-policy/")
    svg = ET.fromstring(html[html.index("<svg"):html.index("</svg>") + len("</svg>")])
    labels = [t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    assert "r1" in labels and "r2" in labels  # one bar a run
    assert len([r for r in svg.iter("{http://www.w3.org/2000/svg}rect") if r.get("height")]) >= 2 * 3
    assert "<script src" not in html and "https://cdn" not in html
    summary = (root / "second" / "summary.md").read_text(encoding="utf-8")
    since = summary[summary.index("### Since the last crawl"):]
    assert "**3 new**, 5 fixed" in since
    assert since.index("| new |") < since.index("| fixed |")
    assert "#### Trend over the last 2 runs" in since and "<svg" in since


def test_fail_on_new_needs_the_history(tmp_path, capsys):
    (tmp_path / "index.html").write_text("<title>x</title><h1>x</h1>", encoding="utf-8")
    assert main(["check", str(tmp_path / "index.html"), "--no-history", "--fail-on-new", "error"]) == 2
    assert "--no-history" in capsys.readouterr().err
