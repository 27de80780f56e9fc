"""Every renderer copes with the sample report (tests/support/sample.py) and with an empty one."""
from __future__ import annotations

from audits.report import FORMATS, render
from support.sample import build_report, empty_report


def test_every_format_renders_the_sample_and_an_empty_report():
    for name in FORMATS:
        full = render(build_report(), name)
        empty = render(empty_report(), name)
        assert full.strip(), name
        assert isinstance(empty, str), name
        assert len(full) > len(empty), name
