"""Every case in tests/rules/cases/<rule-id>.toml, run through the engine (see tests/support/casefile.py)."""
from __future__ import annotations

import pytest

from audits import registry
from audits.engine import run_rules
from support.casefile import CaseError, build_site, case_files, load_cases, matches


def _params():
    for path in case_files():
        rule_id = path.stem
        try:
            cases = load_cases(path)
        except CaseError as exc:
            yield pytest.param(rule_id, None, str(exc), id=f"{rule_id}::<unreadable>")
            continue
        for case in cases:
            yield pytest.param(rule_id, case, None, id=f"{rule_id}::{case['name']}")


@pytest.mark.parametrize("rule_id, case, problem", list(_params()))
def test_rule_case(rule_id, case, problem):
    if problem:
        pytest.fail(problem)
    rules = registry.load()
    assert rule_id in rules, f"{rule_id}.toml names no registered rule"
    where = f"{rule_id}.toml case {case['name']!r}"
    site = build_site(case, rule_id, list(rules), where)
    findings = [f for f in run_rules(site) if f.rule == rule_id]
    shown = "\n".join(f"  {f.url} -> {f.target}: {f.message}" for f in findings) or "  (none)"
    expect = case["expect"]
    if isinstance(expect, int):
        assert len(findings) == expect, f"{where}: expected {expect} finding(s), got:\n{shown}"
        return
    assert len(findings) == len(expect), f"{where}: expected {len(expect)} finding(s), got:\n{shown}"
    unmatched = list(findings)
    for wanted in expect:
        hit = next((f for f in unmatched if matches(f, wanted)), None)
        assert hit is not None, f"{where}: no finding matches {wanted}; got:\n{shown}"
        unmatched.remove(hit)
