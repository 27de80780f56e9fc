"""The text, markdown, github, junit and sarif renderings of the sample report, compared with tests/goldens/.

A renderer change shows here as a diff to read. After a deliberate change,
refresh every golden file with one command and review the diff:

    pytest tests/test_report_goldens.py --update-goldens
"""
from __future__ import annotations

from pathlib import Path

import pytest

from audits.report import FORMATS, render
from support.sample import build_report

GOLDENS = Path(__file__).parent / "goldens"
GOLDEN_FORMATS = ("text", "markdown", "github", "junit", "sarif")


@pytest.mark.parametrize("fmt", GOLDEN_FORMATS)
def test_rendering_of_the_sample_report_matches_its_golden_file(fmt, update_goldens):
    rendered = render(build_report(), fmt)
    golden = GOLDENS / FORMATS[fmt].filename
    if update_goldens:
        GOLDENS.mkdir(exist_ok=True)
        golden.write_text(rendered, encoding="utf-8", newline="")
    assert golden.is_file(), f"no {golden.name}: run `pytest {Path(__file__).name} --update-goldens`"
    assert rendered == golden.read_bytes().decode("utf-8"), \
        f"{fmt} output changed; if that is intended, run `pytest tests/test_report_goldens.py --update-goldens`"
