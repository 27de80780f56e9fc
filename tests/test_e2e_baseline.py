"""A baseline round trip through the CLI, as CI uses it on a build folder.

`siteproof baseline` records today's findings; later checks of the edited
folder must count only new problems: moved lines are not new, a fixed problem
is reported as fixed, a new broken link alone fails the job.
"""
from __future__ import annotations

import json
import re
import shutil
from concurrent.futures import ThreadPoolExecutor

import pytest
from support.e2e import BUILD_ORIGIN, read_report, render_build, siteproof, write_config

SHIFTED = "build/blog/first-ketamine-infusion/index.html"  # has findings with line numbers
UNTITLED = "build/privacy-policy/index.html"  # missing-title
NEW_LINK = "build/about/index.html"
GONE = "/our-old-team-page/"
KNOWN = re.compile(r"^(\d+) known findings? hidden by the baseline; (\d+) fixed\.$", re.M)


def edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


class Rounds:
    """Baseline a build, then check four copies of it, each with one more edit than the last.

    Each check has its own copy, so the checks run side by side.
    """

    def __init__(self, root):
        self.root = root
        self.config = write_config(root / "siteproof.toml", canonical_url=BUILD_ORIGIN)
        self.baseline_file = root / "baseline.json"
        render_build(root / "build")
        self.made = siteproof("baseline", "--out", self.baseline_file, "build", "--config", self.config, cwd=root)
        self.baseline = json.loads(self.baseline_file.read_text(encoding="utf-8"))

        edits = {
            "unchanged": [],
            "shifted": [shift_lines],
            "fixed": [shift_lines, add_title],
            "broken": [shift_lines, add_title, add_broken_link],
        }
        with ThreadPoolExecutor(len(edits)) as pool:
            runs = {name: pool.submit(self.check, name, steps) for name, steps in edits.items()}
        for name, run in runs.items():
            setattr(self, name, run.result())

    def check(self, name, steps):
        folder = self.root / name
        shutil.copytree(self.root / "build", folder / "build")
        for step in steps:
            step(folder)
        formats = ("--format", "github", "--format", "sarif", "--format", "text") if name == "broken" else ()
        proc = siteproof("check", "build", "--config", self.config, "--baseline", self.baseline_file,
                         *formats, "--out", "out", cwd=folder)
        proc.out = folder / "out"
        proc.report = read_report(proc.out)
        return proc


def shift_lines(folder):
    page = folder / SHIFTED
    page.write_text("\n\n\n" + page.read_text(encoding="utf-8"), encoding="utf-8")


def add_title(folder):
    edit(folder / UNTITLED, "<head>", "<head>\n<title>Privacy Policy | OMG Wellness</title>")


def add_broken_link(folder):
    edit(folder / NEW_LINK, "care that fits their life.</p>",
         f'care that fits their life. Meet <a href="{GONE}">our first team</a>.</p>')


@pytest.fixture(scope="module")
def rounds(tmp_path_factory):
    return Rounds(tmp_path_factory.mktemp("e2e-baseline"))


def known_and_fixed(proc):
    match = KNOWN.search(proc.stdout)
    assert match, proc.stdout[-1000:]
    return int(match.group(1)), int(match.group(2))


def test_baseline_records_every_finding(rounds):
    assert rounds.made.returncode == 0, rounds.made.stderr
    count = rounds.baseline["count"]
    assert count == len(rounds.baseline["findings"]) > 0
    assert f"Wrote {count} findings to baseline" in rounds.made.stdout


def test_an_unchanged_folder_passes_and_says_what_was_baselined(rounds):
    proc = rounds.unchanged
    assert proc.returncode == 0, (proc.stdout[-2000:], proc.stderr)
    assert known_and_fixed(proc) == (rounds.baseline["count"], 0)
    assert proc.report["stats"]["new"] == 0 and proc.report["stats"]["baselined"] == rounds.baseline["count"]


def test_moved_lines_are_not_new_findings(rounds):
    proc = rounds.shifted
    assert proc.returncode == 0, (proc.stdout[-2000:], proc.stderr)
    assert known_and_fixed(proc) == (rounds.baseline["count"], 0)
    lines = lambda report: sorted(f["line"] for f in report["findings"]  # noqa: E731
                                  if f["source_path"] == SHIFTED and f["line"])
    before, after = lines(rounds.unchanged.report), lines(proc.report)
    assert before and after == [n + 3 for n in before]  # the shift was real


def test_a_fixed_problem_is_reported_fixed(rounds):
    proc = rounds.fixed
    assert proc.returncode == 0, (proc.stdout[-2000:], proc.stderr)
    assert known_and_fixed(proc) == (rounds.baseline["count"] - 1, 1)
    fixed = proc.report["fixed"]
    assert [(f["rule"], f["url"]) for f in fixed] == [("missing-title", BUILD_ORIGIN + "/privacy-policy/")]


def test_only_a_new_problem_fails_the_build(rounds):
    proc = rounds.broken
    assert proc.returncode == 1, (proc.stdout[-2000:], proc.stderr)
    target = BUILD_ORIGIN + GONE
    assert proc.report["stats"]["new"] == 1
    annotations = [line for line in proc.stdout.splitlines() if line.startswith("::")]
    assert len(annotations) == 1 and annotations[0].startswith(f"::error file={NEW_LINK},line=")
    assert "title=broken-link" in annotations[0] and target in annotations[0]
    sarif = json.loads((proc.out / "report.sarif").read_text(encoding="utf-8"))
    results = [r for run in sarif["runs"] for r in run["results"]]
    assert [(r["ruleId"], r["properties"]["target"]) for r in results] == [("broken-link", target)]
    assert known_and_fixed(proc) == (rounds.baseline["count"] - 1, 1)
